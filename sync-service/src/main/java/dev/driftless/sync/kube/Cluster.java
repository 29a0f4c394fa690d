package dev.driftless.sync.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.sync.SyncConfig;
import dev.driftless.sync.domain.Adoption;
import dev.driftless.sync.domain.ApplyError;
import dev.driftless.sync.domain.KindScopes;
import dev.driftless.sync.domain.ObjectRef;
import dev.driftless.sync.domain.Reason;
import dev.driftless.sync.domain.SyncPlan;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Every call sync-service makes to one target cluster's Kubernetes API, through fabric8: server-side apply, reading
 * and deleting objects, the namespace, the inventory ConfigMap, and the watch on managed objects. Transient failures
 * (no answer, 5xx, 429) are retried with exponential backoff and jitter; the rest become a {@link ClusterFailure}
 * with a reason. One instance per named cluster, from {@link Clusters}; {@link #actingAs} gives a view of it that
 * applies, prunes and reads an application's objects as the user it impersonates, while the inventory, discovery and
 * the watches stay with sync-service's own identity.
 */
public class Cluster {

    private static final Logger LOG = Logger.getLogger(Cluster.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What an apply did to an object. */
    public enum Action {
        created,
        configured,
        unchanged
    }

    /**
     * What an apply did to an object, and the object it left: its {@code metadata.generation} (0 for kinds that keep
     * none) and {@code uid}. A watch's copy of another uid, or of an older generation, has not seen this apply yet.
     */
    public record Outcome(Action action, long generation, String uid) {}

    private final String name;
    /** sync-service's own identity: inventory, discovery, watches, namespace reads. */
    private final KubernetesClient client;
    /** Whom an application's objects are applied, pruned and read as: {@link #client}, or one impersonating. */
    private final KubernetesClient acting;
    /** The user {@link #acting} impersonates; {@code null} for sync-service's own identity. */
    private final String actingAs;
    /** The cluster of sync-service's own identity, which holds the state its views share. */
    private final Cluster root;

    private final SyncConfig config;
    private final java.util.Set<String> namespaces;
    private volatile SharedIndexInformer<Namespace> namespaceInformer;
    private volatile boolean namespaceWatchRefused;
    private final Map<String, Discovered> discovery;
    private final Map<String, Cluster> views = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The resource version of each application's inventory as this process last wrote it (root's, shared by its
     * views); none before its first write since start, or once it is deleted.
     */
    private final Map<String, String> inventoriesWritten = new java.util.concurrent.ConcurrentHashMap<>();

    /** The kinds one group version serves and their scopes, as discovery answered at a time. */
    private record Discovered(Map<String, KindScopes.Scope> kinds, Map<String, String> resources, long atNanos) {}

    /** Whether sync-service's own identity may list and watch a kind in every namespace, by {@code apiVersion/kind}. */
    private final Map<String, Boolean> watchable = new java.util.concurrent.ConcurrentHashMap<>();

    /** How long an answer of discovery that lacks a wanted kind is trusted before it is asked again. */
    private static final long REDISCOVER_NANOS = TimeUnit.SECONDS.toNanos(2);

    Cluster(String name, KubernetesClient client, SyncConfig config) {
        this.name = name;
        this.client = client;
        this.acting = client;
        this.actingAs = null;
        this.root = this;
        this.config = config;
        this.namespaces = java.util.concurrent.ConcurrentHashMap.newKeySet();
        this.discovery = new java.util.concurrent.ConcurrentHashMap<>();
    }

    private Cluster(Cluster root, String user, KubernetesClient impersonating) {
        this.name = root.name;
        this.client = root.client;
        this.acting = impersonating;
        this.actingAs = user;
        this.root = root;
        this.config = root.config;
        this.namespaces = root.namespaces;
        this.discovery = root.discovery;
    }

    /**
     * This cluster as seen by a user sync-service impersonates ({@code Impersonate-User}): applies, prunes, object
     * reads and namespace creation are made as that user, so the API server's RBAC decides what they may touch, and
     * a refusal is {@link Reason#Forbidden}. {@code null} is sync-service's own identity. One client per user, kept.
     */
    public Cluster actingAs(String user) {
        if (user == null) {
            return root;
        }
        return root.views.computeIfAbsent(user, u -> new Cluster(root, u, impersonating(root.client, u)));
    }

    /** The user this view impersonates; empty for sync-service's own identity. */
    public java.util.Optional<String> user() {
        return java.util.Optional.ofNullable(actingAs);
    }

    private static KubernetesClient impersonating(KubernetesClient own, String user) {
        io.fabric8.kubernetes.client.Config config = new io.fabric8.kubernetes.client.ConfigBuilder(
                        own.getConfiguration())
                .withImpersonateUsername(user)
                .build();
        return new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(config)
                .withKubernetesSerialization(own.getKubernetesSerialization())
                .build();
    }

    /** The cluster's name ({@code destination.cluster}). */
    public String name() {
        return name;
    }

    /**
     * What is known of an object just before it is applied, from a watch of the cluster: an object the watch has, with
     * its owner, need not be read first to tell changed from unchanged and to check who owns it; any other is read.
     */
    public sealed interface Prior {

        /** Nothing is known (the watch has no such object): it is read before it is applied. */
        Prior UNKNOWN = new Unknown();

        /** Nothing is known of the object. */
        record Unknown() implements Prior {}

        /**
         * The object is there at this resource version, applied by this application ({@code owner}, the value of
         * its {@code driftless.dev/application} label, {@code null} when it has none).
         */
        record Present(String resourceVersion, String owner) implements Prior {}
    }

    /**
     * Applies an object with server-side apply and says whether it was created, changed or left as it was. An
     * object already there is applied over only as {@link Adoption} allows: never one another application applied,
     * an unmanaged one only when the application adopts it ({@link Reason#OwnedByOtherApplication},
     * {@link Reason#AdoptionRefused}).
     *
     * @param force take over fields other managers own; without it such a conflict fails the object
     * @param prior what a watch knows of the object; otherwise it is read first
     * @param claim who applies it, and whether it may take over an unmanaged object
     */
    public Outcome apply(ObjectRef ref, Map<String, Object> manifest, boolean force, Prior prior, Adoption.Claim claim)
            throws ClusterFailure {
        GenericKubernetesResource desired = JSON.convertValue(manifest, GenericKubernetesResource.class);
        try {
            GenericKubernetesResource before = null;
            java.util.Optional<Adoption.Refusal> refusal;
            if (prior instanceof Prior.Present present) {
                refusal = Adoption.refusal(
                        claim, ref, present.owner() == null ? Map.of() : Map.of(SyncPlan.APPLICATION, present.owner()));
            } else {
                before = withRetries("read " + ref, () -> resource(ref).get());
                refusal = Adoption.refusal(
                        claim,
                        ref,
                        before == null
                                ? null
                                : before.getMetadata().getLabels() == null
                                        ? Map.of()
                                        : before.getMetadata().getLabels());
            }
            if (refusal.isPresent()) {
                throw new ClusterFailure(refusal.get().reason(), refusal.get().message());
            }
            GenericKubernetesResource read = before;
            return withRetries("apply " + ref, () -> {
                var applying = acting.resource(desired).fieldManager(config.fieldManager());
                GenericKubernetesResource after =
                        force ? applying.forceConflicts().serverSideApply() : applying.serverSideApply();
                String resourceVersion = after.getMetadata().getResourceVersion();
                Long generation = after.getMetadata().getGeneration();
                Action action;
                if (prior instanceof Prior.Present present) {
                    action = Objects.equals(present.resourceVersion(), resourceVersion)
                            ? Action.unchanged
                            : Action.configured;
                } else if (read == null) {
                    action = Action.created;
                } else {
                    action = Objects.equals(read.getMetadata().getResourceVersion(), resourceVersion)
                            ? Action.unchanged
                            : Action.configured;
                }
                return new Outcome(
                        action,
                        generation == null ? 0 : generation,
                        after.getMetadata().getUid());
            });
        } catch (ClusterFailure e) {
            forgetNamespaceIfGone(e, ref.namespace());
            throw e;
        }
    }

    /**
     * Deletes an object if it still carries Driftless's labels for this application and does not opt out of
     * pruning.
     *
     * @return whether it was deleted
     */
    public boolean prune(ObjectRef ref, String application) throws ClusterFailure {
        return withRetries("prune " + ref, () -> {
            GenericKubernetesResource current = resource(ref).get();
            if (current == null) {
                return false;
            }
            Map<String, String> labels = current.getMetadata().getLabels();
            Map<String, String> annotations = current.getMetadata().getAnnotations();
            boolean ours = labels != null
                    && "driftless".equals(labels.get(SyncPlan.MANAGED_BY))
                    && application.equals(labels.get(SyncPlan.APPLICATION));
            boolean optedOut = annotations != null && "disabled".equals(annotations.get(SyncPlan.PRUNE));
            if (!ours || optedOut) {
                LOG.infof("not pruning %s: %s", ref, optedOut ? "prune disabled" : "not labelled as ours");
                return false;
            }
            resource(ref).delete();
            return true;
        });
    }

    /**
     * What applying the object would make of it, without changing anything (server-side apply with
     * {@code dryRun=All}, as this service applies).
     */
    public Map<String, Object> dryRunApply(ObjectRef ref, Map<String, Object> manifest, boolean force)
            throws ClusterFailure {
        GenericKubernetesResource desired = JSON.convertValue(manifest, GenericKubernetesResource.class);
        return withRetries("dry-run apply " + ref, () -> {
            var applying = acting.resource(desired).dryRun().fieldManager(config.fieldManager());
            GenericKubernetesResource result =
                    force ? applying.forceConflicts().serverSideApply() : applying.serverSideApply();
            return JSON.convertValue(result, new TypeReference<Map<String, Object>>() {});
        });
    }

    /**
     * Watches the objects of one kind that carry Driftless's label, in every namespace, and tells {@code changes} of
     * each change and deletion by the application label's value. Returns the informer, to stop it; its cache keeps
     * the objects packed ({@link CompactStore}).
     */
    public io.fabric8.kubernetes.client.informers.SharedIndexInformer<GenericKubernetesResource> watchManaged(
            String apiVersion, String kind, ManagedChanges changes) throws ClusterFailure {
        if (!root.mayWatch(client, null, apiVersion, kind)) {
            throw new ClusterFailure(
                    Reason.Forbidden,
                    "sync-service may not list and watch " + kind + " (" + apiVersion + ") in every namespace");
        }
        return client.genericKubernetesResources(apiVersion, kind)
                .inAnyNamespace()
                .withLabel(SyncPlan.MANAGED_BY, "driftless")
                .runnableInformer(0)
                // looked up by key only: fabric8's default index by namespace kept a set entry per object (~120 bytes)
                .removeNamespaceIndex()
                .itemStore(new CompactStore<>(GenericKubernetesResource.class))
                .addEventHandler(managedHandler(changes))
                .run();
    }

    /**
     * Watches the objects of one kind that carry Driftless's label in one namespace, as the user this view acts as:
     * for kinds sync-service may not watch everywhere (Secrets), the deployer of the namespace, who may, watches them
     * there. Fails with {@link Reason#Forbidden} when that user may not list and watch them either (asked first).
     */
    public io.fabric8.kubernetes.client.informers.SharedIndexInformer<GenericKubernetesResource> watchManagedIn(
            String namespace, String apiVersion, String kind, ManagedChanges changes) throws ClusterFailure {
        if (!root.mayWatch(acting, namespace, apiVersion, kind)) {
            throw new ClusterFailure(
                    Reason.Forbidden,
                    (actingAs == null ? "sync-service" : actingAs) + " may not list and watch " + kind + " ("
                            + apiVersion + ") in namespace " + namespace);
        }
        return acting.genericKubernetesResources(apiVersion, kind)
                .inNamespace(namespace)
                .withLabel(SyncPlan.MANAGED_BY, "driftless")
                .runnableInformer(0)
                // looked up by key only: fabric8's default index by namespace kept a set entry per object (~120 bytes)
                .removeNamespaceIndex()
                .itemStore(new CompactStore<>(GenericKubernetesResource.class))
                .addEventHandler(managedHandler(changes))
                .run();
    }

    /** What a watch of the objects Driftless applied tells, by the application that applied each. */
    public interface ManagedChanges {

        /** An object changed beyond its status, by someone other than Driftless, or was deleted: compare with Git. */
        void drifted(String application, ObjectRef ref);

        /** An object appeared, changed in any way (its status too) or went: its health may not be what it was. */
        void touched(String application);
    }

    private io.fabric8.kubernetes.client.informers.ResourceEventHandler<GenericKubernetesResource> managedHandler(
            ManagedChanges changes) {
        return new io.fabric8.kubernetes.client.informers.ResourceEventHandler<GenericKubernetesResource>() {
            @Override
            public void onAdd(GenericKubernetesResource object) {
                // objects we just applied, or found at start: the full comparison covers their drift; their health
                // may have been read from the API server before the watch had them
                String application = applicationOf(object);
                if (application != null) {
                    changes.touched(application);
                }
            }

            @Override
            public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
                String application = applicationOf(after);
                if (application == null) {
                    return;
                }
                changes.touched(application);
                if (!sameButForStatus(before, after) && !writtenOnlyBy(config.fieldManager(), before, after)) {
                    changes.drifted(application, refOf(after));
                }
            }

            @Override
            public void onDelete(GenericKubernetesResource object, boolean unknownFinalState) {
                String application = applicationOf(object);
                if (application != null) {
                    changes.touched(application);
                    changes.drifted(application, refOf(object));
                }
            }
        };
    }

    private static String applicationOf(GenericKubernetesResource object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return labels == null ? null : labels.get(SyncPlan.APPLICATION);
    }

    private static ObjectRef refOf(GenericKubernetesResource object) {
        return new ObjectRef(
                object.getApiVersion(),
                object.getKind(),
                object.getMetadata().getNamespace(),
                object.getMetadata().getName());
    }

    /**
     * Whether the only field managers whose entries changed between two versions are {@code manager}'s own (our
     * apply, not drift): an API server records every writer in {@code managedFields}. When no entry changed (a writer
     * the server did not record) the change is not ours.
     */
    static boolean writtenOnlyBy(String manager, GenericKubernetesResource before, GenericKubernetesResource after) {
        var was = before.getMetadata().getManagedFields();
        var is = after.getMetadata().getManagedFields();
        if (is == null || is.isEmpty()) {
            return false;
        }
        java.util.Set<String> changed = new java.util.HashSet<>();
        for (var entry : is) {
            boolean same = was != null
                    && was.stream()
                            .anyMatch(old -> Objects.equals(old.getManager(), entry.getManager())
                                    && Objects.equals(old.getOperation(), entry.getOperation())
                                    && Objects.equals(old.getSubresource(), entry.getSubresource())
                                    && Objects.equals(old.getTime(), entry.getTime())
                                    && Objects.equals(old.getFieldsV1(), entry.getFieldsV1()));
            if (!same) {
                changed.add(entry.getSubresource() == null ? entry.getManager() : "status");
            }
        }
        changed.remove("status");
        return !changed.isEmpty() && changed.stream().allMatch(manager::equals);
    }

    /** Whether two versions of an object differ only in status or server bookkeeping (not drift). */
    @SuppressWarnings("unchecked")
    static boolean sameButForStatus(GenericKubernetesResource before, GenericKubernetesResource after) {
        if (before == null || after == null) {
            return false;
        }
        Map<String, Object> a = JSON.convertValue(before, Map.class);
        Map<String, Object> b = JSON.convertValue(after, Map.class);
        for (Map<String, Object> each : List.of(a, b)) {
            each.remove("status");
            if (each.get("metadata") instanceof Map<?, ?> metadata) {
                Map<String, Object> m = (Map<String, Object>) metadata;
                m.remove("resourceVersion");
                m.remove("managedFields");
            }
        }
        return a.equals(b);
    }

    /** An object as a plain map (status included). */
    public static Map<String, Object> asMap(GenericKubernetesResource object) {
        return JSON.convertValue(object, new TypeReference<Map<String, Object>>() {});
    }

    /** The object as the cluster has it now (status included), or empty when it does not exist. */
    public java.util.Optional<Map<String, Object>> get(ObjectRef ref) throws ClusterFailure {
        return withRetries(
                "read " + ref, () -> java.util.Optional.ofNullable(resource(ref).get())
                        .map(live -> JSON.convertValue(live, new TypeReference<Map<String, Object>>() {})));
    }

    /**
     * Merges {@code status} into the status of the Application resource {@code name} in {@code namespace}, as
     * sync-service itself, and says whether there was one (an application of the catalog directory has none).
     */
    public boolean patchApplicationStatus(String namespace, String name, Map<String, Object> status)
            throws ClusterFailure {
        String patch;
        try {
            patch = JSON.writeValueAsString(Map.of("status", status));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
        return withRetries("patch the status of Application " + namespace + "/" + name, () -> {
            try {
                // named by an object, not withName: fabric8 would read the resource first (a GET per status write)
                GenericKubernetesResource named = new GenericKubernetesResource();
                named.setApiVersion("driftless.dev/v1alpha1");
                named.setKind("Application");
                named.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                        .withName(name)
                        .withNamespace(namespace)
                        .build());
                client.genericKubernetesResources("driftless.dev/v1alpha1", "Application")
                        .inNamespace(namespace)
                        .resource(named)
                        .subresource("status")
                        .patch(
                                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                                        io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                                patch);
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return false; // no such resource, or no such kind (the CRD is not installed)
                }
                throw e;
            }
        });
    }

    /**
     * Creates a hook object as it is (its {@code generateName} filled in by the API server), as the user this view
     * acts as, and returns its identity as created. Not a server-side apply: each run of a hook is a new object.
     */
    public ObjectRef createHook(ObjectRef ref, Map<String, Object> manifest) throws ClusterFailure {
        GenericKubernetesResource object = JSON.convertValue(manifest, GenericKubernetesResource.class);
        GenericKubernetesResource created = withRetries("create hook " + ref, () -> {
            var type = acting.genericKubernetesResources(ref.apiVersion(), ref.kind());
            return ref.namespace() == null
                    ? type.resource(object).create()
                    : type.inNamespace(ref.namespace()).resource(object).create();
        });
        return new ObjectRef(
                ref.apiVersion(),
                ref.kind(),
                ref.namespace(),
                created.getMetadata().getName());
    }

    /**
     * The earlier runs of an application's hook named by {@code generateName}: the objects of its kind in its
     * namespace with the application's and the hook's labels and that prefix.
     */
    public List<ObjectRef> hookRuns(ObjectRef hook, String application) throws ClusterFailure {
        return withRetries("list runs of hook " + hook, () -> {
            var type = acting.genericKubernetesResources(hook.apiVersion(), hook.kind());
            var listed = (hook.namespace() == null ? type : type.inNamespace(hook.namespace()))
                    .withLabel(SyncPlan.APPLICATION, application)
                    .withLabel(dev.driftless.sync.domain.Hooks.HOOK_LABEL, "true")
                    .list();
            return listed.getItems().stream()
                    .filter(o -> o.getMetadata().getAnnotations() != null
                            && hook.name()
                                    .equals(o.getMetadata()
                                            .getAnnotations()
                                            .get(dev.driftless.sync.domain.Hooks.GENERATE_NAME)))
                    .map(o -> new ObjectRef(
                            hook.apiVersion(),
                            hook.kind(),
                            hook.namespace(),
                            o.getMetadata().getName()))
                    .toList();
        });
    }

    /**
     * Deletes a hook object of the application (its Pods with it, in the background) and says whether it was there.
     * An object of that name that is not this application's hook is left alone: {@link Reason#OwnedByOtherApplication}.
     */
    public boolean deleteHook(ObjectRef ref, String application) throws ClusterFailure {
        GenericKubernetesResource current =
                withRetries("read " + ref, () -> resource(ref).get());
        if (current == null) {
            return false;
        }
        Map<String, String> labels = current.getMetadata().getLabels();
        if (labels == null
                || !application.equals(labels.get(SyncPlan.APPLICATION))
                || !"true".equals(labels.get(dev.driftless.sync.domain.Hooks.HOOK_LABEL))) {
            throw new ClusterFailure(
                    Reason.OwnedByOtherApplication,
                    ref + " exists and is not a hook of " + application + "; it was left alone");
        }
        return withRetries("delete hook " + ref, () -> {
            resource(ref)
                    .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
                    .delete();
            return true;
        });
    }

    /**
     * Creates a namespace if it does not exist, and waits for one that is being deleted to be gone first (an apply
     * into a terminating namespace would be accepted for objects that exist and then lost with the namespace). What
     * namespaces exist is known from a watch of them (no read per sync); where RBAC allows no such watch (a
     * single-namespace tenant), a namespace this service saw or created is remembered and not read again, until an
     * apply into it fails because it is gone.
     */
    public void ensureNamespace(String namespace) throws ClusterFailure {
        var watch = namespaceWatch();
        if (watch.isPresent()) {
            Namespace known = watch.get().getStore().getByKey(namespace);
            if (known == null) {
                createNamespace(namespace);
            } else if (known.getMetadata().getDeletionTimestamp() != null) {
                LOG.infof("namespace %s is being deleted; waiting until it is gone to create it again", namespace);
                recreateNamespace(namespace);
            }
            return;
        }
        if (namespaces.contains(namespace)) {
            return;
        }
        boolean exists = withRetries(
                "read namespace " + namespace,
                () -> client.namespaces().withName(namespace).get() != null);
        if (!exists) {
            createNamespace(namespace);
        }
        namespaces.add(namespace);
    }

    private void createNamespace(String namespace) throws ClusterFailure {
        withRetries("create namespace " + namespace, () -> acting.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(namespace)
                        .addToLabels(SyncPlan.MANAGED_BY, "driftless")
                        .endMetadata()
                        .build())
                .fieldManager(config.fieldManager())
                .serverSideApply());
    }

    /** Stops the watches this cluster started (not the client, which its owner closes). */
    void close() {
        SharedIndexInformer<Namespace> watch = namespaceInformer;
        if (watch != null) {
            watch.close();
        }
        views.values().forEach(view -> view.acting.close());
    }

    /** The watch of every namespace, started on first use; empty where RBAC allows none or it has not listed yet. */
    private java.util.Optional<SharedIndexInformer<Namespace>> namespaceWatch() {
        if (root != this) {
            return root.namespaceWatch();
        }
        if (namespaceWatchRefused) {
            return java.util.Optional.empty();
        }
        SharedIndexInformer<Namespace> watch = namespaceInformer;
        if (watch == null) {
            synchronized (this) {
                if (namespaceInformer == null && !namespaceWatchRefused) {
                    try {
                        namespaceInformer = client.namespaces()
                                .runnableInformer(0)
                                .removeNamespaceIndex()
                                .itemStore(new CompactStore<>(Namespace.class))
                                .run();
                    } catch (RuntimeException e) { // refused, or its first list could not be kept
                        namespaceWatchRefused = true;
                        LOG.infof(
                                "cluster %s: namespaces are not watched (%s); a namespace once ensured is trusted"
                                        + " until an apply into it fails",
                                name, e instanceof KubernetesClientException k ? message(k) : e.toString());
                    }
                }
                watch = namespaceInformer;
            }
        }
        return java.util.Optional.ofNullable(watch).filter(SharedIndexInformer::hasSynced);
    }

    /**
     * Creates a namespace again that was deleted behind this service's back: waits (watching, up to
     * {@code driftless.sync.namespace-termination-timeout}) until a namespace still being terminated is gone, then
     * creates it.
     *
     * @throws ClusterFailure {@link Reason#NamespaceTerminating} if it is still terminating after the timeout
     */
    public void recreateNamespace(String namespace) throws ClusterFailure {
        namespaces.remove(namespace);
        Duration timeout = config.namespaceTerminationTimeout();
        try {
            client.namespaces()
                    .withName(namespace)
                    .waitUntilCondition(
                            ns -> ns == null || ns.getMetadata().getDeletionTimestamp() == null,
                            timeout.toMillis(),
                            TimeUnit.MILLISECONDS);
        } catch (KubernetesClientTimeoutException e) {
            throw new ClusterFailure(
                    Reason.NamespaceTerminating,
                    "namespace " + namespace + " is still being deleted after " + timeout.toSeconds() + " s");
        } catch (KubernetesClientException e) {
            throw new ClusterFailure(
                    ApplyError.reason(e.getCode(), message(e)), "wait for namespace " + namespace + ": " + message(e));
        }
        createNamespace(namespace);
        namespaces.add(namespace);
    }

    /** Whether a failure means the object's namespace is gone or going, so creating it again may help. */
    public static boolean namespaceGone(ClusterFailure failure) {
        return failure.reason() == Reason.NamespaceNotFound || failure.reason() == Reason.NamespaceTerminating;
    }

    private void forgetNamespaceIfGone(ClusterFailure failure, String namespace) {
        if (namespaceGone(failure) && namespace != null) {
            namespaces.remove(namespace);
        }
    }

    /**
     * An application's inventory as the API server has it: the objects last applied, and the commit and render time
     * it records ({@link #NONE} when there is no inventory; a render that only waited leaves one with neither).
     */
    public record Inventory(List<ObjectRef> objects, java.util.Optional<Applied> applied) {

        /** No inventory: nothing applied, nothing claimed. */
        public static final Inventory NONE = new Inventory(List.of(), java.util.Optional.empty());
    }

    /**
     * Reads an application's inventory from the API server (one request): what to prune and what was applied last.
     * An unreadable list of objects counts as empty (logged).
     */
    public Inventory readInventory(String application) throws ClusterFailure {
        return withRetries("read inventory of " + application, () -> {
            ConfigMap stored = client.configMaps()
                    .inNamespace(config.inventoryNamespace())
                    .withName(inventoryName(application))
                    .get();
            if (stored == null) {
                return Inventory.NONE;
            }
            return new Inventory(
                    objectsOf(stored.getData() == null ? null : stored.getData().get("objects"), application),
                    Applied.ofAnnotations(stored.getMetadata().getAnnotations()));
        });
    }

    /**
     * An application's inventory without a request when the watch's copy of it is the one this process last wrote
     * (same resource version). Otherwise (not written here since start, written since by another replica or by hand
     * and seen by the watch, or a copy the watch has not brought up to date yet) it is read from the API server, as
     * {@link #readInventory(String)}. A write by someone else that the watch has not delivered yet is not seen (the
     * API server's answer would have had it): the window is the watch's delay, milliseconds, where a read leaves the
     * one between the read and the write after it; an application's renders take one replica's lane, so only a
     * partition moving between replicas, or a hand edit, writes it meanwhile.
     *
     * @param watched the inventory as the drift watch's cache has it, if it has it
     */
    public Inventory readInventory(String application, java.util.Optional<Map<String, Object>> watched)
            throws ClusterFailure {
        String written = root.inventoriesWritten.get(application);
        if (written != null
                && watched.isPresent()
                && watched.get().get("metadata") instanceof Map<?, ?> metadata
                && written.equals(metadata.get("resourceVersion"))) {
            Object objects = watched.get().get("data") instanceof Map<?, ?> data ? data.get("objects") : null;
            return new Inventory(
                    objectsOf(objects == null ? null : objects.toString(), application), Applied.of(watched.get()));
        }
        return readInventory(application);
    }

    /** The objects an inventory lists, from its {@code objects} entry; none when absent, or unreadable (logged). */
    private static List<ObjectRef> objectsOf(String json, String application) {
        if (json == null) {
            return List.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<List<ObjectRef>>() {});
        } catch (JsonProcessingException e) {
            LOG.warnf("inventory of %s is unreadable; treating it as empty: %s", application, e.getMessage());
            return List.of();
        }
    }

    /** The applications that have an inventory in this cluster (synced here by any replica, ever). */
    public java.util.Set<String> inventoriedApplications() throws ClusterFailure {
        return withRetries("list inventories", () -> {
            java.util.Set<String> applications = new java.util.TreeSet<>();
            for (ConfigMap inventory : client.configMaps()
                    .inNamespace(config.inventoryNamespace())
                    .withLabel(SyncPlan.MANAGED_BY, "driftless")
                    .list()
                    .getItems()) {
                Map<String, String> labels = inventory.getMetadata().getLabels();
                if (labels != null && labels.get(SyncPlan.APPLICATION) != null) {
                    applications.add(labels.get(SyncPlan.APPLICATION));
                }
            }
            return applications;
        });
    }

    /** Stores an application's inventory in the cluster, so a restarted sync-service prunes correctly. */
    public void storeInventory(
            String application, String commit, String digest, java.time.Instant renderedAt, List<ObjectRef> objects)
            throws ClusterFailure {
        // the inventory is sync-service's own: its namespace is ensured as itself, never as an impersonated user
        root.ensureNamespace(config.inventoryNamespace());
        try {
            storeInventoryUnchecked(application, commit, digest, renderedAt, objects);
        } catch (ClusterFailure e) {
            if (!namespaceGone(e)) {
                throw e;
            }
            // the inventory namespace was deleted since it was last ensured: create it again once it is gone
            root.recreateNamespace(config.inventoryNamespace());
            storeInventoryUnchecked(application, commit, digest, renderedAt, objects);
        }
    }

    private void storeInventoryUnchecked(
            String application, String commit, String digest, java.time.Instant renderedAt, List<ObjectRef> objects)
            throws ClusterFailure {
        withRetries("store inventory of " + application, () -> {
            String json;
            try {
                json = JSON.writeValueAsString(objects);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            ConfigMap stored = client.resource(new ConfigMapBuilder()
                            .withNewMetadata()
                            .withName(inventoryName(application))
                            .withNamespace(config.inventoryNamespace())
                            .addToLabels(SyncPlan.MANAGED_BY, "driftless")
                            .addToLabels(SyncPlan.APPLICATION, application)
                            .addToAnnotations(SyncPlan.COMMIT, commit)
                            .addToAnnotations(SyncPlan.DIGEST, digest)
                            .addToAnnotations(SyncPlan.RENDERED_AT, renderedAt == null ? null : renderedAt.toString())
                            .endMetadata()
                            .addToData("objects", json)
                            .build())
                    .fieldManager(config.fieldManager())
                    .forceConflicts()
                    .serverSideApply();
            String written = stored.getMetadata().getResourceVersion();
            if (written == null) {
                root.inventoriesWritten.remove(application);
            } else {
                root.inventoriesWritten.put(application, written);
            }
            return null;
        });
    }

    /**
     * Records that an application is Driftless's before anything of it is applied (its first render is held for a
     * window, its dependencies or a sync by hand): an inventory with no objects and no commit, created only where none
     * exists, so that a replica that owns the application after a restart or a rebalance finds it and asks for its
     * render again. An existing inventory is never touched.
     */
    public void claimInventory(String application) throws ClusterFailure {
        root.ensureNamespace(config.inventoryNamespace());
        withRetries("claim inventory of " + application, () -> {
            try {
                client.configMaps()
                        .resource(new ConfigMapBuilder()
                                .withNewMetadata()
                                .withName(inventoryName(application))
                                .withNamespace(config.inventoryNamespace())
                                .addToLabels(SyncPlan.MANAGED_BY, "driftless")
                                .addToLabels(SyncPlan.APPLICATION, application)
                                .endMetadata()
                                .addToData("objects", "[]")
                                .build())
                        .create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
            return null;
        });
    }

    /** The reference of an application's inventory ConfigMap, e.g. to look it up in a watch's cache. */
    public ObjectRef inventoryRef(String application) {
        return new ObjectRef("v1", "ConfigMap", config.inventoryNamespace(), inventoryName(application));
    }

    /** The commit and render time an inventory records, read from the inventory object as a map. */
    public record Applied(String commit, java.time.Instant renderedAt) {

        /** From an inventory ConfigMap as a map; empty without the annotations. */
        public static java.util.Optional<Applied> of(Map<String, Object> inventory) {
            if (!(inventory.get("metadata") instanceof Map<?, ?> metadata)
                    || !(metadata.get("annotations") instanceof Map<?, ?> annotations)) {
                return java.util.Optional.empty();
            }
            return ofAnnotations(annotations);
        }

        /** From an inventory's annotations ({@code null}: none); empty without the commit. */
        static java.util.Optional<Applied> ofAnnotations(Map<?, ?> annotations) {
            if (annotations == null) {
                return java.util.Optional.empty();
            }
            Object commit = annotations.get(SyncPlan.COMMIT);
            Object at = annotations.get(SyncPlan.RENDERED_AT);
            java.time.Instant renderedAt = null;
            try {
                renderedAt = at == null ? null : java.time.Instant.parse(at.toString());
            } catch (java.time.format.DateTimeParseException e) {
                // written by an older version, or edited by hand: no order is known
            }
            return commit == null
                    ? java.util.Optional.empty()
                    : java.util.Optional.of(new Applied(commit.toString(), renderedAt));
        }
    }

    /** Forgets what this process last wrote of an application's inventory: it is read from the API server next. */
    public void forgetInventoryWritten(String application) {
        root.inventoriesWritten.remove(application);
    }

    /** Deletes an application's inventory, once everything in it was pruned. */
    public void deleteInventory(String application) throws ClusterFailure {
        forgetInventoryWritten(application);
        withRetries("delete inventory of " + application, () -> {
            client.configMaps()
                    .inNamespace(config.inventoryNamespace())
                    .withName(inventoryName(application))
                    .delete();
            return null;
        });
    }

    /** The name of an application's inventory ConfigMap. */
    public static String inventoryName(String application) {
        return "driftless-inventory-" + application;
    }

    /**
     * The scopes of these kinds ({@code apiVersion} to kind names), from the API server's discovery: cached per
     * group version, asked again when a wanted kind is missing from an answer older than two seconds (a
     * CustomResourceDefinition was just established). A kind still missing has no scope here.
     */
    public KindScopes scopes(Map<String, java.util.Set<String>> kindsByApiVersion) throws ClusterFailure {
        for (Map.Entry<String, java.util.Set<String>> wanted : kindsByApiVersion.entrySet()) {
            String apiVersion = wanted.getKey();
            Discovered known = discovery.get(apiVersion);
            boolean complete = known != null && known.kinds().keySet().containsAll(wanted.getValue());
            if (complete || (known != null && System.nanoTime() - known.atNanos() < REDISCOVER_NANOS)) {
                continue;
            }
            discovery.put(apiVersion, discover(apiVersion));
        }
        return (apiVersion, kind) -> {
            Discovered known = discovery.get(apiVersion);
            return known == null
                    ? java.util.Optional.empty()
                    : java.util.Optional.ofNullable(known.kinds().get(kind));
        };
    }

    /**
     * Whether the client's user may list and watch the kind in a namespace ({@code null}: in every namespace), asked
     * once per user, namespace and kind with a SelfSubjectAccessReview (which every authenticated user may make, an
     * impersonated one included), so no watch is started only to be refused.
     */
    private boolean mayWatch(KubernetesClient asked, String namespace, String apiVersion, String kind)
            throws ClusterFailure {
        String key =
                asked.getConfiguration().getImpersonateUsername() + " " + namespace + " " + apiVersion + "/" + kind;
        Boolean known = watchable.get(key);
        if (known != null) {
            return known;
        }
        scopes(Map.of(apiVersion, java.util.Set.of(kind)));
        Discovered served = discovery.get(apiVersion);
        String resource = served == null ? null : served.resources().get(kind);
        if (resource == null) {
            throw new ClusterFailure(
                    Reason.KindUnknown, kind + " (" + apiVersion + ") is not served yet; watched once it is");
        }
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        boolean allowed = true;
        for (String verb : List.of("list", "watch")) {
            var review = new io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder()
                    .withNewSpec()
                    .withNewResourceAttributes()
                    .withGroup(group)
                    .withResource(resource)
                    .withVerb(verb)
                    .withNamespace(namespace)
                    .endResourceAttributes()
                    .endSpec()
                    .build();
            io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview answer;
            try {
                answer = withRetries("may " + verb + " " + resource, () -> asked.authorization()
                        .v1()
                        .selfSubjectAccessReview()
                        .create(review));
            } catch (ClusterFailure e) {
                // an API server that cannot answer (the authorization API off, a stand-in): try the watch itself,
                // and ask again next time (not remembered)
                LOG.debugf("cannot ask whether %s may be watched (%s); trying", resource, e.getMessage());
                return true;
            }
            allowed &= answer.getStatus() != null && answer.getStatus().getAllowed();
        }
        watchable.put(key, allowed);
        return allowed;
    }

    private Discovered discover(String apiVersion) throws ClusterFailure {
        io.fabric8.kubernetes.api.model.APIResourceList served = withRetries("discover " + apiVersion, () -> {
            try {
                return client.getApiResources(apiVersion);
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return null;
                }
                throw e;
            }
        });
        Map<String, KindScopes.Scope> kinds = new java.util.HashMap<>();
        Map<String, String> resources = new java.util.HashMap<>();
        if (served != null && served.getResources() != null) {
            for (var resource : served.getResources()) {
                if (resource.getName() == null || resource.getName().contains("/")) {
                    continue; // a subresource
                }
                resources.put(resource.getKind(), resource.getName());
                kinds.put(
                        resource.getKind(),
                        Boolean.TRUE.equals(resource.getNamespaced())
                                ? KindScopes.Scope.NAMESPACED
                                : KindScopes.Scope.CLUSTER);
            }
        }
        return new Discovered(Map.copyOf(kinds), Map.copyOf(resources), System.nanoTime());
    }

    private Resource<GenericKubernetesResource> resource(ObjectRef ref) {
        var type = acting.genericKubernetesResources(ref.apiVersion(), ref.kind());
        return ref.namespace() == null
                ? type.withName(ref.name())
                : type.inNamespace(ref.namespace()).withName(ref.name());
    }

    private interface Call<T> {
        T run();
    }

    private <T> T withRetries(String what, Call<T> call) throws ClusterFailure {
        long backoff = config.backoff().toMillis();
        KubernetesClientException last = null;
        for (int attempt = 1; attempt <= config.attempts(); attempt++) {
            try {
                return call.run();
            } catch (KubernetesClientException e) {
                last = e;
                if (!ApplyError.retriable(e.getCode(), message(e))) {
                    throw new ClusterFailure(ApplyError.reason(e.getCode(), message(e)), what + ": " + message(e));
                }
                LOG.debugf("%s failed (attempt %d): %s", what, attempt, message(e));
            }
            if (attempt < config.attempts()) {
                try {
                    TimeUnit.MILLISECONDS.sleep(
                            backoff + ThreadLocalRandom.current().nextLong(backoff / 2 + 1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                backoff *= 2;
            }
        }
        throw new ClusterFailure(
                Reason.ClusterUnreachable, what + ": " + (last == null ? "interrupted" : message(last)));
    }

    private static String message(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return e.getStatus().getMessage();
        }
        return e.getMessage();
    }
}
