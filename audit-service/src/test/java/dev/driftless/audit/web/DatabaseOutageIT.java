package dev.driftless.audit.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.driftless.audit.AuditDatabase;
import dev.driftless.devstack.faults.TcpProxy;
import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.events.CommitPushed;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventType;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * audit-service when PostgreSQL goes away and comes back: readiness goes down, events wait in the topic instead of
 * being dropped or stopping the consumer, and once the database is back every one of them is recorded exactly once,
 * in order, in a chain that verifies. PostgreSQL is real; a {@link TcpProxy} in front of it takes it away for this
 * service alone (the server is shared by every test), which is the one thing here that is not the real part.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = DatabaseOutageIT.DatabaseBehindProxy.class, restrictToAnnotatedClass = true)
class DatabaseOutageIT {

    static final String READ = "read-token-0123456789";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.audit.schema")
    String schema;

    /** Set by {@link DatabaseBehindProxy}. */
    TcpProxy database;

    @Test
    void whileTheDatabaseIsAwayReadinessIsDownEventsWaitAndOnceItIsBackEachIsRecordedOnceInAnIntactChain()
            throws Exception {
        String app = "outage-" + UUID.randomUUID().toString().substring(0, 8);
        try (EventProbe probe = new EventProbe(bootstrap)) {
            push(probe, app, 0);
            await().atMost(Duration.ofSeconds(30)).until(() -> rows(app) == 1);

            database.cut();
            try {
                await().atMost(Duration.ofSeconds(30))
                        .alias("readiness down without the database")
                        .untilAsserted(
                                () -> given().get("/q/health/ready").then().statusCode(503));
                for (int i = 1; i <= 5; i++) {
                    push(probe, app, i);
                }
                // an outage longer than a few retries (about 3 s of backoff): a recorder that gives up after a
                // handful of attempts would stop its consumer here and never record the rest
                await().atMost(Duration.ofSeconds(60))
                        .alias("the recorder met the outage and kept retrying")
                        .until(() -> retries() >= 5);
                assertThat(rows(app))
                        .as("nothing recorded while the database is away")
                        .isEqualTo(1);
            } finally {
                database.restore();
            }

            await().atMost(Duration.ofSeconds(60))
                    .alias("readiness up again")
                    .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
            await().atMost(Duration.ofSeconds(60)).until(() -> rows(app) == 6);
            assertThat(ids(app))
                    .as("each event once, in the order sent")
                    .containsExactly(id(app, 0), id(app, 1), id(app, 2), id(app, 3), id(app, 4), id(app, 5));
            given().auth()
                    .oauth2(READ)
                    .get("/api/verify")
                    .then()
                    .statusCode(200)
                    .body("intact", equalTo(true));
        }
    }

    static String id(String app, int i) {
        return "push-" + app + "-" + i;
    }

    static void push(EventProbe probe, String app, int i) {
        String repository = "https://git.example.com/" + app;
        String commit = UUID.randomUUID().toString().replace("-", "") + "01234567";
        probe.send(
                new Envelope(
                        EventType.COMMIT_PUSHED,
                        id(app, i),
                        app,
                        Instant.now(),
                        Map.of("commit", commit, "repository", repository)),
                new CommitPushed(
                        repository,
                        "refs/heads/main",
                        "a".repeat(40),
                        commit,
                        "alice",
                        "github",
                        "delivery-" + app + "-" + i,
                        List.of("apps/demo/cm.yaml"),
                        Instant.now(),
                        true),
                repository,
                "urn:test");
    }

    /** Rows of the application's events, read straight from PostgreSQL (not through the proxy). */
    long rows(String app) throws Exception {
        return ids(app).size();
    }

    List<String> ids(String app) throws Exception {
        try (Connection c = DriverManager.getConnection(AuditDatabase.URL, AuditDatabase.USER, "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT event_id FROM " + schema
                        + ".change_log WHERE event_id LIKE 'push-" + app + "-%' ORDER BY seq")) {
            List<String> ids = new java.util.ArrayList<>();
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
            return ids;
        }
    }

    static double retries() {
        String metrics = given().get("/q/metrics").then().extract().asString();
        return metrics.lines()
                .filter(l -> l.startsWith("driftless_audit_database_retries_total"))
                .mapToDouble(l -> Double.parseDouble(l.split("\\s+")[1])) // the value; an exemplar may follow
                .sum();
    }

    /** {@link AuditDatabase}'s schema, reached through a {@link TcpProxy} the test can cut. */
    public static class DatabaseBehindProxy extends AuditDatabase {

        private TcpProxy proxy;

        @Override
        public Map<String, String> start() {
            URI real = URI.create(URL.substring("jdbc:".length()));
            proxy = TcpProxy.to(real.getHost(), real.getPort());
            Map<String, String> config = new HashMap<>(super.start());
            config.put(
                    "quarkus.datasource.jdbc.url",
                    "jdbc:postgresql://127.0.0.1:" + proxy.port() + real.getPath()
                            + (real.getQuery() == null ? "" : "?" + real.getQuery()));
            // a lost connection is noticed at once and a new one is not waited for long
            config.put("quarkus.datasource.jdbc.acquisition-timeout", "2S");
            config.put("quarkus.datasource.jdbc.additional-jdbc-properties.connectTimeout", "2");
            return config;
        }

        @Override
        public void inject(TestInjector injector) {
            injector.injectIntoFields(proxy, new TestInjector.MatchesType(TcpProxy.class));
        }

        @Override
        public void stop() {
            proxy.close();
            super.stop();
        }
    }
}
