package dev.driftless.sync.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.devstack.kube.SandboxKubernetes;
import dev.driftless.devstack.kube.SandboxTestResource;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Target;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults a real API server cannot be made to show on demand, on the sandbox (fabric8's mock server with our
 * server-side apply, the stand-in kept for fault injection): an apply answered 503 once is retried and the sync
 * succeeds. Everything else about syncing runs on the real control plane in {@link SyncPipelineIT}.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = SandboxTestResource.class, restrictToAnnotatedClass = true)
class SyncFaultsIT {

    static final Duration WAIT = Duration.ofSeconds(30);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    KubernetesClient cluster;

    EventProbe probe;
    String app;

    @BeforeEach
    void setUp() {
        probe = new EventProbe(bootstrap);
        app = "flaky-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void tearDown() {
        probe.close();
    }

    @Test
    void anApiServerThatFailsOnceIsRetriedAndTheSyncSucceeds() {
        Map<String, Object> flaky = new LinkedHashMap<>();
        flaky.put("apiVersion", "v1");
        flaky.put("kind", "ConfigMap");
        flaky.put(
                "metadata",
                Map.of(
                        "name",
                        "demo-config",
                        "annotations",
                        Map.of(SandboxKubernetes.FAIL_FIRST_APPLY_ANNOTATION, "503")));
        flaky.put("data", Map.of("message", "eventually"));

        SyncReport report = RenderDriver.syncThrough(
                probe, app, List.of(flaky), new Target("default", app, true, true, false, true), WAIT);

        assertThat(report.status()).isEqualTo("Succeeded");
        assertThat(report.resources()).singleElement().satisfies(r -> assertThat(r.action())
                .isEqualTo("created"));
        assertThat(cluster.configMaps().inNamespace(app).withName("demo-config").get())
                .isNotNull();
    }
}
