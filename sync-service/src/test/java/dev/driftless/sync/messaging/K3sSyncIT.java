package dev.driftless.sync.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Target;
import dev.driftless.sync.K3sTestResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The same flow as {@link SyncPipelineIT} against a real API server (K3s via Testcontainers): server-side apply,
 * inventory and prune. Runs where a Docker engine answers and is skipped, with that reason, everywhere else.
 */
@QuarkusTest
@EnabledIf(
        value = "dev.driftless.sync.K3sTestResource#dockerAvailable",
        disabledReason = "no Docker engine: K3s cannot run here; SyncPipelineIT covers this flow on the sandbox API")
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = K3sTestResource.class, restrictToAnnotatedClass = true)
class K3sSyncIT {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    KubernetesClient cluster;

    static SyncReport sync(EventProbe probe, String app, List<Map<String, Object>> manifests) {
        return RenderDriver.syncThrough(
                probe, app, manifests, new Target("default", app, true, true, false, true), Duration.ofSeconds(60));
    }

    @Test
    void aRenderIsAppliedToARealApiServerAndWhatLeavesGitIsPruned() {
        String app = "k3s-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> config = Map.of(
                "apiVersion",
                "v1",
                "kind",
                "ConfigMap",
                "metadata",
                Map.of("name", "demo-config"),
                "data",
                Map.of("message", "hi"));
        Map<String, Object> service = Map.of(
                "apiVersion",
                "v1",
                "kind",
                "Service",
                "metadata",
                Map.of("name", "web"),
                "spec",
                Map.of("ports", List.of(Map.of("port", 80))));
        try (EventProbe probe = new EventProbe(bootstrap)) {
            assertThat(sync(probe, app, List.of(config, service)).status()).isEqualTo("Succeeded");
            assertThat(cluster.configMaps()
                            .inNamespace(app)
                            .withName("demo-config")
                            .get()
                            .getData())
                    .containsEntry("message", "hi");

            SyncReport pruned = sync(probe, app, List.of(config));

            assertThat(pruned.status()).isEqualTo("Succeeded");
            assertThat(pruned.resources())
                    .anySatisfy(r -> assertThat(r.action()).isEqualTo("pruned"));
            assertThat(cluster.services().inNamespace(app).withName("web").get())
                    .isNull();
        }
    }

    @Test
    void healthAndDriftOnARealApiServer() {
        String app = "k3s-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> job = Map.of(
                "apiVersion",
                "batch/v1",
                "kind",
                "Job",
                "metadata",
                Map.of("name", "hello"),
                "spec",
                Map.of(
                        "backoffLimit",
                        0,
                        "template",
                        Map.of(
                                "spec",
                                Map.of(
                                        "restartPolicy",
                                        "Never",
                                        "containers",
                                        List.of(Map.of(
                                                "name",
                                                "hello",
                                                "image",
                                                "busybox:1.36",
                                                "command",
                                                List.of("true")))))));
        Map<String, Object> config = Map.of(
                "apiVersion",
                "v1",
                "kind",
                "ConfigMap",
                "metadata",
                Map.of("name", "settings"),
                "data",
                Map.of("a", "b"));
        try (EventProbe probe = new EventProbe(bootstrap)) {
            assertThat(sync(probe, app, List.of(config, job)).status()).isEqualTo("Succeeded");

            // K3s's controllers run the Job: the application becomes Healthy, and says so
            org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(3)).untilAsserted(() -> assertThat(
                            probe.readToEnd(
                                    dev.driftless.events.Topics.SYNCS,
                                    r -> app.equals(r.key())
                                            && dev.driftless.events.EventType.HEALTH_CHANGED
                                                    .type()
                                                    .equals(r.ce("type"))))
                    .extracting(r -> dev.driftless.events.EventCodec.decode(
                                    dev.driftless.events.HealthChanged.class, r.value())
                            .current())
                    .contains("Healthy"));

            // someone edits a managed object: drift is seen through the real watch and healed
            cluster.configMaps().inNamespace(app).withName("settings").edit(cm -> {
                cm.getData().put("a", "edited");
                return cm;
            });
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                            cluster.configMaps()
                                    .inNamespace(app)
                                    .withName("settings")
                                    .get()
                                    .getData())
                    .containsEntry("a", "b"));
            assertThat(probe.readToEnd(
                            dev.driftless.events.Topics.SYNCS,
                            r -> app.equals(r.key())
                                    && dev.driftless.events.EventType.DRIFT_DETECTED
                                            .type()
                                            .equals(r.ce("type"))))
                    .isNotEmpty();
        }
    }
}
