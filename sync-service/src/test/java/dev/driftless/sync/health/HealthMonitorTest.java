package dev.driftless.sync.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.events.HealthChanged;
import dev.driftless.sync.SyncConfig;
import dev.driftless.sync.domain.Health;
import dev.driftless.sync.domain.ObjectRef;
import dev.driftless.sync.domain.Reason;
import dev.driftless.sync.drift.DriftWatcher;
import dev.driftless.sync.kube.Cluster;
import dev.driftless.sync.kube.ClusterFailure;
import dev.driftless.sync.kube.Clusters;
import dev.driftless.sync.messaging.SyncPublisher;
import dev.driftless.sync.metrics.ApplicationSeries;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The health a sync's application is first reported with is the health of what that sync applied, not of what a
 * watch saw before it.
 *
 * <p>A watch that has not yet delivered the apply's event cannot be produced on demand with the real API server (on
 * one machine its events arrive within milliseconds), so the watch here is a stand-in whose copy lags, and the API
 * server a stand-in that cannot be reached: a check that asks it reads Unknown, one that trusts the watch reads
 * what the watch holds.
 */
class HealthMonitorTest {

    private static final ObjectRef WEB = new ObjectRef("apps/v1", "Deployment", "shop", "web");

    private final List<HealthChanged> published = new CopyOnWriteArrayList<>();

    @Test
    void aWatchsCopyOlderThanTheAppliedGenerationIsNotTakenForTheApplicationsHealth() {
        // the watch still holds generation 1, rolled out and healthy; the sync just applied generation 2
        HealthMonitor monitor = monitor(rolledOut(1));
        monitor.follow("shop", "default", null, "c2", "d2", List.of(WEB), Map.of(WEB, 2L), 600);

        Health first = monitor.check("shop");

        assertThat(first.state()).isEqualTo(Health.State.Unknown);
        assertThat(first.reason()).contains("no API server here");
        assertThat(published).extracting(HealthChanged::current).doesNotContain("Healthy");
    }

    @Test
    void aWatchsCopyAtTheAppliedGenerationIsReadWithoutAskingTheApiServer() {
        HealthMonitor monitor = monitor(rolledOut(2));
        monitor.follow("shop", "default", null, "c2", "d2", List.of(WEB), Map.of(WEB, 2L), 600);

        assertThat(monitor.check("shop").state()).isEqualTo(Health.State.Healthy);
    }

    @Test
    void aKindThatKeepsNoGenerationOrAnUnknownAppliedOneCountsAsSeen() {
        Map<String, Object> configMap = Map.of("kind", "ConfigMap", "metadata", Map.of("name", "settings"));

        assertThat(HealthMonitor.seen(configMap, 3)).isTrue();
        assertThat(HealthMonitor.seen(rolledOut(1), 0)).isTrue();
        assertThat(HealthMonitor.seen(rolledOut(1), 2)).isFalse();
        assertThat(HealthMonitor.seen(rolledOut(3), 2)).isTrue();
    }

    /** A Deployment at this generation whose rollout of it is done. */
    private static Map<String, Object> rolledOut(long generation) {
        return Map.of(
                "apiVersion", "apps/v1",
                "kind", "Deployment",
                "metadata", Map.of("name", "web", "namespace", "shop", "generation", generation),
                "spec", Map.of("replicas", 1),
                "status",
                        Map.of(
                                "observedGeneration", generation,
                                "replicas", 1,
                                "updatedReplicas", 1,
                                "availableReplicas", 1));
    }

    private HealthMonitor monitor(Map<String, Object> watched) {
        HealthMonitor monitor = new HealthMonitor();
        monitor.config = new SmallRyeConfigBuilder()
                .withMapping(SyncConfig.class)
                // its defaults are written as Quarkus reads durations ("30s")
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .build()
                .getConfigMapping(SyncConfig.class);
        monitor.watch = new DriftWatcher() {
            @Override
            public Optional<Map<String, Object>> cached(String cluster, ObjectRef ref) {
                return ref.equals(WEB) ? Optional.of(watched) : Optional.empty();
            }
        };
        monitor.clusters = new Clusters() {
            @Override
            public Cluster named(String name) throws ClusterFailure {
                throw new ClusterFailure(Reason.ClusterUnreachable, "no API server here");
            }
        };
        monitor.publisher = new SyncPublisher() {
            @Override
            public void healthChanged(HealthChanged change) {
                published.add(change);
            }
        };
        monitor.series = new ApplicationSeries();
        return monitor;
    }
}
