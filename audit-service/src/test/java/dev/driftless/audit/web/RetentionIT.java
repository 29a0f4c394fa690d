package dev.driftless.audit.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.driftless.audit.AuditDatabase;
import dev.driftless.audit.store.Retention;
import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventType;
import dev.driftless.events.ResyncRequested;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
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
 * Retention on real PostgreSQL archives whole months instead of deleting rows: the month leaves the live log but
 * is kept, stays append-only, its event ids still dedupe, and the live chains still verify from their checkpoints.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = AuditDatabase.class, restrictToAnnotatedClass = true)
class RetentionIT {

    static final String READ = "read-token-0123456789";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.audit.schema")
    String schema;

    @Inject
    Retention retention;

    long count(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(AuditDatabase.URL, AuditDatabase.USER, "");
                Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + schema);
            try (ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    void send(EventProbe probe, String app, String id) {
        probe.send(
                new Envelope(EventType.COMMAND_RESYNC, id, app, Instant.now(), Map.of("application", app)),
                new ResyncRequested(app, "tester", null, Instant.now()),
                app,
                "urn:test");
    }

    @Test
    void anArchivedMonthLeavesTheLiveLogButIsKeptAndTheChainStillVerifies() throws Exception {
        String app = "kept-" + UUID.randomUUID().toString().substring(0, 8);
        try (EventProbe probe = new EventProbe(bootstrap)) {
            send(probe, app, app + "-1");
            send(probe, app, app + "-2");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> count("SELECT count(*) FROM change_log WHERE application = '" + app + "'") == 2);

            List<String> archived = retention.archive(Instant.now().plus(Duration.ofDays(62)));

            assertThat(archived).isNotEmpty();
            String month = archived.get(0);
            assertThat(count("SELECT count(*) FROM change_log WHERE application = '" + app + "'"))
                    .isZero();
            assertThat(count("SELECT count(*) FROM " + month + " WHERE application = '" + app + "'"))
                    .isEqualTo(2);
            try (Connection c = DriverManager.getConnection(AuditDatabase.URL, AuditDatabase.USER, "");
                    Statement s = c.createStatement()) {
                s.execute("SET search_path TO " + schema);
                assertThatThrownBy(() -> s.executeUpdate("DELETE FROM " + month))
                        .hasMessageContaining("append-only");
            }

            send(probe, app, app + "-1");
            send(probe, app, app + "-3");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> count("SELECT count(*) FROM change_log WHERE application = '" + app + "'") == 1);
            assertThat(count("SELECT count(*) FROM change_log WHERE event_id = '" + app + "-1'"))
                    .as("an archived event redelivered is still a duplicate")
                    .isZero();
        }

        given().auth().oauth2(READ).get("/api/verify").then().statusCode(200).body("intact", equalTo(true));
    }
}
