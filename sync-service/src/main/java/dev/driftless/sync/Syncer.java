package dev.driftless.sync;

import dev.driftless.events.ApplicationRemoved;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.SyncReport;
import dev.driftless.events.SyncReport.ResourceResult;
import dev.driftless.sync.domain.Adoption;
import dev.driftless.sync.domain.Health;
import dev.driftless.sync.domain.Hooks;
import dev.driftless.sync.domain.Impersonation;
import dev.driftless.sync.domain.ObjectRef;
import dev.driftless.sync.domain.Reason;
import dev.driftless.sync.domain.SyncPlan;
import dev.driftless.sync.health.HealthMonitor;
import dev.driftless.sync.kube.Cluster;
import dev.driftless.sync.kube.ClusterFailure;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Syncs one rendered bundle: plan it, create the namespace if asked, apply every object in order, and only when
 * every object applied, prune what left Git and store the new inventory. Reports what happened to each object;
 * never reports success when anything failed.
 */
@ApplicationScoped
public class Syncer {

    private static final Logger LOG = Logger.getLogger(Syncer.class);

    @Inject
    dev.driftless.sync.kube.Clusters clusters;

    @Inject
    MeterRegistry metrics;

    @Inject
    SyncConfig config;

    @Inject
    HealthMonitor health;

    @Inject
    dev.driftless.sync.secrets.SecretOpener secrets;

    @Inject
    dev.driftless.sync.drift.DriftWatcher drift;

    @Inject
    HookRunner hooks;

    @Inject
    dev.driftless.sync.metrics.ApplicationSeries series;

    private final LastReports lastReports = new LastReports();
    private final java.util.Map<String, String> projects = new java.util.concurrent.ConcurrentHashMap<>();

    /** The project of an application, as the last render this replica synced of it names it. */
    public java.util.Optional<String> projectOf(String application) {
        return java.util.Optional.ofNullable(projects.get(application));
    }

    /** The applications this replica synced since it started and follows now. */
    public java.util.Set<String> followed() {
        java.util.Set<String> followed = new java.util.HashSet<>(lastReports.applications());
        followed.addAll(waiting.keySet());
        return java.util.Set.copyOf(followed);
    }

    /**
     * Lets go of an application another replica owns now: no drift watch, healing or health reporting here, and its
     * status is no longer answered here.
     */
    public void release(String application) {
        lastReports.remove(application);
        waiting.remove(application);
        projects.remove(application);
        drift.forget(application);
        health.forget(application);
    }

    /**
     * A render not applied yet: what it waits for (a sync by hand, another application, a sync window), for people,
     * its event's id, and whether it is looked at again until it may go (dependencies, windows) or waits for a person.
     */
    public record Held(RenderSucceeded render, String reason, String eventId, boolean recheck) {}

    private final java.util.Map<String, Held> waiting = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Keeps a render without applying it: one of an application that syncs by hand ({@code syncPolicy.automated:
     * false}), what its next sync by hand would apply, or one waiting for its dependencies. The newest is kept.
     */
    public void hold(RenderSucceeded render, String reason, String eventId, boolean recheck) {
        projects.put(render.application(), render.target().project().name().intern());
        boolean first = !waiting.containsKey(render.application()) && !lastReports.has(render.application());
        waiting.merge(
                render.application(),
                new Held(render, reason, eventId, recheck),
                (held, next) ->
                        next.render().renderedAt().isBefore(held.render().renderedAt()) ? held : next);
        if (first) {
            // what waits is in memory: an inventory (empty when nothing was ever applied) makes whoever owns the
            // application after a restart or a rebalance ask for its render again (RendersOwnership)
            try {
                clusters.named(render.target().cluster()).claimInventory(render.application());
            } catch (ClusterFailure | RuntimeException e) {
                LOG.warnf(
                        "%s waits, and cannot be recorded as Driftless's in its cluster now (after a restart it waits"
                                + " for its next render): %s",
                        render.application(), e.getMessage());
            }
        }
    }

    /** The applications whose newest render waits to be looked at again (its dependencies, a sync window). */
    public java.util.List<String> waitingToRecheck() {
        return waiting.values().stream()
                .filter(Held::recheck)
                .map(h -> h.render().application())
                .toList();
    }

    /** The render of an application waiting to be applied, if any (since this replica started). */
    public java.util.Optional<Held> waiting(String application) {
        return java.util.Optional.ofNullable(waiting.get(application));
    }

    /** The last sync report of an application since start, if any. */
    public java.util.Optional<SyncReport> lastReport(String application) {
        return lastReports.get(application);
    }

    /**
     * When a render newer than this one was already applied to the application (by this replica, or by another one
     * or before a restart, as its inventory in the cluster records), the time of that newer render: this one must
     * never be applied over it. Empty when this render may be applied.
     *
     * @param read where an inventory the API server had to be asked for is kept, for the sync of this render
     */
    public java.util.Optional<Instant> newerApplied(RenderSucceeded render, InventoryRead read) {
        try {
            Cluster cluster = clusters.named(render.target().cluster());
            java.util.Optional<Map<String, Object>> watched = read.watched(drift, cluster, render.application());
            java.util.Optional<Cluster.Applied> applied = watched.isPresent()
                    ? watched.flatMap(Cluster.Applied::of)
                    : read.of(cluster, render.application(), watched).applied();
            return applied.map(Cluster.Applied::renderedAt)
                    .filter(at -> at != null && render.renderedAt().isBefore(at));
        } catch (ClusterFailure e) {
            return java.util.Optional.empty(); // the sync itself meets and reports the failure
        }
    }

    /**
     * An application's inventory read at most once for one render: when the newest-applied check had to ask the API
     * server (the watch has no inventory, as for every new application), the sync right after it prunes from that
     * same answer instead of asking again; when the watch has the inventory this process last wrote, from there
     * ({@link Cluster#readInventory(String, java.util.Optional)}). One render's thread uses it, then drops it: always for
     * the render's own application and cluster (the first answer is kept whatever is asked next). Between the two,
     * nothing on this replica writes that inventory (an application's renders take one lane); another replica could,
     * as it could between a read and the apply after it.
     */
    public static final class InventoryRead {

        private Cluster.Inventory read;
        private java.util.Optional<Map<String, Object>> watched;

        /** The inventory as the drift watch's cache has it, looked at once. */
        java.util.Optional<Map<String, Object>> watched(
                dev.driftless.sync.drift.DriftWatcher drift, Cluster cluster, String application) {
            if (watched == null) {
                watched = drift.cachedInventory(cluster, application);
            }
            return watched;
        }

        Cluster.Inventory of(Cluster cluster, String application, java.util.Optional<Map<String, Object>> watched)
                throws ClusterFailure {
            if (read == null) {
                read = cluster.readInventory(application, watched);
            }
            return read;
        }
    }

    /**
     * Syncs a render and returns the report to publish.
     *
     * @param read the application's inventory if the decision to sync already read it, else it is read here
     */
    public SyncReport sync(RenderSucceeded render, String triggeredBy, InventoryRead read) {
        Instant started = Instant.now();
        try {
            return syncPlanned(render, triggeredBy, started, read);
        } catch (RuntimeException e) {
            LOG.errorf(e, "unexpected error syncing %s at %s", render.application(), render.commit());
            return finish(render, triggeredBy, started, List.of(), Reason.SyncError, e.toString());
        }
    }

    /**
     * Prunes what an application that left the catalog had applied, when its policy says {@code prune}: everything in
     * its inventory that carries our labels (never Namespaces, PersistentVolumeClaims or CRDs, never an object
     * marked {@code driftless.dev/prune: disabled}), then its inventory.
     *
     * @return the report to publish, or empty when nothing was to be done (no prune, or nothing was applied)
     */
    public java.util.Optional<SyncReport> remove(ApplicationRemoved removed, String triggeredBy) {
        try {
            return pruneRemoved(removed, triggeredBy);
        } finally {
            // its series go with it, the objects this removal pruned included (its report and the change log keep them)
            series.forget(removed.application());
        }
    }

    private java.util.Optional<SyncReport> pruneRemoved(ApplicationRemoved removed, String triggeredBy) {
        Instant started = Instant.now();
        waiting.remove(removed.application());
        // no longer followed for health or drift (nor healed), pruned or not
        health.forget(removed.application());
        drift.forget(removed.application());
        Cluster.Inventory known = null; // read once: for the claim here, for the prune below
        try {
            // an application that only ever waited leaves no claim behind (its inventory has no commit)
            Cluster own = clusters.named(removed.target().cluster());
            // kept (no prune) or deleted below: either way not this replica's to remember
            own.forgetInventoryWritten(removed.application());
            known = own.readInventory(removed.application());
            if (known.applied().isEmpty()) {
                own.deleteInventory(removed.application());
            }
        } catch (ClusterFailure | RuntimeException e) {
            LOG.warnf(
                    "the claim of %s (an inventory with nothing applied) could not be looked at; a replica that owns it"
                            + " later asks render-service for it once and is told it is gone: %s",
                    removed.application(), e.getMessage());
        }
        if (!removed.target().prune()) {
            LOG.infof(
                    "%s left the catalog; its objects stay in the cluster (its sync policy does not prune)",
                    removed.application());
            return java.util.Optional.empty();
        }
        SyncPlan plan = new SyncPlan(removed.application(), List.of(), List.of(), List.of(), removed.target());
        List<ResourceResult> results = new ArrayList<>();
        String commit = "none";
        String actor;
        try {
            actor = actor(removed.target());
        } catch (IllegalArgumentException e) {
            return java.util.Optional.of(report(
                    removed.application(),
                    commit,
                    null,
                    triggeredBy,
                    started,
                    results,
                    Reason.Forbidden,
                    "no user to act as: " + e.getMessage()));
        }
        try {
            Cluster cluster = clusters.named(removed.target().cluster()).actingAs(actor);
            Cluster.Inventory inventory = known != null ? known : cluster.readInventory(removed.application());
            if (inventory.applied().isEmpty()) {
                return java.util.Optional.empty();
            }
            commit = inventory.applied().get().commit();
            for (ObjectRef gone : plan.toPrune(inventory.objects())) {
                if (cluster.prune(gone, removed.application())) {
                    results.add(result(gone, "pruned", null, null));
                }
            }
            cluster.deleteInventory(removed.application());
        } catch (ClusterFailure e) {
            return java.util.Optional.of(report(
                    removed.application(), commit, null, triggeredBy, started, results, e.reason(), e.getMessage()));
        }
        LOG.infof("%s left the catalog: pruned %d object(s)", removed.application(), results.size());
        return java.util.Optional.of(
                report(removed.application(), commit, null, triggeredBy, started, results, null, null));
    }

    private SyncReport syncPlanned(RenderSucceeded render, String triggeredBy, Instant started, InventoryRead read) {
        projects.put(render.application(), render.target().project().name().intern());
        waiting.computeIfPresent(
                render.application(),
                (app, held) -> held.render().renderedAt().isAfter(render.renderedAt()) ? held : null);
        drift.syncStarted(render.application());
        try {
            return syncPlannedUnwatched(render, triggeredBy, started, read);
        } finally {
            drift.syncEnded(render.application());
        }
    }

    private SyncReport syncPlannedUnwatched(
            RenderSucceeded received, String triggeredBy, Instant started, InventoryRead read) {
        RenderSucceeded render;
        try {
            render = expanded(received);
        } catch (IllegalArgumentException e) {
            return finish(received, triggeredBy, started, List.of(), Reason.SyncError, e.getMessage());
        }
        String actor;
        try {
            actor = actor(render.target());
        } catch (IllegalArgumentException e) {
            return finish(
                    render,
                    triggeredBy,
                    started,
                    List.of(),
                    Reason.Forbidden,
                    "no user to act as: " + e.getMessage() + "; nothing was applied or pruned");
        }
        Cluster cluster;
        SyncPlan plan;
        try {
            cluster = clusters.named(render.target().cluster()).actingAs(actor);
            plan = SyncPlan.of(secrets.open(render), cluster.scopes(kindsOf(render)));
        } catch (ClusterFailure e) {
            return finish(render, triggeredBy, started, List.of(), e.reason(), e.getMessage());
        } catch (dev.driftless.sync.secrets.SecretOpener.Undecryptable e) {
            return finish(
                    render,
                    triggeredBy,
                    started,
                    List.of(),
                    Reason.SecretUndecryptable,
                    e.getMessage() + "; nothing was applied or pruned");
        }
        List<ResourceResult> results = new ArrayList<>();
        List<SyncPlan.Refused> forbidden = plan.forbidden();
        if (!forbidden.isEmpty()) {
            forbidden.forEach(r -> results.add(failed(r.ref(), r.reason(), r.message())));
            SyncPlan.Refused first = forbidden.get(0);
            return finish(
                    render,
                    triggeredBy,
                    started,
                    results,
                    first.reason(),
                    forbidden.size() + " object(s) reach beyond project "
                            + render.target().project().name() + ", first " + first.ref() + ": " + first.message()
                            + "; nothing was applied or pruned");
        }
        if (plan.refusedAsEmpty()) {
            return finish(
                    render,
                    triggeredBy,
                    started,
                    results,
                    Reason.PruneRefusedEmptyRender,
                    "the render has no objects and the application does not allow an empty sync; nothing applied or pruned");
        }
        plan.refused().forEach(r -> results.add(failed(r.ref(), r.reason(), r.message())));
        // read once: which objects are the application's own (Adoption), and what to prune once all are applied
        List<ObjectRef> previous;
        java.util.Set<String> inventoried;
        try {
            if (plan.target().createNamespace()) {
                cluster.ensureNamespace(plan.target().namespace());
            }
            previous = read.of(cluster, render.application(), read.watched(drift, cluster, render.application()))
                    .objects();
            inventoried = previous.stream().map(ObjectRef::identity).collect(java.util.stream.Collectors.toSet());
        } catch (ClusterFailure e) {
            return finish(render, triggeredBy, started, results, e.reason(), e.getMessage());
        }
        Duration deadline = render.target().progressDeadlineSeconds() == null
                ? config.health().progressDeadline()
                : Duration.ofSeconds(render.target().progressDeadlineSeconds());
        java.util.Optional<String> preSync = hooks.run(cluster, plan, Hooks.Phase.PreSync, deadline, results);
        if (preSync.isPresent()) {
            return finish(
                    render,
                    triggeredBy,
                    started,
                    results,
                    Reason.HookFailed,
                    preSync.get() + "; nothing else was applied or pruned");
        }
        boolean force = render.target().forceConflicts() == null
                ? config.forceConflicts()
                : render.target().forceConflicts();
        List<List<SyncPlan.Desired>> waves = plan.waves();
        // each object as applied: health is not judged from a watch's copy older than that
        Map<ObjectRef, Cluster.Outcome> applied = new java.util.HashMap<>();
        for (int wave = 0; wave < waves.size(); wave++) {
            for (SyncPlan.Desired desired : waves.get(wave)) {
                try {
                    Adoption.Claim claim = new Adoption.Claim(
                            render.application(),
                            inventoried.contains(desired.ref().identity()),
                            plan.target().adopt() || Adoption.asked(desired.manifest()));
                    Cluster.Outcome outcome = apply(cluster, plan, render.application(), desired, force, claim);
                    applied.put(desired.ref(), outcome);
                    results.add(result(desired.ref(), outcome.action().name(), null, null));
                    if ("CustomResourceDefinition".equals(desired.ref().kind())) {
                        Health established = awaitHealthy(cluster, List.of(desired.ref()), deadline);
                        if (established.state() != Health.State.Healthy) {
                            return finish(
                                    render,
                                    triggeredBy,
                                    started,
                                    results,
                                    Reason.CrdNotEstablished,
                                    desired.ref() + " is not established: " + established.reason()
                                            + "; nothing after it was applied or pruned");
                        }
                    }
                } catch (ClusterFailure e) {
                    results.add(failed(desired.ref(), e.reason(), e.getMessage()));
                }
            }
            boolean failedSoFar = results.stream().anyMatch(r -> r.action().equals("failed"));
            if (!failedSoFar && wave < waves.size() - 1) {
                Health waveHealth;
                try {
                    waveHealth = awaitHealthy(
                            cluster,
                            waves.get(wave).stream().map(SyncPlan.Desired::ref).toList(),
                            deadline);
                } catch (ClusterFailure e) {
                    return finish(render, triggeredBy, started, results, e.reason(), e.getMessage());
                }
                if (waveHealth.state() != Health.State.Healthy) {
                    return failedAfterApplying(
                            cluster,
                            plan,
                            deadline,
                            render,
                            triggeredBy,
                            started,
                            results,
                            Reason.WaveNotHealthy,
                            "sync wave " + waves.get(wave).get(0).wave() + " is " + waveHealth.state() + ": "
                                    + waveHealth.reason() + "; later waves were not applied, nothing was pruned");
                }
            }
        }
        long failures =
                results.stream().filter(r -> r.action().equals("failed")).count();
        if (failures > 0) {
            // a refusal by the API server's RBAC is the reason the user must act on, whatever else failed
            java.util.Optional<ResourceResult> refused = results.stream()
                    .filter(r -> Reason.Forbidden.name().equals(r.reason()))
                    .findFirst();
            return failedAfterApplying(
                    cluster,
                    plan,
                    deadline,
                    render,
                    triggeredBy,
                    started,
                    results,
                    refused.isPresent() ? Reason.Forbidden : Reason.SyncPartiallyFailed,
                    failures + " of " + (plan.apply().size() + plan.refused().size())
                            + " object(s) failed"
                            + refused.map(r -> ", first refused: " + r.message())
                                    .orElse("")
                            + "; nothing was pruned");
        }
        java.util.Optional<String> syncHooks = hooks.run(cluster, plan, Hooks.Phase.Sync, deadline, results);
        if (syncHooks.isPresent()) {
            return failedAfterApplying(
                    cluster,
                    plan,
                    deadline,
                    render,
                    triggeredBy,
                    started,
                    results,
                    Reason.HookFailed,
                    syncHooks.get() + "; nothing was pruned");
        }
        try {
            for (ObjectRef gone : plan.toPrune(previous)) {
                if (cluster.prune(gone, render.application())) {
                    results.add(result(gone, "pruned", null, null));
                }
            }
            cluster.storeInventory(
                    render.application(), render.commit(), render.digest(), render.renderedAt(), plan.wanted());
        } catch (ClusterFailure e) {
            return finish(render, triggeredBy, started, results, e.reason(), e.getMessage());
        }
        drift.watch(
                render.application(),
                cluster.name(),
                cluster.user().orElse(null),
                render.commit(),
                plan.apply(),
                // an application synced by hand is not healed either: its drift is reported
                render.target().selfHeal() && render.target().automated(),
                force,
                render.target().ignoreDifferences(),
                render.target().project().syncWindows());
        health.follow(
                render.application(),
                cluster.name(),
                cluster.user().orElse(null),
                render.commit(),
                render.digest(),
                plan.apply().stream().map(SyncPlan.Desired::ref).toList(),
                applied,
                render.target().progressDeadlineSeconds());
        if (!plan.hooks(Hooks.Phase.PostSync).isEmpty()) {
            return postSync(cluster, plan, deadline, render, triggeredBy, started, results);
        }
        return finish(render, triggeredBy, started, results, null, null);
    }

    /**
     * The PostSync phase: once every applied object is healthy, the PostSync hooks; an application that does not
     * become healthy, or a PostSync hook that fails, fails the sync and runs the SyncFail hooks. What was applied and
     * pruned stays so.
     */
    private SyncReport postSync(
            Cluster cluster,
            SyncPlan plan,
            Duration deadline,
            RenderSucceeded render,
            String triggeredBy,
            Instant started,
            List<ResourceResult> results) {
        Health healthy;
        try {
            healthy = awaitHealthy(
                    cluster, plan.apply().stream().map(SyncPlan.Desired::ref).toList(), deadline);
        } catch (ClusterFailure e) {
            return finish(render, triggeredBy, started, results, e.reason(), e.getMessage());
        }
        if (healthy.state() != Health.State.Healthy) {
            return failedAfterApplying(
                    cluster,
                    plan,
                    deadline,
                    render,
                    triggeredBy,
                    started,
                    results,
                    Reason.WaveNotHealthy,
                    "the application is " + healthy.state() + " (" + healthy.reason()
                            + ") after applying; its PostSync hooks were not run");
        }
        java.util.Optional<String> postSync = hooks.run(cluster, plan, Hooks.Phase.PostSync, deadline, results);
        if (postSync.isPresent()) {
            return failedAfterApplying(
                    cluster, plan, deadline, render, triggeredBy, started, results, Reason.HookFailed, postSync.get());
        }
        return finish(render, triggeredBy, started, results, null, null);
    }

    /** A sync that failed once something was applied: its SyncFail hooks run, then it is reported failed. */
    private SyncReport failedAfterApplying(
            Cluster cluster,
            SyncPlan plan,
            Duration deadline,
            RenderSucceeded render,
            String triggeredBy,
            Instant started,
            List<ResourceResult> results,
            Reason reason,
            String message) {
        java.util.Optional<String> syncFail = hooks.run(cluster, plan, Hooks.Phase.SyncFail, deadline, results);
        return finish(
                render,
                triggeredBy,
                started,
                results,
                reason,
                message
                        + syncFail.map(f -> "; a SyncFail hook failed too: " + f)
                                .orElse(""));
    }

    /**
     * Whom the application's objects are applied, pruned and read as: its project's ServiceAccount for the
     * destination, else the configured default, else {@code null} (sync-service's own identity).
     */
    private String actor(dev.driftless.events.Target target) {
        return Impersonation.user(target.project(), target.namespace(), config.defaultServiceAccount())
                .orElse(null);
    }

    /** The render with its objects as they are, expanded when they travelled compressed. */
    static RenderSucceeded expanded(RenderSucceeded render) {
        if (render.manifestsGzip() == null) {
            return render;
        }
        return render.withManifests(render.objects());
    }

    /** The kinds of a render's objects, by {@code apiVersion}. */
    private static java.util.Map<String, java.util.Set<String>> kindsOf(RenderSucceeded render) {
        java.util.Map<String, java.util.Set<String>> kinds = new java.util.HashMap<>();
        for (var manifest : render.manifests()) {
            kinds.computeIfAbsent(String.valueOf(manifest.get("apiVersion")), v -> new java.util.HashSet<>())
                    .add(String.valueOf(manifest.get("kind")));
        }
        return kinds;
    }

    /**
     * Applies one object, telling the cluster what the drift watch knows of it. When its namespace was deleted since
     * it was last ensured (or is being deleted) and the application creates its namespace, the namespace is created
     * again once it is gone and the object applied once more.
     */
    private Cluster.Outcome apply(
            Cluster cluster,
            SyncPlan plan,
            String application,
            SyncPlan.Desired desired,
            boolean force,
            Adoption.Claim claim)
            throws ClusterFailure {
        var ignored =
                dev.driftless.sync.domain.IgnoredFields.matching(plan.target().ignoreDifferences(), desired.ref());
        // fields left to others are applied as they are live: read the object first, only then
        java.util.Map<String, Object> manifest = ignored.isEmpty()
                ? desired.manifest()
                : dev.driftless.sync.domain.IgnoredFields.keepLive(
                        desired.manifest(), ignored, cluster.get(desired.ref()).orElse(null));
        try {
            return cluster.apply(
                    desired.ref(), manifest, force, drift.prior(cluster.name(), application, desired.ref()), claim);
        } catch (ClusterFailure e) {
            String namespace = desired.ref().namespace();
            if (!Cluster.namespaceGone(e)
                    || !plan.target().createNamespace()
                    || !plan.target().namespace().equals(namespace)) {
                throw e;
            }
            LOG.infof("namespace %s is gone or being deleted; creating it again for %s", namespace, application);
            cluster.recreateNamespace(namespace);
            return cluster.apply(desired.ref(), manifest, force, Cluster.Prior.UNKNOWN, claim);
        }
    }

    /**
     * Waits until every object is healthy, one is degraded, or the deadline passes, reading them every 200 ms.
     *
     * @return the worst health seen last
     */
    private static Health awaitHealthy(Cluster cluster, List<ObjectRef> refs, Duration deadline) throws ClusterFailure {
        Instant giveUp = Instant.now().plus(deadline);
        while (true) {
            List<Health> healths = new ArrayList<>();
            for (ObjectRef ref : refs) {
                healths.add(cluster.get(ref).map(Health::of).orElseGet(() -> Health.missing(ref)));
            }
            Health worst = Health.worst(healths);
            if (worst.state() == Health.State.Healthy || worst.state() == Health.State.Degraded) {
                return worst;
            }
            if (Instant.now().isAfter(giveUp)) {
                return worst.pastDeadline(deadline.toString());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return worst;
            }
        }
    }

    private SyncReport finish(
            RenderSucceeded render,
            String triggeredBy,
            Instant started,
            List<ResourceResult> results,
            Reason reason,
            String message) {
        return report(
                render.application(), render.commit(), render.digest(), triggeredBy, started, results, reason, message);
    }

    private SyncReport report(
            String application,
            String commit,
            String digest,
            String triggeredBy,
            Instant started,
            List<ResourceResult> results,
            Reason reason,
            String message) {
        Instant finished = Instant.now();
        String status = reason == null ? SyncReport.SUCCEEDED : SyncReport.FAILED;
        Timer.builder("driftless.sync.duration")
                .description("Time to apply one rendered bundle")
                .tag("outcome", reason == null ? "succeeded" : "failed")
                .tag("reason", reason == null ? "none" : reason.name())
                .publishPercentileHistogram()
                .register(metrics)
                .record(Duration.between(started, finished));
        for (ResourceResult r : results) {
            series.applied(application, r.action());
        }
        if (reason == null) {
            LOG.infof("synced %s at %s: %s", application, abbreviate(commit), summary(results));
        } else {
            LOG.warnf("sync of %s at %s failed: %s: %s", application, abbreviate(commit), reason, message);
        }
        SyncReport report = new SyncReport(
                application,
                commit,
                digest,
                status,
                reason == null ? null : reason.name(),
                message,
                results,
                triggeredBy,
                started,
                finished);
        lastReports.put(report);
        return report;
    }

    private static String abbreviate(String commit) {
        return commit.length() > 7 ? commit.substring(0, 7) : commit;
    }

    private static String summary(List<ResourceResult> results) {
        return results.stream()
                .collect(java.util.stream.Collectors.groupingBy(
                        ResourceResult::action, java.util.TreeMap::new, java.util.stream.Collectors.counting()))
                .toString();
    }

    private static ResourceResult failed(ObjectRef ref, Reason reason, String message) {
        return result(ref, "failed", reason.name(), message);
    }

    private static ResourceResult result(ObjectRef ref, String action, String reason, String message) {
        return new ResourceResult(ref.apiVersion(), ref.kind(), ref.namespace(), ref.name(), action, reason, message);
    }
}
