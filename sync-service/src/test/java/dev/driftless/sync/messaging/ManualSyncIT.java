package dev.driftless.sync.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.devstack.kube.ControlPlaneTestResource;
import dev.driftless.events.DriftDetected;
import dev.driftless.events.EventCodec;
import dev.driftless.events.EventType;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Target;
import dev.driftless.events.Topics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
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
 * Applications synced by hand ({@code syncPolicy.automated: false}) and suspended ones ({@code spec.suspend}), on the
 * real control plane. The renders of one application are synced in the order they arrive, so a render sent after
 * another is the barrier that shows the earlier one was passed over.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(ControlPlaneTestResource.class)
class ManualSyncIT {

    static final Duration WAIT = Duration.ofSeconds(30);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.cluster.admin-kubeconfig", defaultValue = "unset: only with the control plane")
    Path adminKubeconfig;

    KubernetesClient cluster;
    EventProbe probe;
    String app;

    @BeforeEach
    void setUp() throws java.io.IOException {
        probe = new EventProbe(bootstrap);
        app = "manual-" + UUID.randomUUID().toString().substring(0, 8);
        cluster = dev.driftless.devstack.kube.ControlPlaneTestResource.client(adminKubeconfig);
    }

    @AfterEach
    void tearDown() {
        probe.close();
        cluster.close();
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

    static Target target(String namespace, boolean automated, boolean suspended) {
        return new Target(
                "default", namespace, true, true, false, true, null, null, null, null, null, null, automated,
                suspended);
    }

    List<SyncReport> reports(String application, String commit) {
        return probe
                .readToEnd(
                        Topics.SYNCS,
                        r -> application.equals(r.key()) && commit.equals(r.ce("commit")) && RenderDriver.isReport(r))
                .stream()
                .map(r -> EventCodec.decode(SyncReport.class, r.value()))
                .toList();
    }

    List<DriftDetected> drifts(String application) {
        return probe
                .readToEnd(
                        Topics.SYNCS,
                        r -> application.equals(r.key())
                                && EventType.DRIFT_DETECTED.type().equals(r.ce("type")))
                .stream()
                .map(r -> EventCodec.decode(DriftDetected.class, r.value()))
                .toList();
    }

    static io.restassured.response.Response status(String application) {
        return io.restassured.RestAssured.given()
                .auth()
                .oauth2("test-token-0123456789")
                .get("/api/applications/{name}/status", application);
    }

    String message(String namespace) {
        return cluster.configMaps()
                .inNamespace(namespace)
                .withName("settings")
                .get()
                .getData()
                .get("message");
    }

    SyncReport awaitReport(String application, String commit) {
        await().atMost(WAIT).until(() -> !reports(application, commit).isEmpty());
        return reports(application, commit).get(0);
    }

    @Test
    void anApplicationSyncedByHandAppliesOnlyWhatAPersonAsksForAndReportsDriftWithoutHealingIt() {
        Target manual = target(app, false, false);
        String pushed = RenderDriver.send(
                probe, app, settings("pushed"), manual, Instant.now(), RenderDriver.RENDER_SERVICE, null);
        await().atMost(WAIT).untilAsserted(() -> status(app)
                .then()
                .statusCode(200)
                .body("waiting.commit", org.hamcrest.Matchers.equalTo(pushed)));
        String asked = RenderDriver.send(
                probe, app, settings("asked"), manual, Instant.now(), RenderDriver.RENDER_SERVICE, "alice");

        assertThat(awaitReport(app, asked).status()).isEqualTo("Succeeded");
        assertThat(reports(app, pushed))
                .as("the push's render waited, and was not applied")
                .isEmpty();
        assertThat(message(app)).isEqualTo("asked");
        status(app).then().statusCode(200).body("waiting", org.hamcrest.Matchers.nullValue());

        cluster.configMaps().inNamespace(app).withName("settings").edit(cm -> {
            cm.getData().put("message", "by hand");
            return cm;
        });
        await().atMost(WAIT).until(() -> !drifts(app).isEmpty());
        assertThat(drifts(app)).allSatisfy(drift -> assertThat(drift.healing()).isFalse());
        assertThat(message(app)).as("reported, not healed").isEqualTo("by hand");
    }

    @Test
    void aSuspendedApplicationIsNeitherAppliedNorHealed() {
        String control = app + "-control";
        assertThat(awaitReport(
                                app,
                                RenderDriver.send(
                                        probe,
                                        app,
                                        settings("before"),
                                        target(app, true, false),
                                        Instant.now(),
                                        RenderDriver.RENDER_SERVICE,
                                        null))
                        .status())
                .isEqualTo("Succeeded");
        String whileSuspended = RenderDriver.send(
                probe,
                app,
                settings("while suspended"),
                target(app, true, true),
                Instant.now(),
                RenderDriver.RENDER_SERVICE,
                null);
        await().atMost(WAIT)
                .alias("sync-service let go of the suspended application")
                .untilAsserted(() -> status(app).then().statusCode(404));
        assertThat(awaitReport(
                                control,
                                RenderDriver.send(
                                        probe,
                                        control,
                                        settings("control"),
                                        target(control, true, false),
                                        Instant.now(),
                                        RenderDriver.RENDER_SERVICE,
                                        null))
                        .status())
                .isEqualTo("Succeeded");

        cluster.configMaps().inNamespace(app).withName("settings").edit(cm -> {
            cm.getData().put("message", "by hand");
            return cm;
        });
        // drift comparisons run one at a time in the order they were scheduled: once the control application's drift
        // (changed after) is reported and healed, the suspended one's would have been too
        cluster.configMaps().inNamespace(control).withName("settings").edit(cm -> {
            cm.getData().put("message", "by hand");
            return cm;
        });
        await().atMost(WAIT).until(() -> "control".equals(message(control)));

        assertThat(reports(app, whileSuspended)).isEmpty();
        assertThat(drifts(app)).as("a suspended application is not followed").isEmpty();
        assertThat(message(app)).isEqualTo("by hand");
    }
}
