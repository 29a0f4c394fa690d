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

    /** What the stand-in watch holds of {@link #WEB} now ({@code null}: {@link #monitor}'s argument). */
    private volatile Map<String, Object> watched;

    /** How often the stand-in watch's copy was read. */
    private final java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();

    /** Whom the stand-in watch tells of changes. */
    private volatile java.util.function.Consumer<String> touchedListener;

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

    @Test
    void aProgressingApplicationAWatchFollowsIsReadAgainWhenTheWatchTellsAChangeNotAtEveryPoll() {
        // generation 2 applied, its rollout not observed yet
        watched = rollingOut(2);
        HealthMonitor monitor = monitor(null);
        monitor.listen();
        monitor.follow("shop", "default", null, "c2", "d2", List.of(WEB), Map.of(WEB, 2L), 600);
        org.awaitility.Awaitility.await()
                .until(() ->
                        monitor.status("shop").map(s -> s.checkedAt() != null).orElse(false));
        assertThat(monitor.status("shop").orElseThrow().health().state()).isEqualTo(Health.State.Progressing);
        int afterFirstCheck = reads.get();

        monitor.poll();
        monitor.poll();
        monitor.poll();
        assertThat(reads.get()).as("reads while nothing changed").isEqualTo(afterFirstCheck);

        // the controller finishes the rollout: the watch's copy changes and it says so
        watched = rolledOut(2);
        touchedListener.accept("shop");
        monitor.poll();

        assertThat(monitor.status("shop").orElseThrow().health().state()).isEqualTo(Health.State.Healthy);
        assertThat(published).extracting(HealthChanged::current).containsExactly("Progressing", "Healthy");
    }

    @Test
    void aProgressingApplicationAWatchFollowsIsDegradedOnceItsDeadlinePassesThoughNothingChanged() {
        watched = rollingOut(2);
        HealthMonitor monitor = monitor(null);
        monitor.follow("shop", "default", null, "c2", "d2", List.of(WEB), Map.of(WEB, 2L), 1);
        org.awaitility.Awaitility.await()
                .until(() ->
                        monitor.status("shop").map(s -> s.checkedAt() != null).orElse(false));

        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> {
                    monitor.poll();
                    assertThat(monitor.status("shop").orElseThrow().health().state())
                            .isEqualTo(Health.State.Degraded);
                });
    }

    /** A Deployment at this generation whose controller has not observed it yet. */
    private static Map<String, Object> rollingOut(long generation) {
        return Map.of(
                "apiVersion", "apps/v1",
                "kind", "Deployment",
                "metadata", Map.of("name", "web", "namespace", "shop", "generation", generation),
                "spec", Map.of("replicas", 1),
                "status",
                        Map.of(
                                "observedGeneration", generation - 1,
                                "replicas", 1,
                                "updatedReplicas", 0,
                                "availableReplicas", 1));
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

    private HealthMonitor monitor(Map<String, Object> fixed) {
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
                reads.incrementAndGet();
                return ref.equals(WEB) ? Optional.of(fixed == null ? watched : fixed) : Optional.empty();
            }

            @Override
            public void onTouched(java.util.function.Consumer<String> listener) {
                touchedListener = listener;
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
