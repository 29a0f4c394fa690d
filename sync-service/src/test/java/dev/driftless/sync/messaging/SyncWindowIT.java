package dev.driftless.sync.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.devstack.kube.ControlPlaneTestResource;
import dev.driftless.events.EventCodec;
import dev.driftless.events.ProjectRules;
import dev.driftless.events.SyncReport;
import dev.driftless.events.SyncWindow;
import dev.driftless.events.Target;
import dev.driftless.events.Topics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sync windows on the real control plane: a deny window open now holds a push's render (visible in the status) and
 * lets it through once it closes; one that allows manual syncs lets a person's sync through while it is open.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(ControlPlaneTestResource.class)
class SyncWindowIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    EventProbe probe;
    String app;

    @BeforeEach
    void setUp() {
        probe = new EventProbe(bootstrap);
        app = "window-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void tearDown() {
        probe.close();
    }

    static Target target(String namespace, SyncWindow window) {
        ProjectRules project = new ProjectRules("windowed", List.of(), List.of(), null, List.of(window));
        return new Target("default", namespace, true, true, false, true, null, null, null, project);
    }

    static List<Map<String, Object>> settings(String message) {
        return List.of(Map.of(
                "apiVersion",
                "v1",
                "kind",
                "ConfigMap",
                "metadata",
                Map.of("name", "settings"),
                "data",
                Map.of("message", message)));
    }

    SyncReport awaitReport(String commit) {
        await().atMost(WAIT).until(() -> !probe.readToEnd(
                        Topics.SYNCS,
                        r -> app.equals(r.key()) && commit.equals(r.ce("commit")) && RenderDriver.isReport(r))
                .isEmpty());
        return EventCodec.decode(
                SyncReport.class,
                probe.readToEnd(
                                Topics.SYNCS,
                                r -> app.equals(r.key()) && commit.equals(r.ce("commit")) && RenderDriver.isReport(r))
                        .get(0)
                        .value());
    }

    @Test
    void aDenyWindowHoldsAPushAndReleasesItWhenItCloses() {
        // a window that opened at the start of this minute and closes six seconds from now
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        ZonedDateTime opened = now.truncatedTo(ChronoUnit.MINUTES);
        Instant closes = now.toInstant().plusSeconds(6);
        long seconds = Duration.between(opened.toInstant(), closes).toSeconds() + 1;
        SyncWindow window = new SyncWindow(
                "deny", opened.getMinute() + " " + opened.getHour() + " * * *", seconds + "s", List.of(), false, null);

        String commit = RenderDriver.send(
                probe, app, settings("pushed"), target(app, window), Instant.now(), RenderDriver.RENDER_SERVICE, null);
        await().atMost(WAIT).untilAsserted(() -> ManualSyncIT.status(app)
                .then()
                .statusCode(200)
                .body("waiting.reason", org.hamcrest.Matchers.containsString("sync window: deny")));

        SyncReport report = awaitReport(commit);
        assertThat(report.status()).isEqualTo("Succeeded");
        assertThat(report.startedAt()).as("applied once the window closed").isAfter(closes.minusSeconds(1));
    }

    @Test
    void aWindowThatAllowsManualSyncsLetsAPersonThrough() {
        SyncWindow always = new SyncWindow("deny", "* * * * *", "1h", List.of(), true, null);
        String pushed = RenderDriver.send(
                probe, app, settings("pushed"), target(app, always), Instant.now(), RenderDriver.RENDER_SERVICE, null);
        String asked = RenderDriver.send(
                probe,
                app,
                settings("asked"),
                target(app, always),
                Instant.now(),
                RenderDriver.RENDER_SERVICE,
                "alice");

        assertThat(awaitReport(asked).status()).isEqualTo("Succeeded");
        assertThat(probe.readToEnd(
                        Topics.SYNCS,
                        r -> app.equals(r.key()) && pushed.equals(r.ce("commit")) && RenderDriver.isReport(r)))
                .as("the push's render still waits for the window")
                .isEmpty();
    }
}
