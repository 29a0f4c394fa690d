package dev.driftless.sync.domain;

import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.Target;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What syncing a rendered bundle means, decided without touching the cluster: the objects to apply in order (with
 * Driftless's labels and annotations, and the destination namespace filled in), the objects refused before they
 * reach the API server, and which objects of the previous inventory to prune.
 *
 * @param application application name
 * @param apply objects to apply, in apply order
 * @param refused objects that will not be applied, each with a reason
 * @param target destination and sync policy
 */
public record SyncPlan(String application, List<Desired> apply, List<Refused> refused, Target target) {

    /** Label naming the tool that manages an object. */
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    /** Label naming the application an object belongs to. */
    public static final String APPLICATION = "driftless.dev/application";
    /** Annotation holding the commit an object was applied from. */
    public static final String COMMIT = "driftless.dev/commit";
    /** Annotation holding the digest of the bundle an object was applied from. */
    public static final String DIGEST = "driftless.dev/bundle-digest";
    /**
     * Annotation of an application's inventory: when the render last applied was made. A render older than that is
     * never applied over it, whichever replica reads it, before or after a restart or a partition move.
     */
    public static final String RENDERED_AT = "driftless.dev/rendered-at";
    /** Annotation that, set to {@code disabled}, keeps an object from ever being pruned. */
    public static final String PRUNE = "driftless.dev/prune";

    /** Kinds that have no namespace. Everything else is namespaced. */
    static final Set<String> CLUSTER_SCOPED = Set.of(
            "Namespace",
            "CustomResourceDefinition",
            "ClusterRole",
            "ClusterRoleBinding",
            "PersistentVolume",
            "StorageClass",
            "PriorityClass",
            "IngressClass",
            "RuntimeClass",
            "ValidatingWebhookConfiguration",
            "MutatingWebhookConfiguration",
            "APIService",
            "Node");

    /** Kinds never pruned unless explicitly allowed: losing them loses data or other applications' objects. */
    static final Set<String> NEVER_PRUNED = Set.of("Namespace", "PersistentVolumeClaim", "CustomResourceDefinition");

    private static final List<Set<String>> ORDER = List.of(
            Set.of("Namespace"),
            Set.of("CustomResourceDefinition"),
            Set.of("ClusterRole", "ClusterRoleBinding", "PriorityClass", "StorageClass", "IngressClass"),
            Set.of(
                    "ServiceAccount",
                    "Role",
                    "RoleBinding",
                    "ConfigMap",
                    "Secret",
                    "PersistentVolumeClaim",
                    "LimitRange",
                    "ResourceQuota",
                    "NetworkPolicy"),
            Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"));

    /** Annotation giving an object's sync wave: an integer, 0 by default; lower waves are applied (and healthy) first. */
    public static final String SYNC_WAVE = "driftless.dev/sync-wave";

    /** An object to apply: its identity, the full manifest to send, and its sync wave. */
    public record Desired(ObjectRef ref, Map<String, Object> manifest, int wave) {}

    /** The objects to apply, wave by wave in ascending order, each wave in apply order. */
    public List<List<Desired>> waves() {
        Map<Integer, List<Desired>> waves = new java.util.TreeMap<>();
        apply.forEach(
                d -> waves.computeIfAbsent(d.wave(), w -> new ArrayList<>()).add(d));
        return List.copyOf(waves.values());
    }

    /** An object that will not be applied, and why. */
    public record Refused(ObjectRef ref, Reason reason, String message) {}

    /** Plans the sync of a render. */
    public static SyncPlan of(RenderSucceeded render) {
        Target target = render.target();
        List<Desired> apply = new ArrayList<>();
        List<Refused> refused = new ArrayList<>();
        for (Map<String, Object> manifest : render.manifests()) {
            Map<String, Object> object = deepCopy(manifest);
            String kind = String.valueOf(object.get("kind"));
            Map<String, Object> metadata = child(object, "metadata");
            String name = String.valueOf(metadata.get("name"));
            String namespace = (String) metadata.get("namespace");
            boolean clusterScoped = CLUSTER_SCOPED.contains(kind);
            if (clusterScoped) {
                metadata.remove("namespace");
                namespace = null;
            } else if (namespace == null || namespace.isBlank()) {
                namespace = target.namespace();
                metadata.put("namespace", namespace);
            }
            ObjectRef ref = new ObjectRef(String.valueOf(object.get("apiVersion")), kind, namespace, name);
            if (!clusterScoped
                    && !namespace.equals(target.namespace())
                    && !target.allowedNamespaces().contains(namespace)) {
                refused.add(new Refused(
                        ref,
                        Reason.NamespaceNotAllowed,
                        "namespace " + namespace + " is not the application's destination " + target.namespace()
                                + " nor one of its syncPolicy.allowedNamespaces"));
                continue;
            }
            child(metadata, "labels").put(MANAGED_BY, "driftless");
            child(metadata, "labels").put(APPLICATION, render.application());
            child(metadata, "annotations").put(COMMIT, render.commit());
            child(metadata, "annotations").put(DIGEST, render.digest());
            Object wave = child(metadata, "annotations").get(SYNC_WAVE);
            int waveNumber;
            try {
                waveNumber =
                        wave == null ? 0 : Integer.parseInt(String.valueOf(wave).trim());
            } catch (NumberFormatException e) {
                refused.add(new Refused(ref, Reason.ApplyInvalid, SYNC_WAVE + " must be an integer, not " + wave));
                continue;
            }
            apply.add(new Desired(ref, object, waveNumber));
        }
        apply.sort(Comparator.<Desired>comparingInt(Desired::wave)
                .thenComparingInt(d -> rank(d.ref().kind())));
        return new SyncPlan(render.application(), List.copyOf(apply), List.copyOf(refused), target);
    }

    /** Whether the plan may run at all: an empty render is refused unless the application allows it. */
    public boolean refusedAsEmpty() {
        return apply.isEmpty() && refused.isEmpty() && !target.allowEmpty();
    }

    /** Every object this plan wants in the cluster, applied or refused. */
    public List<ObjectRef> wanted() {
        List<ObjectRef> refs = new ArrayList<>();
        apply.forEach(d -> refs.add(d.ref()));
        refused.forEach(r -> refs.add(r.ref()));
        return refs;
    }

    /**
     * The objects of the previous inventory to prune: those this bundle no longer has (by group, kind, namespace
     * and name), except kinds never pruned. Empty unless the application prunes.
     */
    public List<ObjectRef> toPrune(List<ObjectRef> previousInventory) {
        if (!target.prune()) {
            return List.of();
        }
        Set<String> kept = wanted().stream().map(ObjectRef::identity).collect(Collectors.toSet());
        Map<String, ObjectRef> unique = new LinkedHashMap<>();
        for (ObjectRef ref : previousInventory) {
            if (!kept.contains(ref.identity()) && !NEVER_PRUNED.contains(ref.kind())) {
                unique.putIfAbsent(ref.identity(), ref);
            }
        }
        List<ObjectRef> prune = new ArrayList<>(unique.values());
        prune.sort(Comparator.comparingInt((ObjectRef r) -> rank(r.kind())).reversed());
        return prune;
    }

    static int rank(String kind) {
        for (int i = 0; i < ORDER.size(); i++) {
            if (ORDER.get(i).contains(kind)) {
                return i;
            }
        }
        return ORDER.size();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> child(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        Map<String, Object> created = new LinkedHashMap<>();
        parent.put(key, created);
        return created;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepCopy(Map<String, Object> source) {
        Map<String, Object> copy = new LinkedHashMap<>();
        source.forEach((k, v) -> copy.put(k, copyValue(v)));
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static Object copyValue(Object value) {
        if (value instanceof Map<?, ?> map) {
            return deepCopy((Map<String, Object>) map);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(copyValue(v)));
            return copy;
        }
        return value;
    }
}
