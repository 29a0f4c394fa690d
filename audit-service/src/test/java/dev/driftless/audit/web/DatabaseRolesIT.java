package dev.driftless.audit.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.driftless.audit.AuditDatabase;
import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventType;
import dev.driftless.events.ResyncRequested;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The login audit-service runs as (here, as in production, a member of {@code driftless_writer} and
 * {@code driftless_retention} that owns nothing) records events, and can do nothing that would let it rewrite the log
 * quietly: no altering, no disabling or dropping triggers, no truncating, updating, deleting or dropping, no writing
 * checkpoints, no replacing the functions that guard the log, no becoming the owner.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = AuditDatabase.class, restrictToAnnotatedClass = true)
class DatabaseRolesIT {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.audit.schema")
    String schema;

    @ConfigProperty(name = "test.audit.runtime-user")
    String runtimeUser;

    Connection runtime() throws SQLException {
        Connection c = DriverManager.getConnection(AuditDatabase.URL, runtimeUser, "");
        try (Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + schema);
        }
        return c;
    }

    long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Once the schema is migrated, audit-service starts with the runtime login alone: Flyway, run as it, reads its
     * history and has nothing to do (the owner's password need not stay in the running service).
     */
    @Test
    void aMigratedSchemaNeedsNoOwnerToStart() {
        var flyway = org.flywaydb.core.Flyway.configure()
                .dataSource(AuditDatabase.URL, runtimeUser, "")
                .schemas(schema)
                .defaultSchema(schema)
                .locations("classpath:db/migration")
                .load();
        assertThat(flyway.migrate().migrationsExecuted).isZero();
        flyway.validate();
    }

    @Test
    void theRuntimeLoginRecordsButCannotRewriteTheLog() throws Exception {
        String app = "roles-" + UUID.randomUUID().toString().substring(0, 8);
        try (EventProbe probe = new EventProbe(bootstrap);
                Connection c = runtime()) {
            probe.send(
                    new Envelope(EventType.COMMAND_RESYNC, app + "-1", app, Instant.now(), Map.of("application", app)),
                    new ResyncRequested(app, "tester", null, Instant.now()),
                    app,
                    "urn:test");
            // recorded by audit-service, logged in as the runtime login
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> count(c, "SELECT count(*) FROM change_log WHERE application = '" + app + "'") == 1);
            assertThat(count(
                            c,
                            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
                                    + " AND tableowner = current_user"))
                    .as("tables the runtime login owns")
                    .isZero();
            String month = "change_log_"
                    + java.time.YearMonth.now(java.time.ZoneOffset.UTC)
                            .toString()
                            .replace('-', '_');
            String owner = schema + "_owner";

            List<String> refused = List.of(
                    "ALTER TABLE change_log DISABLE TRIGGER change_log_no_update_or_delete",
                    "ALTER TABLE change_log DISABLE TRIGGER ALL",
                    "ALTER TABLE " + month + " DISABLE TRIGGER change_log_no_truncate",
                    "DROP TRIGGER change_log_no_update_or_delete ON change_log",
                    "TRUNCATE change_log",
                    "TRUNCATE " + month,
                    "UPDATE change_log SET reason = 'rewritten'",
                    "DELETE FROM change_log",
                    "DELETE FROM " + month,
                    "DELETE FROM event_ids",
                    "DROP TABLE " + month,
                    "DROP TABLE change_log CASCADE",
                    "ALTER TABLE change_log DETACH PARTITION " + month,
                    "ALTER TABLE change_log ADD COLUMN note TEXT",
                    "INSERT INTO chain_checkpoints (chain, seq, hash, partition) VALUES ('" + app + "', 1, 'x', 'y')",
                    "CREATE OR REPLACE FUNCTION change_log_is_append_only() RETURNS trigger LANGUAGE plpgsql"
                            + " AS $$ BEGIN RETURN OLD; END $$",
                    "ALTER FUNCTION change_log_ensure_month(TIMESTAMPTZ) SECURITY INVOKER",
                    "CREATE TABLE change_log_2099_01 (LIKE change_log)",
                    "SET ROLE " + owner,
                    "SELECT change_log_archive_month('change_log_2020_01; DROP TABLE change_log')");
            for (String statement : refused) {
                try (Statement s = c.createStatement()) {
                    assertThatThrownBy(() -> s.execute(statement)).as(statement).isInstanceOf(SQLException.class);
                }
            }
            assertThat(count(c, "SELECT count(*) FROM change_log WHERE application = '" + app + "'"))
                    .isEqualTo(1);
            assertThat(count(
                            c,
                            "SELECT count(*) FROM pg_trigger WHERE tgname = 'change_log_no_update_or_delete'"
                                    + " AND tgenabled = 'O' AND tgrelid = 'change_log'::regclass"))
                    .isEqualTo(1);
        }
    }
}
