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
}
