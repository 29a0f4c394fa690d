package dev.driftless.audit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/**
 * The real PostgreSQL on 127.0.0.1:5432 (database {@code test}), with a schema of this test run's own that Flyway
 * migrates and that is dropped afterwards.
 */
public class AuditDatabase implements QuarkusTestResourceLifecycleManager {

    public static final String URL =
            System.getProperty("driftless.test.db-url", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String USER = System.getProperty("driftless.test.db-user", "postgres");

    private String schema;

    @Override
    public Map<String, String> start() {
        schema = "audit_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        return Map.of(
                "quarkus.datasource.jdbc.url", URL,
                "quarkus.datasource.username", USER,
                "quarkus.datasource.jdbc.additional-jdbc-properties.currentSchema", schema,
                "quarkus.flyway.schemas", schema,
                "quarkus.flyway.default-schema", schema,
                "test.audit.schema", schema);
    }

    @Override
    public void stop() {
        try (Connection c = DriverManager.getConnection(URL, USER, "");
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test schema " + schema, e);
        }
    }
}
