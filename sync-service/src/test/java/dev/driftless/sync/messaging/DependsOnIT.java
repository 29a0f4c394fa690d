package dev.driftless.sync.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.devstack.kube.ControlPlaneTestResource;
import dev.driftless.events.EventCodec;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Target;
import dev.driftless.events.Topics;
import io.quarkus.test.common.WithTestResource;
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
 * {@code spec.dependsOn} on the real control plane: a chain database ← backend ← frontend whose renders arrive in the
 * wrong order syncs in the right one, each application only once the one before is Healthy (the database's Deployment
 * becomes available a few seconds after it is applied, as the simulated kubelet is asked to).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(ControlPlaneTestResource.class)
class DependsOnIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    EventProbe probe;
    String prefix;

    @BeforeEach
    void setUp() {
        probe = new EventProbe(bootstrap);
        prefix = "chain-" + UUID.randomUUID().toString().substring(0, 6);
    }

    @AfterEach
    void tearDown() {
        probe.close();
    }

    static Target target(String namespace, List<String> dependsOn) {
        return new Target(
                "default", namespace, true, true, false, true, 60, null, null, null, null, null, true, false,
                dependsOn);
    }

    static Map<String, Object> configMap(String name) {
        return Map.of("apiVersion", "v1", "kind", "ConfigMap", "metadata", Map.of("name", name), "data", Map.of());
    }

    /** A Deployment whose Pods become ready three seconds after they are created. */
    static final Map<String, Object> SLOW_DATABASE = Map.of(
            "apiVersion",
            "apps/v1",
            "kind",
            "Deployment",
            "metadata",
            Map.of("name", "db"),
            "spec",
            Map.of(
                    "replicas",
                    1,
                    "selector",
                    Map.of("matchLabels", Map.of("app", "db")),
                    "template",
                    Map.of(
                            "metadata",
                            Map.of(
                                    "labels",
                                    Map.of("app", "db"),
                                    "annotations",
                                    Map.of("sandbox.driftless.dev/simulate-delay", "3s")),
                            "spec",
                            Map.of("containers", List.of(Map.of("name", "db", "image", "postgres:16"))))));

    SyncReport report(String application, String commit) {
        await().atMost(WAIT).until(() -> !probe.readToEnd(
                        Topics.SYNCS,
                        r -> application.equals(r.key()) && commit.equals(r.ce("commit")) && RenderDriver.isReport(r))
                .isEmpty());
        return EventCodec.decode(
                SyncReport.class,
                probe.readToEnd(
                                Topics.SYNCS,
                                r -> application.equals(r.key())
                                        && commit.equals(r.ce("commit"))
                                        && RenderDriver.isReport(r))
                        .get(0)
                        .value());
    }

    @Test
    void aChainSyncsInOrderEachOnceTheOneBeforeIsHealthy() {
        String database = prefix + "-database";
        String backend = prefix + "-backend";
        String frontend = prefix + "-frontend";
        String frontendCommit = RenderDriver.send(
                probe,
                frontend,
                List.of(configMap("frontend")),
                target(frontend, List.of(backend, database)),
                Instant.now(),
                RenderDriver.RENDER_SERVICE,
                null);
        String backendCommit = RenderDriver.send(
                probe,
                backend,
                List.of(configMap("backend")),
                target(backend, List.of(database)),
                Instant.now(),
                RenderDriver.RENDER_SERVICE,
                null);
        await().atMost(WAIT).untilAsserted(() -> ManualSyncIT.status(frontend)
                .then()
                .statusCode(200)
                .body("waiting.reason", org.hamcrest.Matchers.containsString("waits for " + backend)));
        String databaseCommit = RenderDriver.send(
                probe,
                database,
                List.of(SLOW_DATABASE),
                target(database, List.of()),
                Instant.now(),
                RenderDriver.RENDER_SERVICE,
                null);

        SyncReport first = report(database, databaseCommit);
        SyncReport second = report(backend, backendCommit);
        SyncReport third = report(frontend, frontendCommit);
        assertThat(List.of(first, second, third))
                .allSatisfy(r -> assertThat(r.status()).isEqualTo("Succeeded"));
        assertThat(second.startedAt())
                .as("the backend waited for the database's Deployment to be available (3 s after it was applied)")
                .isAfter(first.finishedAt().plusSeconds(2));
        assertThat(third.startedAt()).isAfter(second.finishedAt());
    }
}
