package dev.driftless.sync.health;

import dev.driftless.events.HealthChanged;
import dev.driftless.sync.SyncConfig;
import dev.driftless.sync.domain.Health;
import dev.driftless.sync.domain.ObjectRef;
import dev.driftless.sync.kube.ClusterFailure;
import dev.driftless.sync.messaging.SyncPublisher;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Follows the health of every synced application: after each sync its objects are read back (from the drift
 * watch's informer cache once it has the object as the sync left it, else from the API server) and assessed
 * ({@link Health}), then again at the next poll ({@code poll-interval}) after a watch saw one of them change (its
 * status too). Besides: every poll while the application is not yet healthy or degraded and some of its objects are
 * read from the API server (no watch tells their progress), or one of the watches it was read from has broken since
 * (none would tell); every {@code recheck-interval} while it progresses otherwise (its progress arrives as the
 * watch's changes), and once its deadline passed; every {@code watched-recheck-interval} once healthy or degraded
 * (a watch back from a break lists what changed meanwhile, and tells it), or every {@code recheck-interval} when some
 * of its objects are read from the API server. {@code Progressing} past the application's deadline is
 * {@code Degraded}. Each change of an application's health is published as {@code health.changed} and shown by the
 * gauge {@code driftless_sync_health{application,health}} (one series per application, tagged with its state now).
 */
@ApplicationScoped
public class HealthMonitor {

    private static final Logger LOG = Logger.getLogger(HealthMonitor.class);

    @Inject
    dev.driftless.sync.kube.Clusters clusters;

    @Inject
    dev.driftless.sync.drift.DriftWatcher watch;

    @Inject
    SyncConfig config;

    @Inject
    SyncPublisher publisher;

    @Inject
    dev.driftless.sync.metrics.ApplicationSeries series;

    /**
     * What is known of one application's health.
     *
     * @param commit the commit last synced
     * @param digest its bundle digest
     * @param objects each object's health, by {@code Kind/namespace/name} ({@code group/Kind/namespace/name} for
     *     objects of the application that would otherwise share a name); the names are made once per follow, not
     *     per check
     * @param health the application's health, the worst of its objects'
     * @param since when the application's health last changed
     * @param syncedAt when it was last synced
     * @param deadline when a still-progressing application becomes degraded
     * @param checkedAt when its objects were last read
     */
    public record Status(
            String commit,
            String digest,
            Map<String, Health> objects,
            Health health,
            Instant since,
            Instant syncedAt,
            Instant deadline,
            Instant checkedAt) {}

    /**
     * An application followed: its objects on that cluster, read as {@code user} ({@code null}: as itself);
     * {@code unreported}: its health at this commit was not published yet (a new commit's health is published once
     * even when it is the state of the commit before, so that every commit's trace ends with its health); {@code trace}:
     * the sync's span, in whose trace every health change of this commit is published, whichever thread finds it (its
     * context only: the ended span itself, with its attributes and thread, is over a kilobyte an application);
     * {@code fromWatch}: its last check read every object from a watch's cache, so a change of any of them is told
     * ({@link #touched}). {@code floors}: the oldest version of each object a check may read, in the order of
     * {@code objects} (as the sync applied it, or as the API server last gave it): a watch's copy older than that has
     * not seen the sync yet; {@code null} once a check read every object from a watch (a watch's copy only moves
     * forward from there).
     */
    private record Watched(
            String cluster,
            String user,
            List<ObjectRef> objects,
            Floor[] floors,
            List<String> names,
            Status status,
            boolean unreported,
            io.opentelemetry.api.trace.SpanContext trace,
            boolean fromWatch) {}

    /**
     * The oldest version of an object a check may read: its {@code uid} and {@code metadata.generation} ({@code null}
     * and 0: not known, any copy will do).
     */
    record Floor(long generation, String uid) {

        static final Floor ANY = new Floor(0, null);

        /** The version of this object (as a map), as the API server gave it. */
        static Floor of(Map<String, Object> object) {
            if (!(object.get("metadata") instanceof Map<?, ?> metadata)) {
                return ANY;
            }
            return new Floor(
                    metadata.get("generation") instanceof Number generation ? generation.longValue() : 0,
                    metadata.get("uid") instanceof String uid ? uid : null);
        }

        /**
         * Whether a watch's copy of the object is at least this version: the same object (uid) at this generation or
         * a later one; a kind that keeps no generation, or a floor not known, takes any copy.
         */
        boolean admits(Map<String, Object> cached) {
            Floor copy = of(cached);
            if (uid != null && copy.uid() != null && !uid.equals(copy.uid())) {
                return false;
            }
            return generation <= 0 || copy.generation() <= 0 || copy.generation() >= generation;
        }
    }

    private final Map<String, Watched> watched = new ConcurrentHashMap<>();

    /** How an object is read from the API server when no watch's copy will do, as a user ({@code null}: itself). */
    @FunctionalInterface
    interface ApiReads {
        Optional<Map<String, Object>> read(String cluster, String user, ObjectRef ref) throws ClusterFailure;
    }

    /** The API server's answer for an object; replaced in tests by a stand-in that counts or scripts answers. */
    ApiReads api =
            (cluster, user, ref) -> clusters.named(cluster).actingAs(user).get(ref);

    /** Applications a watch saw an object of change since the last poll (some may be followed by another replica). */
    private final java.util.Set<String> touched = ConcurrentHashMap.newKeySet();

    @jakarta.annotation.PostConstruct
    void listen() {
        watch.onTouched(touched::add);
    }

    /**
     * Starts following an application after a sync applied these objects at this commit, reading them as
     * {@code user} (the user its sync impersonated; {@code null} for sync-service's own identity).
     *
     * @param applied each object as the apply left it (generation and uid; missing: not known)
     */
    public void follow(
            String application,
            String cluster,
            String user,
            String commit,
            String digest,
            List<ObjectRef> objects,
            Map<ObjectRef, dev.driftless.sync.kube.Cluster.Outcome> applied,
            Integer deadlineSeconds) {
        Instant now = Instant.now();
        Duration deadline =
                deadlineSeconds == null ? config.health().progressDeadline() : Duration.ofSeconds(deadlineSeconds);
        Watched previous = watched.get(application);
        Health before = previous == null
                ? new Health(Health.State.Unknown, "not assessed yet")
                : previous.status().health();
        Instant since = previous == null ? now : previous.status().since();
        boolean newCommit = previous == null || !commit.equals(previous.status().commit());
        watched.put(
                application,
                new Watched(
                        cluster,
                        user,
                        List.copyOf(objects),
                        objects.stream()
                                .map(ref -> java.util.Optional.ofNullable(applied.get(ref))
                                        .map(outcome -> new Floor(outcome.generation(), outcome.uid()))
                                        .orElse(Floor.ANY))
                                .toArray(Floor[]::new),
                        names(objects),
                        new Status(commit, digest, Map.of(), before, since, now, now.plus(deadline), null),
                        newCommit || previous.unreported(),
                        io.opentelemetry.api.trace.Span.current().getSpanContext(),
                        false));
        showHealth(application);
        // first look right away, off the sync's thread: the next sync does not wait for it; in the sync's trace, so
        // the health this commit is first reported with belongs to its push's trace
        checks.submit(() -> check(application));
    }

    /**
     * The name each object's health is shown under: {@code Kind/namespace/name}, with the API group in front for
     * objects that would otherwise share one (an Istio Gateway and a Gateway API Gateway of the same name).
     */
    static List<String> names(List<ObjectRef> objects) {
        Map<String, Long> shown = objects.stream()
                .collect(java.util.stream.Collectors.groupingBy(
                        ObjectRef::toString, java.util.stream.Collectors.counting()));
        return objects.stream()
                .map(ref -> shown.get(ref.toString()) > 1 ? ref.group() + "/" + ref : ref.toString())
                .toList();
    }

    private final java.util.concurrent.ExecutorService checks =
            java.util.concurrent.Executors.newFixedThreadPool(2, runnable -> {
                Thread thread = new Thread(runnable, "health-check");
                thread.setDaemon(true);
                return thread;
            });

    @jakarta.annotation.PreDestroy
    void stop() {
        checks.shutdownNow();
    }

    /** Stops following an application that left the catalog. */
    public void forget(String application) {
        watched.remove(application);
        series.forget(application);
    }

    /** What is known of an application, if it was synced since start. */
    public Optional<Status> status(String application) {
        return Optional.ofNullable(watched.get(application)).map(Watched::status);
    }

    /** Assesses every application whose turn it is: an object of it changed, or {@link #due} says so. */
    @Scheduled(
            every = "${driftless.sync.health.poll-interval:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        Instant now = Instant.now();
        for (var entry : watched.entrySet()) {
            // taken before the check reads the objects: a change told meanwhile is looked at again next time
            boolean changed = touched.remove(entry.getKey());
            Watched current = entry.getValue();
            Status status = current.status();
            boolean settled = status.health().state() == Health.State.Healthy
                    || status.health().state() == Health.State.Degraded;
            // a rollout read from a watch that broke since is read as one the API server answers until it watches
            // again (no change would be told meanwhile); a settled one is told by the watch's list when it is back
            boolean toldByWatch = current.fromWatch() && (settled || stillFollowed(current));
            if (changed || due(status, settled, toldByWatch, now)) {
                check(entry.getKey());
            }
        }
        // what is left was told of applications not followed here (another replica's, or forgotten)
        touched.removeIf(application -> !watched.containsKey(application));
    }

    /** Whether a running watch follows every object of the application, so that any change of one is told. */
    private boolean stillFollowed(Watched current) {
        for (ObjectRef ref : current.objects()) {
            if (!watch.following(current.cluster(), ref)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether an application whose objects did not change (as far as a watch told) is to be read again now: one never
     * read yet; a progressing one read (in part) from the API server, at every poll; a progressing one its watch
     * follows entirely once its deadline has passed (to become Degraded), else every {@code recheck-interval} (its
     * progress arrives as changes); a healthy or degraded one every {@code recheck-interval}, or every
     * {@code watched-recheck-interval} when a watch follows it entirely.
     */
    private boolean due(Status status, boolean settled, boolean fromWatch, Instant now) {
        Instant checked = status.checkedAt();
        if (checked == null) {
            return true;
        }
        if (!settled && !fromWatch) {
            return true;
        }
        if (!settled && !checked.isAfter(status.deadline()) && now.isAfter(status.deadline())) {
            return true;
        }
        Duration recheck = settled && fromWatch
                ? config.health().watchedRecheckInterval()
                : config.health().recheckInterval();
        return checked.plus(recheck).isBefore(now);
    }

    /**
     * Reads an application's objects now and publishes a change of its health.
     *
     * @return its health now
     */
    public Health check(String application) {
        Watched current = watched.get(application);
        if (current == null) {
            return new Health(Health.State.Unknown, application + " was not synced");
        }
        Map<String, Health> objects = new LinkedHashMap<>();
        boolean fromWatch = true;
        Floor[] floors = current.floors();
        for (int i = 0; i < current.objects().size(); i++) {
            ObjectRef ref = current.objects().get(i);
            String name = current.names().get(i);
            try {
                // the drift watch's cache first (no API call); the API server when the watch has not seen it, or not
                // yet as this sync applied it (its copy of a Deployment just changed would still read as healthy)
                Floor floor = floors == null ? Floor.ANY : floors[i];
                var live = watch.cached(current.cluster(), ref).filter(floor::admits);
                if (live.isEmpty()) {
                    fromWatch = false;
                    live = api.read(current.cluster(), current.user(), ref);
                    if (floors != null && live.isPresent()) {
                        // what the API server gave is the oldest to read from now on (an object recreated since the
                        // sync, by self-heal, has a new uid and starts again at generation 1)
                        floors = floors == current.floors() ? floors.clone() : floors;
                        floors[i] = Floor.of(live.get());
                    }
                }
                objects.put(name, live.map(Health::of).orElseGet(() -> Health.missing(ref)));
            } catch (ClusterFailure e) {
                fromWatch = false;
                objects.put(name, new Health(Health.State.Unknown, e.getMessage()));
            }
        }
        Instant now = Instant.now();
        Status before = current.status();
        Health health = Health.worst(objects.values());
        if (now.isAfter(before.deadline())) {
            health = health.pastDeadline(
                    Duration.between(before.syncedAt(), before.deadline()).toString());
        }
        boolean changed = health.state() != before.health().state();
        boolean publish = changed || (current.unreported() && health.state() != Health.State.Unknown);
        Status after = new Status(
                before.commit(),
                before.digest(),
                Map.copyOf(objects),
                health,
                changed ? now : before.since(),
                before.syncedAt(),
                before.deadline(),
                now);
        // a newer sync may have replaced the entry meanwhile: keep it
        if (!watched.replace(
                application,
                current,
                new Watched(
                        current.cluster(),
                        current.user(),
                        current.objects(),
                        fromWatch ? null : floors,
                        current.names(),
                        after,
                        current.unreported() && !publish,
                        current.trace(),
                        fromWatch))) {
            // a newer sync, or a check that read the objects earlier, changed it meanwhile: look again next poll,
            // so what this check saw is not lost behind an older reading
            touched.add(application);
            return health;
        }
        if (changed) {
            showHealth(application);
        }
        if (publish) {
            LOG.infof(
                    "%s is %s%s (was %s)",
                    application,
                    health.state(),
                    health.reason() == null ? "" : ": " + health.reason(),
                    before.health().state());
            // in the trace of the sync that applied this commit, whichever thread found the change
            try (io.opentelemetry.context.Scope scope = io.opentelemetry.context.Context.root()
                    .with(io.opentelemetry.api.trace.Span.wrap(current.trace()))
                    .makeCurrent()) {
                publisher.healthChanged(new HealthChanged(
                        application,
                        before.commit(),
                        before.health().state().name(),
                        health.state().name(),
                        now));
            } catch (RuntimeException e) {
                LOG.warnf("could not publish the health of %s: %s", application, e.toString());
            }
        }
        return health;
    }

    /**
     * Shows an application's health as one series, tagged with its state now (1), as Argo CD's {@code argocd_app_info}
     * does: a series per state and application (0 for all but one) cost six meters an application, most of
     * sync-service's metrics memory and scrape at thousands of applications. An application no longer followed has
     * none.
     */
    private void showHealth(String application) {
        // read under the series' lock: of two threads showing a change, the later shows the state now
        series.health(application, () -> {
            Watched now = watched.get(application);
            return now == null ? null : now.status().health().state().name();
        });
    }
}
