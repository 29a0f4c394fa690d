package dev.driftless.sync.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventCodec;
import dev.driftless.events.EventType;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Target;
import dev.driftless.events.Topics;
import dev.driftless.sync.K3sTestResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
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

    SyncReport sync(EventProbe probe, String app, List<Map<String, Object>> manifests) {
        String commit = UUID.randomUUID().toString().replace("-", "") + "01234567";
        RenderSucceeded render = new RenderSucceeded(
                app,
                "https://h/r",
                "refs/heads/main",
                commit,
                "apps/x",
                "sha256:" + "5".repeat(64),
                manifests,
                new Target("default", app, true, true, false, true),
                "push",
                Instant.now(),
                1);
        probe.send(
                new Envelope(
                        EventType.RENDER_SUCCEEDED,
                        UUID.randomUUID().toString(),
                        app,
                        Instant.now(),
                        Map.of("commit", commit)),
                render,
                app,
                "urn:test");
        List<EventProbe.Received> found = probe.read(
                Topics.SYNCS, r -> app.equals(r.key()) && commit.equals(r.ce("commit")), 1, Duration.ofSeconds(60));
        assertThat(found).hasSize(1);
        return EventCodec.decode(SyncReport.class, found.get(0).value());
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
