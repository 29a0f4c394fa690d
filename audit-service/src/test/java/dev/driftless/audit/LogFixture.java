package dev.driftless.audit;

import static org.awaitility.Awaitility.await;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventType;
import dev.driftless.events.ResyncRequested;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A test's way into the change log of its schema: events recorded through the broker as a service would publish
 * them, and SQL as a superuser (someone holding the database, triggers or not).
 */
public record LogFixture(String bootstrap, String schema) {

    /** A superuser's connection to the schema. */
    public Connection superuser() throws SQLException {
        Connection c = DriverManager.getConnection(AuditDatabase.URL, AuditDatabase.USER, "");
        try (Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + schema);
        }
        return c;
    }

    /** How many entries match an SQL condition. */
    public long count(String where) throws SQLException {
        try (Connection c = superuser();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM change_log WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Publishes resyncs {@code app-from} to {@code app-to} of an application and waits until the log holds {@code to}
     * of its entries.
     */
    public void record(String app, int from, int to) {
        try (EventProbe probe = new EventProbe(bootstrap)) {
            for (int n = from; n <= to; n++) {
                probe.send(
                        new Envelope(
                                EventType.COMMAND_RESYNC,
                                app + "-" + n,
                                app,
                                Instant.now(),
                                Map.of("application", app)),
                        new ResyncRequested(app, "tester", "n" + n, Instant.now()),
                        app,
                        "urn:test");
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> count("application = '" + app + "'") == to);
    }
}
