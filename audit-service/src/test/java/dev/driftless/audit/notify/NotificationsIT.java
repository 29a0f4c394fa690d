package dev.driftless.audit.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.audit.AuditDatabase;
import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.events.DriftDetected;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventType;
import dev.driftless.events.HealthChanged;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.SyncReport;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Notifications to a real local HTTP receiver ({@link WebhookReceiver}) from events on a real broker: each format,
 * routing by kind, one delivery per event even when its record comes twice, and retries until the receiver answers.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = AuditDatabase.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = WebhookReceiver.class, restrictToAnnotatedClass = true)
class NotificationsIT {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    EventProbe probe;
    String app;
    String commit;

    @BeforeEach
    void setUp() {
        probe = new EventProbe(bootstrap);
        app = "notify-" + UUID.randomUUID().toString().substring(0, 8);
        commit = UUID.randomUUID().toString().replace("-", "") + "01234567";
    }

    @AfterEach
    void tearDown() {
        probe.close();
    }

    String send(EventType type, Record data) {
        String id = UUID.randomUUID().toString();
        send(id, type, data);
        return id;
    }

    void send(String id, EventType type, Record data) {
        probe.send(
                new Envelope(type, id, app, Instant.now(), Map.of("application", app, "commit", commit)),
                data,
                app,
                "urn:driftless:sync-service");
    }

    static List<WebhookReceiver.Received> at(String path, String needle) {
        return WebhookReceiver.RECEIVED.stream()
                .filter(r -> r.path().equals(path) && r.body().contains(needle))
                .toList();
    }

    @Test
    void aFailedSyncReachesTheGenericEndpointOnceWithALinkToItsTrace() throws Exception {
        SyncReport failed = new SyncReport(
                app,
                commit,
                null,
                SyncReport.FAILED,
                "WaveNotHealthy",
                "wave 1 is Degraded",
                List.of(),
                "r",
                Instant.now(),
                Instant.now());
        String id = send(EventType.SYNC_FAILED, failed);
        send(id, EventType.SYNC_FAILED, failed); // the same event again, as a redelivery brings it

        await().atMost(WAIT).until(() -> !at("/generic", id).isEmpty());
        WebhookReceiver.Received received = at("/generic", id).get(0);
        JsonNode body = JSON.readTree(received.body());
        assertThat(body.path("kind").asText()).isEqualTo("sync-failed");
        assertThat(body.path("application").asText()).isEqualTo(app);
        assertThat(body.path("detail").asText()).isEqualTo("WaveNotHealthy: wave 1 is Degraded");
        assertThat(body.path("link").asText()).isEqualTo("https://driftless.example.com/console/#/commits/" + commit);
        assertThat(received.authorization()).isEqualTo("Bearer hook-secret");

        // a later event of the same application is the barrier: the redelivered one was handled before it
        String later =
                send(EventType.HEALTH_CHANGED, new HealthChanged(app, commit, "Progressing", "Healthy", Instant.now()));
        assertThat(later).isNotEmpty();
        String degraded =
                send(EventType.HEALTH_CHANGED, new HealthChanged(app, commit, "Healthy", "Degraded", Instant.now()));
        await().atMost(WAIT).until(() -> !at("/generic", degraded).isEmpty());
        assertThat(at("/generic", id)).as("one delivery per event").hasSize(1);
        assertThat(at("/slack", id))
                .as("the Slack endpoint hears of health only")
                .isEmpty();
        assertThat(WebhookReceiver.RECEIVED.stream().filter(r -> r.body().contains(later)))
                .as("Healthy is no news")
                .isEmpty();
    }

    @Test
    void healthGoesToSlackAndDriftToTeamsEachInItsFormat() throws Exception {
        send(EventType.HEALTH_CHANGED, new HealthChanged(app, commit, "Healthy", "Degraded", Instant.now()));
        await().atMost(WAIT).until(() -> !at("/slack", app).isEmpty());
        assertThat(JSON.readTree(at("/slack", app).get(0).body()).path("text").asText())
                .contains(app + " is Degraded")
                .contains("<https://driftless.example.com/console/#/commits/" + commit + "|Trace of the commit>");

        send(
                EventType.DRIFT_DETECTED,
                new DriftDetected(app, commit, List.of("ConfigMap/shop/settings"), Instant.now(), List.of(), true));
        await().atMost(WAIT).until(() -> !at("/teams", app).isEmpty());
        JsonNode card = JSON.readTree(at("/teams", app).get(0).body());
        assertThat(card.path("@type").asText()).isEqualTo("MessageCard");
        assertThat(card.path("text").asText()).isEqualTo("ConfigMap/shop/settings");
        assertThat(card.path("potentialAction")
                        .get(0)
                        .path("targets")
                        .get(0)
                        .path("uri")
                        .asText())
                .endsWith("#/commits/" + commit);
    }

    @Test
    void aDeliveryTheReceiverRefusesIsRetriedUntilItAnswers() {
        WebhookReceiver.FAIL_NEXT.set(3);
        String id = send(
                EventType.SYNC_FAILED,
                new SyncReport(
                        app,
                        commit,
                        null,
                        SyncReport.FAILED,
                        "Forbidden",
                        "no",
                        List.of(),
                        "r",
                        Instant.now(),
                        Instant.now()));

        await().atMost(WAIT).until(() -> !at("/generic", id).isEmpty());
        assertThat(WebhookReceiver.FAIL_NEXT.get())
                .as("three refusals before it")
                .isZero();
        assertThat(at("/generic", id)).hasSize(1);
    }

    RenderSucceeded render(String application, String at) {
        return new RenderSucceeded(
                application,
                "https://h/r",
                "refs/heads/main",
                at,
                "apps/x",
                "sha256:" + "0".repeat(64),
                List.of(),
                new dev.driftless.events.Target("default", application, true, true, true, true),
                "push",
                Instant.now(),
                1);
    }

    @Test
    void aCommitRenderedAndNotAppliedForTooLongIsToldOnceAndOneAppliedInTimeIsNot() {
        String applied = app + "-applied";
        String appliedCommit = UUID.randomUUID().toString().replace("-", "") + "01234567";
        probe.send(
                new Envelope(
                        EventType.RENDER_SUCCEEDED,
                        UUID.randomUUID().toString(),
                        applied,
                        Instant.now(),
                        Map.of("application", applied, "commit", appliedCommit)),
                render(applied, appliedCommit),
                applied,
                "urn:driftless:render-service");
        probe.send(
                new Envelope(
                        EventType.SYNC_SUCCEEDED,
                        UUID.randomUUID().toString(),
                        applied,
                        Instant.now(),
                        Map.of("application", applied, "commit", appliedCommit)),
                new SyncReport(
                        applied,
                        appliedCommit,
                        null,
                        SyncReport.SUCCEEDED,
                        null,
                        null,
                        List.of(),
                        "r",
                        Instant.now(),
                        Instant.now()),
                applied,
                "urn:driftless:sync-service");
        send(EventType.RENDER_SUCCEEDED, render(app, commit));

        await().atMost(WAIT).until(() -> !at("/generic", "\"kind\":\"out-of-sync\"").stream()
                .filter(r -> r.body().contains("\"application\":\"" + app + "\""))
                .toList()
                .isEmpty());
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(4))
                .until(() -> at("/generic", "\"kind\":\"out-of-sync\"").stream()
                                .filter(r -> r.body().contains("\"application\":\"" + app + "\""))
                                .count()
                        == 1);
        assertThat(at("/generic", "\"kind\":\"out-of-sync\""))
                .as("the application whose render was applied in time")
                .noneMatch(r -> r.body().contains("\"application\":\"" + applied + "\""));
    }
}
