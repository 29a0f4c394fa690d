package dev.driftless.sync.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.devstack.kube.ControlPlaneTestResource;
import dev.driftless.events.EventCodec;
import dev.driftless.events.ResyncRequested;
import dev.driftless.events.Target;
import dev.driftless.events.Topics;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * What sync-service follows moves with the partitions of {@code driftless.renders}, as it does between replicas: a
 * second member joins sync-service's consumer group (here a plain consumer standing in for another replica, which is
 * all a replica is to the group) and takes partition 0, and this replica lets go of the applications of that partition
 * (with nothing of theirs queued, at once); when the member leaves, this replica owns them again and asks for a resync of each one with an inventory in
 * the cluster that it does not follow, its own former ones and one another replica applied alike.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(ControlPlaneTestResource.class)
class OwnershipIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.cluster.admin-kubeconfig", defaultValue = "unset: only with the control plane")
    Path adminKubeconfig;

    @Test
    void applicationsOfAPartitionThatMovesAwayAreLetGoAndWhenItComesBackTheyAreResynced() throws Exception {
        String ours = onPartitionZero("owned-");
        String elsewhere = onPartitionZero("elsewhere-");
        String waiting = onPartitionZero("waiting-");
        try (EventProbe probe = new EventProbe(bootstrap);
                KubernetesClient admin = dev.driftless.devstack.kube.ControlPlaneTestResource.client(adminKubeconfig)) {
            Map<String, Object> configMap =
                    Map.of("apiVersion", "v1", "kind", "ConfigMap", "metadata", Map.of("name", "settings"));
            assertThat(RenderDriver.syncThrough(
                                    probe,
                                    ours,
                                    List.of(configMap),
                                    new Target("default", ours, true, true, false, true),
                                    WAIT)
                            .status())
                    .isEqualTo("Succeeded");
            given().auth()
                    .oauth2("test-token-0123456789")
                    .get("/api/applications/{name}/status", ours)
                    .then()
                    .statusCode(200);
            // an application whose first render waits (for a sync by hand): nothing of it is in the cluster yet, and
            // what waits is in this replica's memory only
            RenderDriver.send(
                    probe,
                    waiting,
                    List.of(configMap),
                    new Target(
                            "default", waiting, true, true, false, true, null, null, null, null, null, null, false,
                            false),
                    java.time.Instant.now());
            await().atMost(WAIT).untilAsserted(() -> given().auth()
                    .oauth2("test-token-0123456789")
                    .get("/api/applications/{name}/status", waiting)
                    .then()
                    .statusCode(200)
                    .body("waiting.reason", org.hamcrest.Matchers.equalTo("a sync by hand")));
            // an application another replica applied: its inventory is in the cluster, this replica never synced it
            admin.resource(new ConfigMapBuilder()
                            .withNewMetadata()
                            .withName("driftless-inventory-" + elsewhere)
                            .withNamespace("driftless-system")
                            .addToLabels("app.kubernetes.io/managed-by", "driftless")
                            .addToLabels("driftless.dev/application", elsewhere)
                            .endMetadata()
                            .addToData("objects", "[]")
                            .build())
                    .serverSideApply();

            try (OtherReplica other = new OtherReplica(bootstrap)) {
                await().atMost(WAIT)
                        .alias("the other member holds partition 0")
                        .until(() -> other.assigned.get().contains(new TopicPartition(Topics.RENDERS, 0)));
                for (String application : List.of(ours, waiting)) {
                    await().atMost(WAIT)
                            .alias("this replica let go of " + application)
                            .untilAsserted(() -> given().auth()
                                    .oauth2("test-token-0123456789")
                                    .get("/api/applications/{name}/status", application)
                                    .then()
                                    .statusCode(404));
                }
            }

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(probe
                                    .readToEnd(Topics.COMMANDS, r -> Set.of(ours, elsewhere, waiting)
                                            .contains(r.key()))
                                    .stream()
                                    .map(r -> EventCodec.decode(ResyncRequested.class, r.value()))
                                    .filter(resync -> "sync-service".equals(resync.actor()))
                                    .map(ResyncRequested::application))
                            .as("resyncs asked for by sync-service")
                            .contains(ours, elsewhere, waiting));
        }
    }

    /** An application name whose records fall in partition 0 of the three of driftless.renders. */
    static String onPartitionZero(String prefix) {
        return onPartition(prefix, 0);
    }

    /** An application name whose records fall in that partition of the three of driftless.renders. */
    static String onPartition(String prefix, int partition) {
        while (true) {
            String name = prefix + UUID.randomUUID().toString().substring(0, 8);
            if (Utils.toPositive(Utils.murmur2(name.getBytes(StandardCharsets.UTF_8))) % 3 == partition) {
                return name;
            }
        }
    }

    /**
     * A member of sync-service's consumer group that takes partition 0: the range assignor gives the first partitions to
     * the members whose ids sort first, and this client id sorts before the service's. It commits nothing.
     */
    static final class OtherReplica implements AutoCloseable {
        final AtomicReference<Set<TopicPartition>> assigned = new AtomicReference<>(Set.of());
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;

        OtherReplica(String bootstrap) {
            thread = new Thread(() -> {
                try (var consumer = new KafkaConsumer<String, String>(Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "sync-service",
                        ConsumerConfig.CLIENT_ID_CONFIG,
                        "0-another-replica",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false,
                        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                        StringDeserializer.class,
                        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                        StringDeserializer.class))) {
                    consumer.subscribe(List.of(Topics.RENDERS), new ConsumerRebalanceListener() {
                        @Override
                        public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
                            assigned.set(Set.copyOf(partitions));
                        }

                        @Override
                        public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {
                            assigned.set(Set.of());
                        }
                    });
                    while (running.get()) {
                        consumer.poll(Duration.ofMillis(100));
                    }
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }
    }
}
