package dev.driftless.sync.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.devstack.kube.ControlPlaneTestResource;
import dev.driftless.events.Target;
import dev.driftless.events.Topics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * An application whose sync runs when its partition of {@code driftless.renders} moves to another replica is let go
 * after that sync, not before it: a release first and the sync after it had this replica follow, report and count the
 * application for ever beside its new owner. Its own broker and service (resources restricted to this class): the
 * sync it leaves behind holds its partition's committed offset until it ends, which would redeliver other tests'
 * records.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = ControlPlaneTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ReleaseAfterSyncIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.cluster.admin-kubeconfig", defaultValue = "unset: only with the control plane")
    Path adminKubeconfig;

    /**
     * A sync still running when its application's partition moves away ends, and only then is the application let go:
     * the sync's report is published, and this replica does not follow or answer for the application after it (it
     * did, for ever, when the release ran at once and the sync after it). A render of it queued behind that sync is
     * not synced here: the partition's new owner has it.
     */
    @Test
    void anApplicationWhoseSyncRunsWhenItsPartitionMovesIsLetGoAfterTheSync() throws Exception {
        String slow = OwnershipIT.onPartitionZero("slow-");
        try (EventProbe probe = new EventProbe(bootstrap);
                KubernetesClient admin = dev.driftless.devstack.kube.ControlPlaneTestResource.client(adminKubeconfig)) {
            // its first wave never becomes healthy: the sync holds its lane until the 15 s progress deadline
            String commit = SyncPipelineIT.sendHeldByItsFirstWave(probe, admin, slow, 15);
            // a newer render, taken while the sync runs: it waits in the application's lane behind it
            String queued = RenderDriver.send(
                    probe,
                    slow,
                    List.of(SyncPipelineIT.configMap("queued")),
                    new Target("default", slow, true, true, false, true),
                    java.time.Instant.now());

            try (OwnershipIT.OtherReplica other = new OwnershipIT.OtherReplica(bootstrap)) {
                await().atMost(WAIT)
                        .alias("the other member holds partition 0")
                        .until(() -> other.assigned.get().contains(new TopicPartition(Topics.RENDERS, 0)));
                assertThat(reports(probe, slow, commit))
                        .as("the sync of " + slow + " still runs when its partition has moved")
                        .isEmpty();
                await().atMost(WAIT)
                        .alias("the sync of " + slow + " that was running ended with its report")
                        .until(() -> !reports(probe, slow, commit).isEmpty());
                await().atMost(Duration.ofSeconds(20))
                        .alias("this replica let go of " + slow + " after its sync")
                        .untilAsserted(() -> given().auth()
                                .oauth2("test-token-0123456789")
                                .get("/api/applications/{name}/status", slow)
                                .then()
                                .statusCode(404));
                assertThat(reports(probe, slow, queued))
                        .as("the render queued behind the sync is left to the replica that owns its partition now")
                        .isEmpty();
            }
        }
    }

    private static List<EventProbe.Received> reports(EventProbe probe, String application, String commit) {
        return probe.readToEnd(
                Topics.SYNCS,
                r -> application.equals(r.key()) && commit.equals(r.ce("commit")) && RenderDriver.isReport(r));
    }
}
