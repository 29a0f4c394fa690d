package dev.driftless.sync.domain;

import dev.driftless.events.ProjectRules;
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
 * @param hooks objects run as sync hooks ({@link Hooks}), in the order they run within a phase
 * @param target destination and sync policy
 */
public record SyncPlan(
        String application, List<Desired> apply, List<Refused> refused, List<HookObject> hooks, Target target) {

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

    /**
     * A hook to run: its identity (for a hook named by {@code generateName}, that prefix as its name), the manifest to
     * create, and when and how it runs.
     */
    public record HookObject(ObjectRef ref, Map<String, Object> manifest, Hooks.Hook hook, boolean generatedName) {}

    /** The hooks of one phase, lowest weight first, then in apply order. */
    public List<HookObject> hooks(Hooks.Phase phase) {
        return hooks.stream().filter(h -> h.hook().phases().contains(phase)).toList();
    }

    /** An object that will not be applied, and why. */
    public record Refused(ObjectRef ref, Reason reason, String message) {}

    /**
     * Plans the sync of a render: each object's scope comes from the API server's discovery ({@code scopes}) or, for
     * a kind no API server serves yet, from a CustomResourceDefinition in the same bundle. An object whose kind or
     * namespace the application's project forbids is refused ({@link Reason#KindNotAllowed},
     * {@link Reason#NamespaceNotAllowed}) and makes the whole plan {@link #forbidden() forbidden}.
     */
    public static SyncPlan of(RenderSucceeded render, KindScopes scopes) {
        Target target = render.target();
        ProjectRules project = target.project();
        Map<String, KindScopes.Scope> bundleKinds = definedInBundle(render.manifests());
        List<Desired> apply = new ArrayList<>();
        List<Refused> refused = new ArrayList<>();
        List<HookObject> hooks = new ArrayList<>();
        for (Map<String, Object> manifest : render.manifests()) {
            Map<String, Object> object = deepCopy(manifest);
            String apiVersion = String.valueOf(object.get("apiVersion"));
            String kind = String.valueOf(object.get("kind"));
            String group = ProjectRules.groupOf(apiVersion);
            Map<String, Object> metadata = child(object, "metadata");
            boolean generatedName = metadata.get("name") == null && metadata.get("generateName") instanceof String;
            String name = String.valueOf(generatedName ? metadata.get("generateName") : metadata.get("name"));
            String namespace = (String) metadata.get("namespace");
            Hooks.Role role;
            try {
                role = Hooks.roleOf(child(metadata, "annotations"));
            } catch (IllegalArgumentException e) {
                refused.add(new Refused(
                        new ObjectRef(apiVersion, kind, namespace, name), Reason.ApplyInvalid, e.getMessage()));
                continue;
            }
            if (role instanceof Hooks.Skipped) {
                continue;
            }
            KindScopes.Scope scope = scopes.of(apiVersion, kind).orElse(bundleKinds.get(group + "/" + kind));
            if (scope == null) {
                refused.add(new Refused(
                        new ObjectRef(apiVersion, kind, namespace, name),
                        Reason.KindUnknown,
                        "the API server serves no kind " + kind + " in " + apiVersion
                                + " and no CustomResourceDefinition in the bundle defines it"));
                continue;
            }
            boolean clusterScoped = scope == KindScopes.Scope.CLUSTER;
            if (clusterScoped) {
                metadata.remove("namespace");
                namespace = null;
            } else if (namespace == null || namespace.isBlank()) {
                namespace = target.namespace();
                metadata.put("namespace", namespace);
            }
            ObjectRef ref = new ObjectRef(apiVersion, kind, namespace, name);
            if (clusterScoped && !project.allowsClusterScoped(group, kind)) {
                refused.add(new Refused(
                        ref,
                        Reason.KindNotAllowed,
                        kind + " (" + (group.isEmpty() ? "core" : group) + ") is cluster-scoped and project "
                                + project.name() + " allows no such kind"));
                continue;
            }
            if (!clusterScoped && !project.allowsNamespaced(group, kind)) {
                refused.add(new Refused(
                        ref,
                        Reason.KindNotAllowed,
                        kind + " (" + (group.isEmpty() ? "core" : group) + ") is denied by project " + project.name()));
                continue;
            }
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
            child(metadata, "labels").put(APPLICATION, render.application());
            child(metadata, "annotations").put(COMMIT, render.commit());
            child(metadata, "annotations").put(DIGEST, render.digest());
            if (role instanceof Hooks.Hook hook) {
                // not managed-by: a hook is no part of the inventory, never pruned, watched or healed
                child(metadata, "labels").put(Hooks.HOOK_LABEL, "true");
                if (generatedName) {
                    child(metadata, "annotations").put(Hooks.GENERATE_NAME, name);
                }
                hooks.add(new HookObject(ref, object, hook, generatedName));
                continue;
            }
            if (generatedName) {
                refused.add(new Refused(
                        ref,
                        Reason.ApplyInvalid,
                        "metadata.generateName is only for hooks: an applied object needs metadata.name"));
                continue;
            }
            child(metadata, "labels").put(MANAGED_BY, "driftless");
            int waveNumber;
            try {
                waveNumber = Hooks.weight(child(metadata, "annotations"));
            } catch (IllegalArgumentException e) {
                refused.add(new Refused(ref, Reason.ApplyInvalid, e.getMessage()));
                continue;
            }
            apply.add(new Desired(ref, object, waveNumber));
        }
        apply.sort(Comparator.<Desired>comparingInt(Desired::wave)
                .thenComparingInt(d -> rank(d.ref().kind())));
        hooks.sort(Comparator.<HookObject>comparingInt(h -> h.hook().weight())
                .thenComparingInt(h -> rank(h.ref().kind())));
        return new SyncPlan(render.application(), List.copyOf(apply), List.copyOf(refused), List.copyOf(hooks), target);
    }

    /**
     * The objects the application's project forbids ({@link Reason#KindNotAllowed}, {@link Reason#NamespaceNotAllowed}).
     * A plan with any is not applied at all: nothing of a render that reaches beyond its project reaches the cluster.
     */
    public List<Refused> forbidden() {
        return refused.stream()
                .filter(r -> r.reason() == Reason.KindNotAllowed || r.reason() == Reason.NamespaceNotAllowed)
                .toList();
    }

    /** The scopes the CustomResourceDefinitions of a bundle give their kinds, by {@code group/kind}. */
    private static Map<String, KindScopes.Scope> definedInBundle(List<Map<String, Object>> manifests) {
        Map<String, KindScopes.Scope> kinds = new java.util.HashMap<>();
        for (Map<String, Object> manifest : manifests) {
            if (!"CustomResourceDefinition".equals(manifest.get("kind"))
                    || !"apiextensions.k8s.io".equals(ProjectRules.groupOf(String.valueOf(manifest.get("apiVersion"))))
                    || !(manifest.get("spec") instanceof Map<?, ?> spec)
                    || !(spec.get("names") instanceof Map<?, ?> names)) {
                continue;
            }
            kinds.put(
                    spec.get("group") + "/" + names.get("kind"),
                    "Cluster".equals(spec.get("scope")) ? KindScopes.Scope.CLUSTER : KindScopes.Scope.NAMESPACED);
        }
        return kinds;
    }

    /** Whether the plan may run at all: an empty render is refused unless the application allows it. */
    public boolean refusedAsEmpty() {
        return apply.isEmpty() && refused.isEmpty() && hooks.isEmpty() && !target.allowEmpty();
    }

    /** Every object this plan wants in the cluster, applied or refused (hooks are not kept: they are run). */
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
