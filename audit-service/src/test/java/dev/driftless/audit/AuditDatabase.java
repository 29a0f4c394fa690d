package dev.driftless.audit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/**
 * The real PostgreSQL on 127.0.0.1:5432 (database {@code test}), with a schema of this test run's own that is dropped
 * afterwards, and the two logins of a production install: the schema's owner, which Flyway migrates as, and the
 * runtime login audit-service runs as, which owns nothing and is a member of {@code driftless_writer} and
 * {@code driftless_retention} only (as deploy/compose/postgres-init.sh makes them). Every audit test thus runs with
 * the rights production has; a statement the runtime login may not run fails the test.
 *
 * <p>Properties it adds for tests: {@code test.audit.schema}, {@code test.audit.runtime-user}.
 */
public class AuditDatabase implements QuarkusTestResourceLifecycleManager {

    public static final String URL =
            System.getProperty("driftless.test.db-url", "jdbc:postgresql://127.0.0.1:5432/test");
    /** A superuser, to set the database up and to tamper with the log as an attacker with every right would. */
    public static final String USER = System.getProperty("driftless.test.db-user", "postgres");

    private String schema;

    @Override
    public Map<String, String> start() {
        schema = "audit_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String owner = schema + "_owner";
        String runtime = schema + "_app";
        try (Connection c = DriverManager.getConnection(URL, USER, "");
                Statement s = c.createStatement()) {
            for (String role : new String[] {"driftless_writer", "driftless_retention"}) {
                s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + role
                        + "') THEN CREATE ROLE " + role + " NOLOGIN; END IF;"
                        + " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$");
            }
            s.execute("CREATE ROLE " + owner + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE");
            s.execute("CREATE ROLE " + runtime
                    + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE IN ROLE driftless_writer, driftless_retention");
            s.execute("CREATE SCHEMA " + schema + " AUTHORIZATION " + owner);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare test schema " + schema, e);
        }
        return Map.of(
                "quarkus.datasource.jdbc.url", URL,
                "quarkus.datasource.username", runtime,
                "quarkus.flyway.username", owner,
                // Quarkus uses Flyway's own login only with a password; the test database trusts local logins
                "quarkus.flyway.password", "unused-trust-auth",
                "quarkus.datasource.jdbc.additional-jdbc-properties.currentSchema", schema,
                "quarkus.flyway.schemas", schema,
                "quarkus.flyway.default-schema", schema,
                "test.audit.schema", schema,
                "test.audit.runtime-user", runtime);
    }

    @Override
    public void stop() {
        try (Connection c = DriverManager.getConnection(URL, USER, "");
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            for (String login : new String[] {schema + "_owner", schema + "_app"}) {
                s.execute("DROP OWNED BY " + login + " CASCADE");
                s.execute("DROP ROLE IF EXISTS " + login);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test schema " + schema, e);
        }
    }
}
