package dev.driftless.audit.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.driftless.audit.AuditDatabase;
import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.events.CommitPushed;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventType;
import dev.driftless.events.HealthChanged;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Target;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The DORA lead-time histograms on a real broker and real PostgreSQL, with event times the test sets: push → synced
 * and push → first Healthy, each sampled once per rollout, read back from {@code /q/metrics} as
 * Prometheus scrapes it, and from the application's DORA figures.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(AuditDatabase.class)
class DoraMetricsIT {

    static final String READ = "read-token-0123456789";
    static final Pattern SAMPLE = Pattern.compile("^(\\w+)\\{([^}]*)\\} (\\S+)");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    AgroalDataSource dataSource;

    EventProbe probe;
    String commit;
    String app;
    String repository;

    @BeforeEach
    void setUp() {
        probe = new EventProbe(bootstrap);
        commit = UUID.randomUUID().toString().replace("-", "") + "01234567";
        app = "dora-" + commit.substring(0, 6);
        repository = "https://git.example.com/" + app;
    }

    @AfterEach
    void tearDown() {
        probe.close();
    }

    boolean recorded(String eventId) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM change_log WHERE event_id = ?")) {
            s.setString(1, eventId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1) == 1;
            }
        }
    }

    void health(String id, String previous, String current, Instant at) {
        probe.send(
                new Envelope(EventType.HEALTH_CHANGED, id, app, at, Map.of("commit", commit, "application", app)),
                new HealthChanged(app, commit, previous, current, at),
                app,
                "urn:test");
    }

    /** This application's sample of a series with this label ({@code outcome="failed"}), as Prometheus reads it. */
    Double scraped(String series, String label) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.find()
                    && m.group(1).equals(series)
                    && m.group(2).contains("application=\"" + app + "\"")
                    && m.group(2).contains(label)) {
                return Double.parseDouble(m.group(3));
            }
        }
        return null;
    }

    /** This application's samples of one Prometheus series, by their {@code le} label ("" when none). */
    Map<String, Double> scraped(String series) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Map<String, Double> samples = new TreeMap<>();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.find() && m.group(1).equals(series) && m.group(2).contains("application=\"" + app + "\"")) {
                Matcher le = Pattern.compile("le=\"([^\"]*)\"").matcher(m.group(2));
                samples.put(le.find() ? le.group(1) : "", Double.parseDouble(m.group(3)));
            }
        }
        return samples;
    }

    /** The cumulative counts of a histogram's finite buckets whose bound is below {@code seconds}, or not. */
    static List<Double> counts(Map<String, Double> buckets, double seconds, boolean below) {
        return buckets.entrySet().stream()
                .filter(e -> !e.getKey().equals("+Inf"))
                .filter(e -> (Double.parseDouble(e.getKey()) < seconds) == below)
                .map(Map.Entry::getValue)
                .toList();
    }

    static double largestBound(Map<String, Double> buckets) {
        return buckets.keySet().stream()
                .filter(le -> !le.equals("+Inf"))
                .mapToDouble(Double::parseDouble)
                .max()
                .orElse(0);
    }

    void sync(String id, String at, boolean succeeded, Instant when) {
        probe.send(
                new Envelope(
                        succeeded ? EventType.SYNC_SUCCEEDED : EventType.SYNC_FAILED,
                        id,
                        app,
                        when,
                        Map.of("commit", at, "application", app)),
                new SyncReport(
                        app,
                        at,
                        "sha256:" + "5".repeat(64),
                        succeeded ? "Succeeded" : "Failed",
                        succeeded ? null : "ApplyInvalid",
                        succeeded ? null : "refused",
                        List.of(),
                        "render-" + id,
                        when.minusSeconds(1),
                        when),
                app,
                "urn:test");
    }

    /**
     * One definition of DORA for the API and the meters: a history on which the two used to disagree (a resync of the
     * deployed commit counted as a deployment by the meters, a Degraded rollout not counted as a failure by them, a
     * Healthy not ending a restore) gives the same numbers at {@code GET /api/applications/{name}} and on
     * {@code /q/metrics}.
     */
    @Test
    void theApiAndTheMetersCountDeploymentsFailuresAndRestoresAlike() throws Exception {
        String second = UUID.randomUUID().toString().replace("-", "") + "89abcdef";
        Instant t = Instant.now().minus(Duration.ofMinutes(20)).truncatedTo(ChronoUnit.MILLIS);
        sync("s1-" + app, commit, true, t); // deployment 1
        sync("s2-" + app, commit, true, t.plusSeconds(10)); // a resync of the same commit: no deployment
        health("h1-" + app, "Healthy", "Degraded", t.plusSeconds(20)); // failure 1
        health("h2-" + app, "Degraded", "Healthy", t.plusSeconds(50)); // restored after 30 s
        sync("s3-" + app, second, false, t.plusSeconds(60)); // failure 2
        sync("s4-" + app, second, true, t.plusSeconds(80)); // deployment 2, restored after 20 s
        await().atMost(Duration.ofSeconds(20)).until(() -> recorded("s4-" + app));

        io.restassured.path.json.JsonPath view = given().auth()
                .oauth2(READ)
                .get("/api/applications/{name}", app)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(view.getInt("dora.deployments")).isEqualTo(2);
        assertThat(view.getInt("dora.failures")).isEqualTo(2);
        assertThat(view.getList("dora.restoreTimesMs", Long.class)).containsExactly(30_000L, 20_000L);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(scraped("driftless_audit_deployments_total", "outcome=\"succeeded\""))
                    .isEqualTo(view.getInt("dora.deployments"));
            assertThat(scraped("driftless_audit_deployments_total", "outcome=\"failed\""))
                    .isEqualTo(view.getInt("dora.failures"));
            assertThat(scraped("driftless_audit_restore_time_seconds_count")).containsEntry("", 2.0);
            assertThat(scraped("driftless_audit_restore_time_seconds_sum")).containsEntry("", 50.0);
        });
    }

    @Test
    void pushToTheFirstHealthyIsOneSampleAndALaterHealthyAtTheSameCommitAddsNone() throws Exception {
        Instant pushed = Instant.now().minus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.MILLIS);
        probe.send(
                new Envelope(
                        EventType.COMMIT_PUSHED,
                        "push-" + app,
                        repository,
                        pushed,
                        Map.of("commit", commit, "repository", repository)),
                new CommitPushed(
                        repository,
                        "refs/heads/main",
                        "a".repeat(40),
                        commit,
                        "dora",
                        "github",
                        "delivery-" + app,
                        List.of("apps/dora/cm.yaml"),
                        pushed,
                        true),
                repository,
                "urn:test");
        await().atMost(Duration.ofSeconds(20)).until(() -> recorded("push-" + app));

        RenderSucceeded render = new RenderSucceeded(
                app,
                repository,
                "refs/heads/main",
                commit,
                "apps/dora",
                "sha256:" + "4".repeat(64),
                List.of(),
                new Target("default", "dora", true, true, false, true),
                "push-" + app,
                pushed.plusSeconds(2),
                5);
        probe.send(
                new Envelope(
                        EventType.RENDER_SUCCEEDED,
                        "render-" + app,
                        app,
                        pushed.plusSeconds(2),
                        Map.of("commit", commit, "application", app)),
                render,
                app,
                "urn:test");

        // seen once, the application's series exist, empty: a dashboard has data before the first rollout ends
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(scraped("driftless_audit_healthy_lead_time_seconds_count"))
                    .containsEntry("", 0.0);
            assertThat(scraped("driftless_audit_healthy_lead_time_seconds_bucket"))
                    .containsEntry("+Inf", 0.0);
            assertThat(scraped("driftless_audit_lead_time_seconds_count")).containsEntry("", 0.0);
        });

        probe.send(
                new Envelope(
                        EventType.SYNC_SUCCEEDED,
                        "sync-" + app,
                        app,
                        pushed.plusSeconds(20),
                        Map.of("commit", commit, "application", app)),
                new SyncReport(
                        app,
                        commit,
                        render.digest(),
                        "Succeeded",
                        null,
                        null,
                        List.of(),
                        "render-" + app,
                        pushed.plusSeconds(3),
                        pushed.plusSeconds(20)),
                app,
                "urn:test");
        health("progressing-" + app, "Unknown", "Progressing", pushed.plusSeconds(21));
        health("healthy-" + app, "Progressing", "Healthy", pushed.plusSeconds(95));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(scraped("driftless_audit_healthy_lead_time_seconds_count"))
                    .containsEntry("", 1.0);
            assertThat(scraped("driftless_audit_healthy_lead_time_seconds_sum")).containsEntry("", 95.0);
        });
        assertThat(scraped("driftless_audit_lead_time_seconds_count")).containsEntry("", 1.0);
        assertThat(scraped("driftless_audit_lead_time_seconds_sum")).containsEntry("", 20.0);

        // the same event redelivered, a flap to Degraded and back, sync-service restarting: none is a new rollout
        health("healthy-" + app, "Progressing", "Healthy", pushed.plusSeconds(95));
        health("degraded-" + app, "Healthy", "Degraded", pushed.plusSeconds(200));
        health("healthy-again-" + app, "Degraded", "Healthy", pushed.plusSeconds(300));
        health("restarted-" + app, "Unknown", "Healthy", pushed.plusSeconds(400));
        // same key, same partition: once this one is in, every event before it has been handled
        health("last-" + app, "Healthy", "Progressing", pushed.plusSeconds(500));
        await().atMost(Duration.ofSeconds(20)).until(() -> recorded("last-" + app));

        // as Prometheus reads it: one sample of 95 s, in a bucket above Micrometer's default top of 30 s
        assertThat(scraped("driftless_audit_healthy_lead_time_seconds_count")).containsEntry("", 1.0);
        assertThat(scraped("driftless_audit_healthy_lead_time_seconds_sum")).containsEntry("", 95.0);
        Map<String, Double> buckets = scraped("driftless_audit_healthy_lead_time_seconds_bucket");
        assertThat(buckets).containsEntry("+Inf", 1.0);
        assertThat(counts(buckets, 95, true)).isNotEmpty().containsOnly(0.0);
        assertThat(counts(buckets, 95, false)).isNotEmpty().containsOnly(1.0);
        assertThat(largestBound(buckets)).isGreaterThan(3000);
        assertThat(buckets)
                .as("a dozen or so buckets per application, not a percentile histogram's seventy")
                .hasSizeLessThanOrEqualTo(17);
        assertThat(largestBound(scraped("driftless_audit_lead_time_seconds_bucket")))
                .isGreaterThan(3000);
        assertThat(scraped("driftless_audit_lead_time_seconds_sum")).containsEntry("", 20.0);

        JsonPath view = given().auth()
                .oauth2(READ)
                .get("/api/applications/" + app)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(view.getList("dora.leadTimesMs", Long.class)).containsExactly(20_000L);
        assertThat(view.getList("dora.healthyLeadTimesMs", Long.class)).containsExactly(95_000L);
    }
}
