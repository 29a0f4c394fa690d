package dev.driftless.sync.kube;

import dev.driftless.events.HealthChanged;
import dev.driftless.events.SyncReport;
import dev.driftless.sync.SyncConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Keeps the status of each Application resource ({@code driftless.dev/v1alpha1}, in the namespace its renders say it
 * is declared in, {@code inventory-namespace} until one has said) what Driftless knows: the last sync's outcome, commit, time and condition, and the health. Written from a thread of its
 * own, what waits merged per application (one entry each, the newest values), so a slow API server never holds up a
 * sync and no application's status is dropped; an application of the catalog directory has no resource and nothing
 * is written for it.
 */
@ApplicationScoped
public class ApplicationStatusWriter {

    private static final Logger LOG = Logger.getLogger(ApplicationStatusWriter.class);

    @Inject
    Clusters clusters;

    @Inject
    SyncConfig config;

    private final java.util.concurrent.ExecutorService writer =
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread thread = new Thread(r, "application-status");
                thread.setDaemon(true);
                return thread;
            });

    /** Where each application's resource is, as its latest render said. */
    private final Map<String, String> namespaces = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Where the application's Application resource is, from its render ({@code declaredIn}); {@code null} (the
     * catalog directory's, or a render of an older render-service) leaves {@code inventory-namespace}.
     */
    public void declaredIn(String application, String namespace) {
        if (namespace == null) {
            namespaces.remove(application);
        } else if (!namespace.equals(namespaces.put(application, namespace))) {
            // declared now, or elsewhere: looked for again (even in the namespace it was missing from)
            declarations.incrementAndGet();
            undeclared.remove(application);
        }
    }

    /** How long an application found without a resource is not looked for again in the same namespace. */
    static final java.time.Duration UNDECLARED_FOR = java.time.Duration.ofMinutes(10);

    /** Where an application was found to have no resource, and until when that is believed. */
    private record Undeclared(String namespace, long untilNanos) {}

    /**
     * Applications found to have no resource where their status would be written (those of the catalog directory, or
     * the kind not installed): not looked for again (a request to the API server per status write, for nothing, at
     * thousands of applications) while their status would go to the same namespace, for {@link #UNDECLARED_FOR}.
     * Expired entries are dropped as writes go, so an application that left meanwhile leaves none behind for long.
     */
    private final Map<String, Undeclared> undeclared = new java.util.concurrent.ConcurrentHashMap<>();

    private volatile long lastPurgeNanos = System.nanoTime();

    /**
     * Counts the declarations that cleared what {@link #undeclared} knew: a write that found no resource while one
     * happened does not record the application as undeclared (it may be declared now), so it is looked for again.
     */
    private final java.util.concurrent.atomic.AtomicLong declarations = new java.util.concurrent.atomic.AtomicLong();

    /** Forgets an application that left the catalog. */
    public void forget(String application) {
        declarations.incrementAndGet();
        namespaces.remove(application);
        undeclared.remove(application);
    }

    /** Whether a status write to {@code namespace} is known to find no resource there now. */
    private boolean knownUndeclared(String application, String namespace, long now) {
        if (now - lastPurgeNanos > UNDECLARED_FOR.toNanos()) {
            lastPurgeNanos = now;
            undeclared.values().removeIf(u -> now - u.untilNanos() > 0);
        }
        Undeclared known = undeclared.get(application);
        return known != null && known.namespace().equals(namespace) && now - known.untilNanos() < 0;
    }

    /**
     * The name of the resource in {@code namespace} that declares {@code application}: an application of a team's
     * namespace is {@code <namespace>.<name>} in Driftless, its resource {@code <name>}.
     */
    static String resourceName(String application, String namespace) {
        return application.startsWith(namespace + ".") ? application.substring(namespace.length() + 1) : application;
    }

    /** What waits to be written, per application, merged: a later write of a field replaces an earlier one. */
    private final Map<String, Map<String, Object>> queued = new java.util.concurrent.ConcurrentHashMap<>();

    @PreDestroy
    void stop() {
        writer.shutdownNow();
    }

    /** After a sync: its outcome, commit and time, and a {@code Synced} condition with its reason word. */
    public void synced(SyncReport report) {
        Map<String, Object> status = new LinkedHashMap<>();
        boolean succeeded = SyncReport.SUCCEEDED.equals(report.status());
        status.put("sync", succeeded ? "Synced" : "Failed");
        status.put("commit", report.commit());
        status.put("shortCommit", report.commit().length() > 7 ? report.commit().substring(0, 7) : report.commit());
        if (succeeded) {
            status.put("lastAppliedCommit", report.commit());
        }
        status.put("lastSyncAt", report.finishedAt().toString());
        Map<String, Object> condition = new LinkedHashMap<>();
        condition.put("type", "Synced");
        condition.put("status", succeeded ? "True" : "False");
        condition.put("reason", succeeded ? "Succeeded" : report.reason());
        if (report.message() != null) {
            condition.put(
                    "message",
                    report.message().length() > 1_000 ? report.message().substring(0, 1_000) : report.message());
        }
        condition.put("lastTransitionTime", report.finishedAt().toString());
        status.put("conditions", List.of(condition));
        write(report.application(), status);
    }

    /** After a health change. */
    public void health(HealthChanged change) {
        write(change.application(), Map.of("health", change.current()));
    }

    private void write(String application, Map<String, Object> status) {
        String namespace = namespaces.getOrDefault(application, config.inventoryNamespace());
        if (knownUndeclared(application, namespace, System.nanoTime())) {
            return;
        }
        boolean first = queued.merge(application, status, (waiting, next) -> {
                    Map<String, Object> merged = new LinkedHashMap<>(waiting);
                    merged.putAll(next);
                    return merged;
                })
                == status;
        if (first) {
            writer.execute(() -> {
                long declared = declarations.get();
                Map<String, Object> latest = queued.remove(application);
                if (latest == null || knownUndeclared(application, namespace, System.nanoTime())) {
                    return; // or found missing by a write that was under way when this one was asked for
                }
                try {
                    // where it was declared when the write was asked for
                    if (!clusters.named("default")
                                    .patchApplicationStatus(namespace, resourceName(application, namespace), latest)
                            && declarations.get() == declared) {
                        undeclared.put(
                                application, new Undeclared(namespace, System.nanoTime() + UNDECLARED_FOR.toNanos()));
                    }
                } catch (ClusterFailure | RuntimeException e) {
                    LOG.debugf("the status of Application %s was not written: %s", application, e.getMessage());
                }
            });
        }
    }
}
