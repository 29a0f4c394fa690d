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
import dev.driftless.sync.messaging.SyncPublisher;
import dev.driftless.sync.metrics.ApplicationSeries;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * What the health monitor reads, and when: the health a sync's application is first reported with is the health of
 * what that sync applied, not of what a watch saw before it; a rollout a watch follows is read when the watch tells a
 * change, not at every poll.
 *
 * <p>A watch that has not yet delivered the apply's event cannot be produced on demand with the real API server (on
 * one machine its events arrive within milliseconds), so the watch here is a stand-in whose copy is set by each test,
 * and so is the API server's answer ({@code null}: it cannot be reached, and a check that asks it reads Unknown).
 */
class HealthMonitorTest {

    private static final ObjectRef WEB = new ObjectRef("apps/v1", "Deployment", "shop", "web");

    private static final String UID = "6f1d3c2e-web";

    private final List<HealthChanged> published = new CopyOnWriteArrayList<>();

    /** What the stand-in watch holds of {@link #WEB} now. */
    private volatile Map<String, Object> watched;

    /** Whether the stand-in watch runs now: a broken one, like the real one, gives no copy until it is back. */
    private volatile boolean watching = true;

    /** What the stand-in API server answers for {@link #WEB} now ({@code null}: it cannot be reached). */
    private volatile Map<String, Object> live;

    /** How often the stand-in watch's copy and the stand-in API server were read. */
    private final AtomicInteger watchReads = new AtomicInteger();

    private final AtomicInteger apiReads = new AtomicInteger();

    /** {@code driftless.sync.health.recheck-interval} of the monitor made next ({@code null}: its default). */
    private String recheckInterval;

    /** Whom the stand-in watch tells of changes. */
    private volatile Consumer<String> touchedListener;

    @Test
    void aWatchsCopyOlderThanTheAppliedGenerationIsNotTakenForTheApplicationsHealth() {
        // the watch still holds generation 1, rolled out and healthy; the sync just applied generation 2
        watched = rolledOut(1, UID);
        HealthMonitor monitor = monitor();
        monitor.follow("shop", "default", null, "c2", "d2", List.of(WEB), applied(2, UID), 600);

        Health first = monitor.check("shop");

        assertThat(first.state()).isEqualTo(Health.State.Unknown);
        assertThat(first.reason()).contains("no API server here");
        assertThat(published).extracting(HealthChanged::current).doesNotContain("Healthy");
    }

    @Test
    void aWatchsCopyAtTheAppliedGenerationIsReadWithoutAskingTheApiServer() {
        watched = rolledOut(2, UID);
        HealthMonitor monitor = monitor();
        monitor.follow("shop", "default", null, "c2", "d2", List.of(WEB), applied(2, UID), 600);

        assertThat(monitor.check("shop").state()).isEqualTo(Health.State.Healthy);
        assertThat(apiReads.get()).isZero();
    }

    @Test
    void untilTheWatchCatchesUpTheApiServerIsReadAtEveryPollAndThenNoLonger() {
        watched = rolledOut(1, UID);
        live = rollingOut(2, UID);
        HealthMonitor monitor = followedAndChecked(applied(2, UID), 600);
        assertThat(monitor.status("shop").orElseThrow().health().state()).isEqualTo(Health.State.Progressing);
        int asked = apiReads.get();

        // no watch tells this application's progress yet: every poll asks the API server
        monitor.poll();
        monitor.poll();
        assertThat(apiReads.get()).isEqualTo(asked + 2);

        // the watch has the applied generation now: read from it, and the API server no longer asked
        watched = rollingOut(2, UID);
        monitor.poll();
        monitor.poll();
        monitor.poll();
        assertThat(apiReads.get()).isEqualTo(asked + 2);
        assertThat(monitor.status("shop").orElseThrow().health().state()).isEqualTo(Health.State.Progressing);
    }

    @Test
    void anObjectRecreatedSinceTheSyncIsReadFromTheWatchOnceTheApiServerShowedIt() {
        // the sync applied generation 5; the object was deleted and created again since (self-heal): a new uid, at 1
        watched = rolledOut(1, "9a8b7c-recreated");
        live = rolledOut(1, "9a8b7c-recreated");
        HealthMonitor monitor = followedAndChecked(applied(5, UID), 600);
        assertThat(monitor.status("shop").orElseThrow().health().state()).isEqualTo(Health.State.Healthy);
        int asked = apiReads.get();
        assertThat(asked).isPositive();

        touchedListener.accept("shop");
        monitor.poll();

        assertThat(apiReads.get())
                .as("reads of the API server after it showed the new object")
                .isEqualTo(asked);
    }

    @Test
    void aProgressingApplicationAWatchFollowsIsReadAgainWhenTheWatchTellsAChangeNotAtEveryPoll() {
        // generation 2 applied, its rollout not observed yet
        watched = rollingOut(2, UID);
        HealthMonitor monitor = followedAndChecked(applied(2, UID), 600);
        assertThat(monitor.status("shop").orElseThrow().health().state()).isEqualTo(Health.State.Progressing);
        int afterFirstCheck = watchReads.get();

        monitor.poll();
        monitor.poll();
        monitor.poll();
        assertThat(watchReads.get()).as("reads while nothing changed").isEqualTo(afterFirstCheck);

        // the controller finishes the rollout: the watch's copy changes and it says so
        watched = rolledOut(2, UID);
        touchedListener.accept("shop");
        monitor.poll();

        assertThat(monitor.status("shop").orElseThrow().health().state()).isEqualTo(Health.State.Healthy);
        assertThat(published).extracting(HealthChanged::current).containsExactly("Progressing", "Healthy");
        assertThat(apiReads.get()).isZero();
    }

    @Test
    void aProgressingApplicationWhoseWatchBrokeIsReadFromTheApiServerAtTheNextPoll() {
        watched = rollingOut(2, UID);
        HealthMonitor monitor = followedAndChecked(applied(2, UID), 600);
        assertThat(monitor.status("shop").orElseThrow().health().state()).isEqualTo(Health.State.Progressing);

        // the watch breaks (its connection lost, or its right to watch): the rollout's end would not be told
        watching = false;
        live = rolledOut(2, UID);
        monitor.poll();

        assertThat(monitor.status("shop").orElseThrow().health().state()).isEqualTo(Health.State.Healthy);
        assertThat(apiReads.get()).isEqualTo(1);
    }

    @Test
    void aProgressingApplicationAWatchFollowsIsDegradedOnceItsDeadlinePassesThoughNothingChanged() {
        watched = rollingOut(2, UID);
        HealthMonitor monitor = followedAndChecked(applied(2, UID), 1);

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            monitor.poll();
            assertThat(monitor.status("shop").orElseThrow().health().state()).isEqualTo(Health.State.Degraded);
        });
    }

    @Test
    void aHealthyApplicationReadFromTheApiServerIsReadAgainEveryRecheckIntervalOneAWatchFollowsIsNot() {
        recheckInterval = "300ms";
        // no watch has the object: the API server is read
        live = rolledOut(2, UID);
        HealthMonitor fromApi = followedAndChecked(applied(2, UID), 600);
        assertThat(fromApi.status("shop").orElseThrow().health().state()).isEqualTo(Health.State.Healthy);
        int asked = apiReads.get();
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            fromApi.poll();
            assertThat(apiReads.get()).isGreaterThan(asked);
        });

        // a watch has it: read again only when it tells a change (or every watched-recheck-interval, 10 minutes)
        watched = rolledOut(2, UID);
        watchReads.set(0);
        HealthMonitor fromWatch = followedAndChecked(applied(2, UID), 600);
        int read = watchReads.get();
        // three recheck intervals long
        Awaitility.await()
                .during(Duration.ofMillis(900))
                .atMost(Duration.ofSeconds(3))
                .untilAsserted(() -> {
                    fromWatch.poll();
                    assertThat(watchReads.get())
                            .as("reads of a healthy application nothing told of")
                            .isEqualTo(read);
                });
    }

    @Test
    void aCopyIsAdmittedWhenItIsTheSameObjectAtTheAppliedGenerationOrLater() {
        HealthMonitor.Floor floor = new HealthMonitor.Floor(2, UID);

        assertThat(floor.admits(rolledOut(1, UID))).isFalse();
        assertThat(floor.admits(rolledOut(2, UID))).isTrue();
        assertThat(floor.admits(rolledOut(3, UID))).isTrue();
        assertThat(floor.admits(rolledOut(3, "another-object"))).isFalse();
        // a kind that keeps no generation, or nothing known of what was applied
        assertThat(floor.admits(Map.of("kind", "ConfigMap", "metadata", Map.of("name", "settings", "uid", UID))))
                .isTrue();
        assertThat(HealthMonitor.Floor.ANY.admits(rolledOut(1, "another-object")))
                .isTrue();
    }

    private static Map<ObjectRef, Cluster.Outcome> applied(long generation, String uid) {
        return Map.of(WEB, new Cluster.Outcome(Cluster.Action.configured, generation, uid));
    }

    /** A monitor following {@code shop} after a sync that applied {@link #WEB} so, once its first check is done. */
    private HealthMonitor followedAndChecked(Map<ObjectRef, Cluster.Outcome> applied, int deadlineSeconds) {
        HealthMonitor monitor = monitor();
        monitor.listen();
        monitor.follow("shop", "default", null, "c2", "d2", List.of(WEB), applied, deadlineSeconds);
        Awaitility.await()
                .until(() ->
                        monitor.status("shop").map(s -> s.checkedAt() != null).orElse(false));
        return monitor;
    }

    /** A Deployment at this generation whose controller has not observed it yet. */
    private static Map<String, Object> rollingOut(long generation, String uid) {
        return deployment(generation, uid, generation - 1, 0);
    }

    /** A Deployment at this generation whose rollout of it is done. */
    private static Map<String, Object> rolledOut(long generation, String uid) {
        return deployment(generation, uid, generation, 1);
    }

    private static Map<String, Object> deployment(long generation, String uid, long observed, int updated) {
        return Map.of(
                "apiVersion", "apps/v1",
                "kind", "Deployment",
                "metadata", Map.of("name", "web", "namespace", "shop", "generation", generation, "uid", uid),
                "spec", Map.of("replicas", 1),
                "status",
                        Map.of(
                                "observedGeneration",
                                observed,
                                "replicas",
                                1,
                                "updatedReplicas",
                                updated,
                                "availableReplicas",
                                1));
    }

    private HealthMonitor monitor() {
        HealthMonitor monitor = new HealthMonitor();
        monitor.config = new SmallRyeConfigBuilder()
                .withMapping(SyncConfig.class)
                .withSources(new io.smallrye.config.PropertiesConfigSource(
                        recheckInterval == null
                                ? Map.of()
                                : Map.of("driftless.sync.health.recheck-interval", recheckInterval),
                        "test",
                        500))
                // its defaults are written as Quarkus reads durations ("30s")
                .withConverter(Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .build()
                .getConfigMapping(SyncConfig.class);
        monitor.watch = new DriftWatcher() {
            @Override
            public Optional<Map<String, Object>> cached(String cluster, ObjectRef ref) {
                watchReads.incrementAndGet();
                return watching && ref.equals(WEB) ? Optional.ofNullable(watched) : Optional.empty();
            }

            @Override
            public boolean following(String cluster, ObjectRef ref) {
                return watching && ref.equals(WEB);
            }

            @Override
            public void onTouched(Consumer<String> listener) {
                touchedListener = listener;
            }
        };
        monitor.api = (cluster, user, ref) -> {
            apiReads.incrementAndGet();
            Map<String, Object> answer = live;
            if (answer == null) {
                throw new ClusterFailure(Reason.ClusterUnreachable, "no API server here");
            }
            return ref.equals(WEB) ? Optional.of(answer) : Optional.empty();
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
