package dev.driftless.sync;

import dev.driftless.events.ApplicationRemoved;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.SyncReport;
import dev.driftless.events.SyncReport.ResourceResult;
import dev.driftless.sync.domain.ObjectRef;
import dev.driftless.sync.domain.Reason;
import dev.driftless.sync.domain.SyncPlan;
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
    Cluster cluster;

    @Inject
    MeterRegistry metrics;

    /** Syncs a render and returns the report to publish. */
    public SyncReport sync(RenderSucceeded render, String triggeredBy) {
        Instant started = Instant.now();
        try {
            return syncPlanned(render, triggeredBy, started);
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
        Instant started = Instant.now();
        if (!removed.target().prune()) {
            LOG.infof(
                    "%s left the catalog; its objects stay in the cluster (its sync policy does not prune)",
                    removed.application());
            return java.util.Optional.empty();
        }
        SyncPlan plan = new SyncPlan(removed.application(), List.of(), List.of(), removed.target());
        List<ResourceResult> results = new ArrayList<>();
        String commit = "none";
        try {
            java.util.Optional<String> applied = cluster.inventoryCommit(removed.application());
            if (applied.isEmpty()) {
                return java.util.Optional.empty();
            }
            commit = applied.get();
            for (ObjectRef gone : plan.toPrune(cluster.inventory(removed.application()))) {
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

    private SyncReport syncPlanned(RenderSucceeded render, String triggeredBy, Instant started) {
        SyncPlan plan = SyncPlan.of(render);
        List<ResourceResult> results = new ArrayList<>();
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
        try {
            if (plan.target().createNamespace()) {
                cluster.ensureNamespace(plan.target().namespace());
            }
        } catch (ClusterFailure e) {
            return finish(render, triggeredBy, started, results, e.reason(), e.getMessage());
        }
        for (SyncPlan.Desired desired : plan.apply()) {
            try {
                Cluster.Action action = cluster.apply(desired.ref(), desired.manifest());
                results.add(result(desired.ref(), action.name(), null, null));
            } catch (ClusterFailure e) {
                results.add(failed(desired.ref(), e.reason(), e.getMessage()));
            }
        }
        long failures =
                results.stream().filter(r -> r.action().equals("failed")).count();
        if (failures > 0) {
            return finish(
                    render,
                    triggeredBy,
                    started,
                    results,
                    Reason.SyncPartiallyFailed,
                    failures + " of " + (plan.apply().size() + plan.refused().size())
                            + " object(s) failed; nothing was pruned");
        }
        try {
            List<ObjectRef> previous = cluster.inventory(render.application());
            for (ObjectRef gone : plan.toPrune(previous)) {
                if (cluster.prune(gone, render.application())) {
                    results.add(result(gone, "pruned", null, null));
                }
            }
            cluster.storeInventory(render.application(), render.commit(), render.digest(), plan.wanted());
        } catch (ClusterFailure e) {
            return finish(render, triggeredBy, started, results, e.reason(), e.getMessage());
        }
        return finish(render, triggeredBy, started, results, null, null);
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
            metrics.counter("driftless.sync.objects", "action", r.action()).increment();
        }
        if (reason == null) {
            LOG.infof("synced %s at %s: %s", application, abbreviate(commit), summary(results));
        } else {
            LOG.warnf("sync of %s at %s failed: %s: %s", application, abbreviate(commit), reason, message);
        }
        return new SyncReport(
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
