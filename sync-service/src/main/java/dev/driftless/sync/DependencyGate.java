package dev.driftless.sync;

import dev.driftless.events.RenderSucceeded;
import dev.driftless.sync.domain.Health;
import dev.driftless.sync.domain.ObjectRef;
import dev.driftless.sync.kube.Cluster;
import dev.driftless.sync.kube.ClusterFailure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether the applications a render's application depends on ({@code spec.dependsOn}) are ready: each has applied a
 * commit (its inventory in the cluster says which, whichever replica applied it) and every object it applied is
 * Healthy now, read from the cluster. Answers what it waits for, for people, or nothing when it may sync.
 */
@ApplicationScoped
public class DependencyGate {

    @Inject
    dev.driftless.sync.kube.Clusters clusters;

    /** Kinds that are Healthy once they exist: configuration and access, nothing that rolls out. */
    static final java.util.Set<String> WITHOUT_HEALTH = java.util.Set.of(
            "Secret",
            "ConfigMap",
            "ServiceAccount",
            "Role",
            "RoleBinding",
            "ClusterRole",
            "ClusterRoleBinding",
            "NetworkPolicy",
            "LimitRange",
            "ResourceQuota",
            "PriorityClass",
            "StorageClass",
            "IngressClass",
            "Namespace");

    /** What the render's application waits for, or empty when every dependency is Healthy at its applied commit. */
    public Optional<String> notReady(RenderSucceeded render) {
        for (String dependency : render.target().dependsOn()) {
            try {
                Cluster cluster = clusters.named(render.target().cluster());
                Cluster.Inventory inventory = cluster.readInventory(dependency);
                Optional<Cluster.Applied> applied = inventory.applied();
                if (applied.isEmpty()) {
                    return Optional.of(dependency + " (not synced yet)");
                }
                List<Health> healths = new ArrayList<>();
                for (ObjectRef ref : inventory.objects()) {
                    if (WITHOUT_HEALTH.contains(ref.kind())) {
                        continue; // nothing to wait for, and not read (sync-service may not read Secrets)
                    }
                    healths.add(cluster.get(ref).map(Health::of).orElseGet(() -> Health.missing(ref)));
                }
                Health worst = Health.worst(healths);
                if (worst.state() != Health.State.Healthy) {
                    return Optional.of(dependency + " (" + worst.state() + " at "
                            + applied.get()
                                    .commit()
                                    .substring(
                                            0,
                                            Math.min(7, applied.get().commit().length()))
                            + (worst.reason() == null ? "" : ": " + worst.reason()) + ")");
                }
            } catch (ClusterFailure e) {
                return Optional.of(dependency + " (cannot be read: " + e.reason() + ")");
            }
        }
        return Optional.empty();
    }
}
