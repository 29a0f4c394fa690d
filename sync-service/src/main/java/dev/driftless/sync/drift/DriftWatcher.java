package dev.driftless.sync.drift;

import dev.driftless.events.DriftDetected;
import dev.driftless.events.DriftDetected.Difference;
import dev.driftless.sync.SyncConfig;
import dev.driftless.sync.domain.Drift;
import dev.driftless.sync.domain.IgnoredFields;
import dev.driftless.sync.domain.ObjectRef;
import dev.driftless.sync.domain.SyncPlan;
import dev.driftless.sync.kube.Cluster;
import dev.driftless.sync.kube.ClusterFailure;
import dev.driftless.sync.messaging.SyncPublisher;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Sees drift as it happens: an informer per kind Driftless applied watches the objects carrying its label (not the
 * whole cluster); a change or deletion of one (beyond status) schedules a comparison of its application, which asks
 * the API server what applying Git's version would change (server-side dry-run apply) and publishes
 * {@code drift.detected} with the fields that differ. With {@code selfHeal} the drifted objects are re-applied, after
 * a backoff that doubles while the drift keeps coming back (a fight with another controller does not spin) and resets
 * once the application stays clean. A full comparison of every application runs every
 * {@code driftless.sync.drift.full-check-interval} for what a watch missed.
 */
@ApplicationScoped
public class DriftWatcher {

    private static final Logger LOG = Logger.getLogger(DriftWatcher.class);
    private static final Duration DEBOUNCE = Duration.ofMillis(300);

    @Inject
    dev.driftless.sync.kube.Clusters clusters;

    @Inject
    SyncPublisher publisher;

    @Inject
    SyncConfig config;

    @Inject
    dev.driftless.sync.metrics.ApplicationSeries series;

    /** What Git wants for one application, as last synced, and whom its objects are read and healed as. */
    private record Desired(
            String cluster,
            String user,
            String commit,
            PackedManifests.Wanted objects,
            boolean selfHeal,
            boolean force,
            List<dev.driftless.events.IgnoreDifference> ignore,
            List<dev.driftless.events.SyncWindow> windows) {

        /** What applying an object means now: Git's version, with the fields left to others as they are live. */
        Map<String, Object> toApply(ObjectRef ref, Map<String, Object> live) {
            return IgnoredFields.keepLive(objects.manifest(ref), IgnoredFields.matching(ignore, ref), live);
        }
    }

    /** Who is told of every change a watch sees (the health monitor): {@code null} until someone asks. */
    private volatile java.util.function.Consumer<String> touchedListener;

    /** What the watches report: drift is compared here; any change is passed on to {@link #onTouched}'s listener. */
    private final dev.driftless.sync.kube.Cluster.ManagedChanges changes =
            new dev.driftless.sync.kube.Cluster.ManagedChanges() {
                @Override
                public void drifted(String application, ObjectRef ref) {
                    schedule(application);
                }

                @Override
                public void touched(String application) {
                    var listener = touchedListener;
                    if (listener != null) {
                        listener.accept(application);
                    }
                }
            };

    /**
     * Tells {@code listener} the application of every object a watch sees appear, change in any way (its status
     * included) or go (on the watch's thread: it must return at once).
     */
    public void onTouched(java.util.function.Consumer<String> listener) {
        touchedListener = listener;
    }

    /** Applications being synced right now: what Git wants is changing under them, so no drift is judged. */
    private final java.util.Set<String> syncing = ConcurrentHashMap.newKeySet();

    /** A sync of the application starts: compare nothing (and heal nothing) until it ends. */
    public void syncStarted(String application) {
        syncing.add(application);
    }

    /** The sync of an application ended (successfully or not): comparisons resume. */
    public void syncEnded(String application) {
        syncing.remove(application);
    }

    /**
     * What the last comparison of an application found.
     *
     * @param differences the fields that differ now, empty when in sync
     * @param checkedAt when it was compared
     * @param heals how many self-heals in a row, for the backoff
     */
    public record Result(List<Difference> differences, Instant checkedAt, int heals) {}

    private final Map<String, Desired> desired = new ConcurrentHashMap<>();

    /**
     * The objects of an application found matching Git at its last comparison, for that desired state, each by its
     * version ({@link Drift#versionOf}; 0: it differed, or was not there): an object the API server still has at that
     * version is not asked about again, since a server-side dry-run apply costs the API server about what an apply
     * does. The full comparison of thousands of unchanged applications then reads their objects and asks nothing more.
     */
    private record Verified(Desired wanted, long[] versions) {}

    private final Map<String, Verified> verified = new ConcurrentHashMap<>();
    private final PackedManifests manifests = new PackedManifests();
    private final Map<String, Result> results = new ConcurrentHashMap<>();
    private final Map<String, SharedIndexInformer<io.fabric8.kubernetes.api.model.GenericKubernetesResource>>
            informers = new ConcurrentHashMap<>();
    private final Map<String, ScheduledFuture<?>> pending = new ConcurrentHashMap<>();
    /** Kinds sync-service may not watch on a cluster (RBAC), logged once each. */
    private final java.util.Set<String> unwatched = ConcurrentHashMap.newKeySet();

    private final ScheduledExecutorService comparisons = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "drift");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * Follows an application after a successful sync: these objects, as applied, are what Git wants. They are compared
     * and healed as {@code user} (the user its sync impersonated; {@code null} for sync-service's own identity).
     */
    public void watch(
            String application,
            String cluster,
            String user,
            String commit,
            List<SyncPlan.Desired> objects,
            boolean selfHeal,
            boolean force,
            List<dev.driftless.events.IgnoreDifference> ignore,
            List<dev.driftless.events.SyncWindow> windows) {
        PackedManifests.Wanted wanted = manifests.pack(objects);
        desired.put(
                application,
                new Desired(cluster, user, commit, wanted, selfHeal, force, List.copyOf(ignore), List.copyOf(windows)));
        verified.remove(application); // what was verified was another desired state
        results.compute(application, (app, before) -> new Result(List.of(), Instant.now(), 0));
        series.showDrift(application, () -> driftedObjects(application));
        Set<String> namespaced = new HashSet<>();
        for (ObjectRef ref : wanted.refs()) {
            if (ref.namespace() != null) {
                // one instance of each key for every application that records it, not a copy each
                namespaced.add(namespacedKey(cluster, ref).intern());
            }
            String everywhere = informerKey(cluster, ref);
            if (informers.containsKey(everywhere) || unwatched.contains(everywhere)) {
                if (ref.namespace() != null && !informers.containsKey(everywhere)) {
                    // a kind sync-service may not watch everywhere: the namespace's deployer watches it there
                    watch(namespacedKey(cluster, ref), application, c -> c.actingAs(user)
                            .watchManagedIn(ref.namespace(), ref.apiVersion(), ref.kind(), changes));
                }
                continue;
            }
            boolean watched =
                    watch(everywhere, application, c -> c.watchManaged(ref.apiVersion(), ref.kind(), changes));
            if (!watched && ref.namespace() != null && unwatched.contains(everywhere)) {
                watch(namespacedKey(cluster, ref), application, c -> c.actingAs(user)
                        .watchManagedIn(ref.namespace(), ref.apiVersion(), ref.kind(), changes));
            }
        }
        useNamespaceWatches(application, namespaced);
    }

    /** The watches running now, by key ({@code cluster apiVersion/kind}, with {@code in namespace} for a namespace's). */
    public Set<String> watches() {
        return Set.copyOf(informers.keySet());
    }

    /** Which per-namespace watches each application's objects use, so the last one out closes a watch. */
    private final Map<String, Set<String>> namespaceWatchesOf = new ConcurrentHashMap<>();

    /**
     * Records the per-namespace watches an application uses now, and closes those no followed application uses any
     * more (a namespace's deployer watching a namespace nothing is deployed to, or one deleted since).
     */
    private synchronized void useNamespaceWatches(String application, Set<String> keys) {
        Set<String> before = keys.isEmpty()
                ? namespaceWatchesOf.remove(application)
                : namespaceWatchesOf.put(application, Set.copyOf(keys));
        if (before == null) {
            return;
        }
        for (String key : before) {
            if (keys.contains(key)) {
                continue;
            }
            boolean used = namespaceWatchesOf.values().stream().anyMatch(k -> k.contains(key));
            if (!used) {
                var informer = informers.remove(key);
                if (informer != null) {
                    informer.close();
                    LOG.debugf("stopped watching %s: no application followed here uses it", key);
                }
                unwatched.remove(key);
            }
        }
    }

    /** Starts a watch of a cluster ({@code cluster key...}), unless one runs under that key; whether one runs now. */
    private boolean watch(String key, String application, Watch start) {
        return informers.computeIfAbsent(key, k -> {
                    String cluster = k.substring(0, k.indexOf(' '));
                    try {
                        var informer = start.on(clusters.named(cluster));
                        // a change made between this sync's apply and the watch's first list is no change to the
                        // watch: compare once it has listed, so it is not left to the full comparison minutes later
                        whenListed(informer, application, 0);
                        return informer;
                    } catch (ClusterFailure e) {
                        if (e.reason() != dev.driftless.sync.domain.Reason.Forbidden || unwatched.add(k)) {
                            LOG.infof(
                                    "not watching %s for drift (the full comparison covers it): %s", k, e.getMessage());
                        }
                        return null;
                    } catch (RuntimeException e) {
                        LOG.warnf(
                                "cannot watch %s for drift (the full comparison still covers it): %s",
                                k, e.getMessage());
                        return null;
                    }
                })
                != null;
    }

    /** Starts one watch on a cluster. */
    private interface Watch {
        SharedIndexInformer<io.fabric8.kubernetes.api.model.GenericKubernetesResource> on(Cluster cluster)
                throws ClusterFailure;
    }

    /** Compares the application once the informer has listed what is there (checked every 200 ms, for 60 s at most). */
    private void whenListed(SharedIndexInformer<?> informer, String application, int attempt) {
        comparisons.schedule(
                () -> {
                    if (informer.hasSynced()) {
                        schedule(application);
                    } else if (attempt < 300) {
                        whenListed(informer, application, attempt + 1);
                    }
                },
                200,
                TimeUnit.MILLISECONDS);
    }

    /**
     * The object as the watch last saw it, from the informer's cache (no API call): empty when its kind is not
     * watched on that cluster yet, or the watch has not seen it, in which case the caller asks the API server.
     */
    public java.util.Optional<Map<String, Object>> cached(String cluster, ObjectRef ref) {
        return syncedInformer(cluster, ref)
                .map(informer -> informer.getStore().getByKey(storeKey(ref)))
                .map(Cluster::asMap);
    }

    /**
     * Whether a watch follows the object's kind on that cluster now (listed, and its watch running), so that a change
     * of the object would be told: no longer once its watch broke, until it watches again. No copy is read.
     */
    public boolean following(String cluster, ObjectRef ref) {
        return syncedInformer(cluster, ref).isPresent();
    }

    /**
     * What the watch knows of an object an application is about to apply, so the apply need not read it first: its
     * resource version and owner when the watch has it; unknown otherwise (a new object, an unmanaged one, or the
     * watch has not caught up), and the apply reads it.
     */
    public Cluster.Prior prior(String cluster, String application, ObjectRef ref) {
        var informer = syncedInformer(cluster, ref);
        if (informer.isEmpty()) {
            return Cluster.Prior.UNKNOWN;
        }
        var object = informer.get().getStore().getByKey(storeKey(ref));
        if (object != null) {
            Map<String, String> labels = object.getMetadata().getLabels();
            return new Cluster.Prior.Present(
                    object.getMetadata().getResourceVersion(),
                    labels == null ? null : labels.get(dev.driftless.sync.domain.SyncPlan.APPLICATION));
        }
        return Cluster.Prior.UNKNOWN;
    }

    /**
     * The informer watching the object's kind on that cluster (everywhere, or else in its namespace), once it has
     * listed what is there and while its watch runs: one whose watch broke (the cluster unreachable, its right to
     * watch gone) keeps what it last saw, and is not asked until it watches again.
     */
    private java.util.Optional<SharedIndexInformer<io.fabric8.kubernetes.api.model.GenericKubernetesResource>>
            syncedInformer(String cluster, ObjectRef ref) {
        var informer = informers.get(informerKey(cluster, ref));
        if (informer == null && ref.namespace() != null) {
            informer = informers.get(namespacedKey(cluster, ref));
        }
        return java.util.Optional.ofNullable(informer).filter(i -> i.hasSynced() && i.isWatching());
    }

    /** The key of the watch of a kind in every namespace of a cluster. */
    private static String informerKey(String cluster, ObjectRef ref) {
        return cluster + " " + ref.apiVersion() + "/" + ref.kind();
    }

    /** The key of the watch of a kind in one namespace of a cluster. */
    private static String namespacedKey(String cluster, ObjectRef ref) {
        return cluster + " " + ref.apiVersion() + "/" + ref.kind() + " in " + ref.namespace();
    }

    /** The key of an object in an informer's store: {@code namespace/name}, or the name of a cluster-wide one. */
    private static String storeKey(ObjectRef ref) {
        return ref.namespace() == null ? ref.name() : ref.namespace() + "/" + ref.name();
    }

    /**
     * An application's inventory as the watch's cache has it (no API call); empty when the cache has none (not
     * watched yet, or no inventory), and then only the API server can tell.
     */
    public java.util.Optional<Map<String, Object>> cachedInventory(Cluster cluster, String application) {
        return cached(cluster.name(), cluster.inventoryRef(application));
    }

    /** Stops following an application that left the catalog. */
    public void forget(String application) {
        desired.remove(application);
        verified.remove(application);
        results.remove(application);
        useNamespaceWatches(application, Set.of());
        series.forgetDrift(application);
    }

    /** The last comparison of an application, if it is followed. */
    public java.util.Optional<Result> result(String application) {
        return java.util.Optional.ofNullable(results.get(application));
    }

    /**
     * Compares every object of an application with Git now, changing nothing.
     *
     * @return the differences, empty when the cluster matches Git
     */
    public List<Difference> diff(String application) throws ClusterFailure {
        Desired wanted = desired.get(application);
        if (wanted == null) {
            return List.of();
        }
        List<Difference> differences = new ArrayList<>();
        Cluster cluster = clusters.named(wanted.cluster()).actingAs(wanted.user());
        Verified before = verified.get(application);
        long[] known = before != null && before.wanted() == wanted ? before.versions() : null;
        List<ObjectRef> refs = wanted.objects().refs();
        long[] clean = new long[refs.size()];
        for (int i = 0; i < refs.size(); i++) {
            ObjectRef ref = refs.get(i);
            var live = cluster.get(ref);
            if (live.isEmpty()) {
                differences.add(Drift.deleted(ref.toString()));
                continue;
            }
            long version = Drift.versionOf(live.get());
            if (version != 0 && known != null && known[i] == version) {
                clean[i] = version; // unchanged since it matched Git
                continue;
            }
            List<Difference> found = Drift.between(
                    ref.toString(),
                    live.get(),
                    cluster.dryRunApply(ref, wanted.toApply(ref, live.get()), wanted.force()));
            differences.addAll(found);
            clean[i] = found.isEmpty() ? version : 0;
        }
        // kept only while Git still wants what was compared (a sync or a removal may have come meanwhile)
        verified.compute(application, (app, was) -> desired.get(app) == wanted ? new Verified(wanted, clean) : null);
        return differences;
    }

    /**
     * Every application, compared in full: what a watch missed is found here. Each object is read from the API server;
     * only those changed since they last matched Git are compared again.
     */
    @Scheduled(
            every = "${driftless.sync.drift.full-check-interval:10m}",
            delayed = "${driftless.sync.drift.full-check-interval:10m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void fullCheck() {
        desired.keySet().forEach(this::schedule);
    }

    private void schedule(String application) {
        if (!desired.containsKey(application)) {
            return;
        }
        pending.compute(
                application,
                (app, existing) -> existing != null && !existing.isDone()
                        ? existing
                        : comparisons.schedule(() -> compare(app), delayFor(app).toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Drift found right after a heal waits longer each time: 0.3 s, then 1 s, 2 s, 4 s … up to 5 min. */
    private Duration delayFor(String application) {
        Result last = results.get(application);
        if (last == null || last.heals() == 0) {
            return DEBOUNCE;
        }
        long seconds = Math.min(300, 1L << Math.min(9, last.heals() - 1));
        return Duration.ofSeconds(seconds);
    }

    private void compare(String application) {
        pending.remove(application);
        Desired wanted = desired.get(application);
        if (wanted == null) {
            return;
        }
        if (syncing.contains(application)) {
            // mid-sync the cluster is between two commits: look again once the sync is over
            pending.computeIfAbsent(application, app -> comparisons.schedule(() -> compare(app), 1, TimeUnit.SECONDS));
            return;
        }
        List<Difference> differences;
        try {
            differences = diff(application);
        } catch (ClusterFailure | RuntimeException e) {
            LOG.warnf("cannot compare %s with the cluster: %s", application, e.getMessage());
            return;
        }
        if (desired.get(application) != wanted) {
            // removed or let go of (a removal's prune shows as objects missing), or synced, while this compared:
            // nothing to report, read or record of what Git no longer wants
            return;
        }
        Result before = results.getOrDefault(application, new Result(List.of(), Instant.now(), 0));
        if (differences.isEmpty()) {
            results.put(application, new Result(List.of(), Instant.now(), 0));
            return;
        }
        if (appliedElsewhere(application, wanted)) {
            return;
        }
        List<String> resources =
                differences.stream().map(Difference::resource).distinct().toList();
        // a closed sync window holds self-heal as it holds syncs: the drift is reported, and healed once it opens
        dev.driftless.sync.domain.NextStep.ForDrift step = dev.driftless.sync.domain.NextStep.forDrift(
                wanted.selfHeal(),
                dev.driftless.sync.domain.SyncWindows.decide(wanted.windows(), application, Instant.now(), false));
        boolean healing = step == dev.driftless.sync.domain.NextStep.ForDrift.HEAL;
        LOG.infof("%s drifted from %s: %s", application, wanted.commit().substring(0, 7), resources);
        series.driftDetected(application);
        try {
            publisher.driftDetected(
                    new DriftDetected(application, wanted.commit(), resources, Instant.now(), differences, healing));
        } catch (RuntimeException e) {
            LOG.warnf("could not publish the drift of %s: %s", application, e.toString());
        }
        int heals = before.heals();
        if (healing && (desired.get(application) != wanted || syncing.contains(application))) {
            return; // a sync or a removal came meanwhile: what was compared is no longer what Git wants
        }
        if (healing) {
            heals++;
            for (ObjectRef ref : wanted.objects().refs()) {
                if (resources.contains(ref.toString())) {
                    try {
                        Cluster acting = clusters.named(wanted.cluster()).actingAs(wanted.user());
                        acting.apply(
                                ref,
                                wanted.toApply(ref, acting.get(ref).orElse(null)),
                                wanted.force(),
                                prior(wanted.cluster(), application, ref),
                                dev.driftless.sync.domain.Adoption.Claim.own(application));
                    } catch (ClusterFailure e) {
                        LOG.warnf("self-heal of %s failed: %s", ref, e.getMessage());
                    }
                }
            }
            LOG.infof(
                    "%s: re-applied %d drifted object(s) (self-heal %d in a row)",
                    application, resources.size(), heals);
        }
        results.put(application, new Result(List.copyOf(differences), Instant.now(), heals));
        if (healing) {
            schedule(application); // check the heal held, after the backoff
        } else if (step == dev.driftless.sync.domain.NextStep.ForDrift.REPORT_AND_WAIT) {
            // a sync window holds the heal: look again in a minute, and heal once the window lets it
            pending.computeIfAbsent(application, app -> comparisons.schedule(() -> compare(app), 1, TimeUnit.MINUTES));
        }
    }

    /**
     * Whether the application's inventory names another commit than the one this watch compares with: another
     * replica (after a partition moved) or a newer sync applied it. Then this watch's desired state is stale; reporting
     * or healing drift against it would roll the application back, so it stops following the application instead.
     */
    private boolean appliedElsewhere(String application, Desired wanted) {
        java.util.Optional<Cluster.Applied> applied;
        try {
            Cluster cluster = clusters.named(wanted.cluster());
            applied = cluster.get(cluster.inventoryRef(application)).flatMap(Cluster.Applied::of);
        } catch (ClusterFailure e) {
            LOG.warnf(
                    "not judging drift of %s now (the next change or full check will): its inventory cannot be read (%s)",
                    application, e.getMessage());
            return true;
        }
        if (applied.isPresent() && !applied.get().commit().equals(wanted.commit())) {
            LOG.infof(
                    "not healing %s back to %s: %s was applied since (by another replica or a later sync);"
                            + " no longer following it here",
                    application,
                    wanted.commit().substring(0, 7),
                    applied.get()
                            .commit()
                            .substring(0, Math.min(7, applied.get().commit().length())));
            if (desired.remove(application, wanted)) {
                verified.remove(application);
                results.remove(application);
            }
            return true;
        }
        return false;
    }

    /** The objects of an application that differ from Git at its last comparison (0 when in sync or not followed). */
    private int driftedObjects(String application) {
        Result each = results.get(application);
        return each == null
                ? 0
                : (int) each.differences().stream()
                        .map(Difference::resource)
                        .distinct()
                        .count();
    }

    @PreDestroy
    void stop() {
        informers.values().forEach(SharedIndexInformer::close);
        comparisons.shutdownNow();
    }
}
