package dev.driftless.sync.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.devstack.kube.ControlPlane;
import dev.driftless.devstack.kube.ControlPlaneTestResource;
import dev.driftless.events.DeadLetter;
import dev.driftless.events.EventCodec;
import dev.driftless.events.EventType;
import dev.driftless.events.ProjectRules;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Target;
import dev.driftless.events.Topics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * sync-service through a real broker against a real Kubernetes control plane (kube-apiserver, etcd and
 * kube-controller-manager; sync-service signs in with deploy/'s RBAC): apply, label, inventory, prune, health from
 * real rollouts, drift, and the refusals that keep a bad render from emptying a namespace. Faults a real API server
 * cannot be made to show are in {@link SyncFaultsIT}, on the sandbox.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(ControlPlaneTestResource.class)
class SyncPipelineIT {

    static final Duration WAIT = Duration.ofSeconds(30);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.cluster.admin-kubeconfig", defaultValue = "unset: only with the control plane")
    Path adminKubeconfig;

    @ConfigProperty(name = "test.cluster.audit-log", defaultValue = "unset: only with the control plane")
    Path auditLog;

    @jakarta.inject.Inject
    dev.driftless.sync.drift.DriftWatcher drift;

    /** The cluster administrator: checks what is in the cluster and changes things behind sync-service's back. */
    KubernetesClient cluster;

    EventProbe probe;
    String app;

    @BeforeEach
    void setUp() throws java.io.IOException {
        probe = new EventProbe(bootstrap);
        app = "shop-" + UUID.randomUUID().toString().substring(0, 8);
        cluster = dev.driftless.devstack.kube.ControlPlaneTestResource.client(adminKubeconfig);
    }

    @AfterEach
    void tearDown() {
        probe.close();
        cluster.close();
    }

    static Map<String, Object> object(String apiVersion, String kind, String name, Map<String, Object> extra) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("apiVersion", apiVersion);
        object.put("kind", kind);
        object.put("metadata", Map.of("name", name));
        object.putAll(extra);
        return object;
    }

    static Map<String, Object> configMap(String message) {
        return object("v1", "ConfigMap", "demo-config", Map.of("data", Map.of("message", message)));
    }

    static final Map<String, Object> DEPLOYMENT = object(
            "apps/v1",
            "Deployment",
            "web",
            Map.of(
                    "spec",
                    Map.of(
                            "replicas",
                            1,
                            "selector",
                            Map.of("matchLabels", Map.of("app", "web")),
                            "template",
                            Map.of(
                                    "metadata",
                                    Map.of("labels", Map.of("app", "web")),
                                    "spec",
                                    Map.of("containers", List.of(Map.of("name", "web", "image", "nginx:1.27")))))));
    static final Map<String, Object> CLAIM = object(
            "v1",
            "PersistentVolumeClaim",
            "data",
            Map.of(
                    "spec",
                    Map.of(
                            "accessModes",
                            List.of("ReadWriteOnce"),
                            "resources",
                            Map.of("requests", Map.of("storage", "1Gi")))));
    static final Map<String, Object> SERVICE =
            object("v1", "Service", "web", Map.of("spec", Map.of("ports", List.of(Map.of("port", 80)))));

    SyncReport render(List<Map<String, Object>> manifests, boolean allowEmpty) {
        return RenderDriver.syncThrough(
                probe, app, manifests, new Target("default", app, true, true, allowEmpty, true), WAIT);
    }

    static String action(SyncReport report, String kind) {
        return report.resources().stream()
                .filter(r -> r.kind().equals(kind))
                .findFirst()
                .orElseThrow()
                .action();
    }

    @Test
    void aRenderIsAppliedLabelledAndInventoriedAndWhatLeavesGitIsPruned() {
        SyncReport first = render(List.of(configMap("hello"), DEPLOYMENT, SERVICE), false);

        assertThat(first.status()).isEqualTo("Succeeded");
        assertThat(first.resources())
                .extracting(SyncReport.ResourceResult::action)
                .containsOnly("created");
        var stored =
                cluster.configMaps().inNamespace(app).withName("demo-config").get();
        assertThat(stored.getData()).containsEntry("message", "hello");
        assertThat(stored.getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/managed-by", "driftless")
                .containsEntry("driftless.dev/application", app);
        assertThat(stored.getMetadata().getAnnotations()).containsEntry("driftless.dev/commit", first.commit());
        assertThat(cluster.configMaps()
                        .inNamespace("driftless-system")
                        .withName("driftless-inventory-" + app)
                        .get())
                .isNotNull();

        SyncReport second = render(List.of(configMap("changed"), DEPLOYMENT), false);

        assertThat(second.status()).isEqualTo("Succeeded");
        assertThat(action(second, "ConfigMap")).isEqualTo("configured");
        assertThat(action(second, "Service")).isEqualTo("pruned");
        assertThat(cluster.configMaps()
                        .inNamespace(app)
                        .withName("demo-config")
                        .get()
                        .getData())
                .containsEntry("message", "changed");
        assertThat(cluster.services().inNamespace(app).withName("web").get()).isNull();
        assertThat(cluster.apps().deployments().inNamespace(app).withName("web").get())
                .isNotNull();
    }

    @jakarta.inject.Inject
    dev.driftless.sync.kube.Clusters clusters;

    @Test
    void anApplyTellsTheGenerationAndUidItLeftTheObjectAtForTheHealthChecksToWaitFor() throws Exception {
        // what the health monitor reads no watch's copy older than (HealthMonitorTest shows the waiting itself)
        cluster.namespaces()
                .resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                        .withNewMetadata()
                        .withName(app)
                        .endMetadata()
                        .build())
                .create();
        // applied here as sync-service itself (a sync applies as its project's ServiceAccount), allowed to edit there
        cluster.rbac()
                .roleBindings()
                .inNamespace(app)
                .resource(new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder()
                        .withNewMetadata()
                        .withName("sync-service-edits")
                        .endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "edit")
                        .addNewSubject()
                        .withKind("ServiceAccount")
                        .withName("sync-service")
                        .withNamespace("driftless-system")
                        .endSubject()
                        .build())
                .create();
        var ref = new dev.driftless.sync.domain.ObjectRef("apps/v1", "Deployment", app, "web");
        Map<String, Object> deployment = new LinkedHashMap<>(DEPLOYMENT);
        deployment.put("metadata", Map.of("name", "web", "namespace", app));
        var target = clusters.named("default");
        var claim = new dev.driftless.sync.domain.Adoption.Claim(app, true, true);

        var created = target.apply(ref, deployment, true, dev.driftless.sync.kube.Cluster.Prior.UNKNOWN, claim);
        Map<String, Object> scaled = new LinkedHashMap<>(deployment);
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = new LinkedHashMap<>((Map<String, Object>) DEPLOYMENT.get("spec"));
        spec.put("replicas", 2);
        scaled.put("spec", spec);
        var changed = target.apply(ref, scaled, true, dev.driftless.sync.kube.Cluster.Prior.UNKNOWN, claim);

        var live = cluster.apps().deployments().inNamespace(app).withName("web").get();
        assertThat(created.action()).isEqualTo(dev.driftless.sync.kube.Cluster.Action.created);
        assertThat(created.generation()).isEqualTo(1);
        assertThat(changed.generation())
                .isEqualTo(2)
                .isEqualTo(live.getMetadata().getGeneration());
        assertThat(changed.uid())
                .isNotBlank()
                .isEqualTo(created.uid())
                .isEqualTo(live.getMetadata().getUid());
    }

    @Test
    void aNamespaceDeletedSinceTheLastSyncIsCreatedAgain() {
        assertThat(render(List.of(configMap("hello")), false).status()).isEqualTo("Succeeded");
        // sync-service remembers namespaces it ensured; this one vanishes behind its back. (Its own namespace,
        // driftless-system, holds its RBAC and is not created again: sync-service may create no namespace itself.)
        cluster.namespaces().withName(app).delete();

        SyncReport again = render(List.of(configMap("again")), false);

        assertThat(again.status()).isEqualTo("Succeeded");
        assertThat(cluster.namespaces().withName(app).get()).isNotNull();
        assertThat(cluster.configMaps()
                        .inNamespace(app)
                        .withName("demo-config")
                        .get()
                        .getData())
                .containsEntry("message", "again");
    }

    @Test
    void aSyncIntoANamespaceStillBeingDeletedWaitsUntilItIsGoneAndCreatesItAgain() throws Exception {
        assertThat(render(List.of(configMap("hello")), false).status()).isEqualTo("Succeeded");
        // an object with a finalizer nobody removes keeps the namespace Terminating, as a slow controller would
        cluster.configMaps()
                .inNamespace(app)
                .resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("held")
                        .addToFinalizers("test.driftless.dev/hold")
                        .endMetadata()
                        .build())
                .create();
        cluster.namespaces().withName(app).delete();
        await().atMost(WAIT)
                .until(() ->
                        cluster.namespaces().withName(app).get().getMetadata().getDeletionTimestamp() != null);

        var sync = java.util.concurrent.CompletableFuture.supplyAsync(() -> render(List.of(configMap("after")), false));
        // the API server refuses new content in it; sync-service watches the namespace until it is gone
        await().atMost(WAIT).untilAsserted(() -> assertThat(ControlPlane.requests(auditLog))
                .anyMatch(line -> line.startsWith("GET /api/v1/namespaces?")
                        && line.contains("metadata.name%3D" + app)
                        && line.contains("watch=true")));
        assertThat(sync).as("still waiting for the namespace").isNotDone();
        cluster.configMaps().inNamespace(app).withName("held").edit(cm -> {
            cm.getMetadata().setFinalizers(List.of());
            return cm;
        });

        SyncReport report = sync.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertThat(report.status()).as(String.valueOf(report)).isEqualTo("Succeeded");
        assertThat(cluster.configMaps()
                        .inNamespace(app)
                        .withName("demo-config")
                        .get()
                        .getData())
                .containsEntry("message", "after");
    }

    @Test
    void aNewApplicationsFirstSyncReadsItsInventoryOnce() throws java.io.IOException {
        int before = ControlPlane.requests(auditLog).size();

        assertThat(render(List.of(configMap("hello")), false).status()).isEqualTo("Succeeded");

        // the newest-applied check finds none in the watch and asks the API server; the prune list is that answer
        assertThat(inventoryReadsSince(before)).as("reads of the inventory").isEqualTo(1);
    }

    @Test
    void aSyncPrunesFromTheWatchsCopyOfTheInventoryItWroteAndFromTheApiServersOnceAnyoneElseWroteIt() throws Exception {
        render(List.of(configMap("hello"), extraObject(0)), false);
        java.util.concurrent.atomic.AtomicInteger version = new java.util.concurrent.atomic.AtomicInteger();

        // once the watch has brought the inventory this replica wrote, a sync prunes from that copy, asking nothing:
        // each sync here drops the object the one before added
        await().atMost(WAIT).untilAsserted(() -> {
            int before = ControlPlane.requests(auditLog).size();
            int n = version.incrementAndGet();
            SyncReport changed = render(List.of(configMap("v" + n), extraObject(n)), false);

            assertThat(changed.resources())
                    .extracting(r -> r.name() + "/" + r.action())
                    .as("the object the sync before added, pruned: " + changed)
                    .contains("extra-" + (n - 1) + "/pruned");
            assertThat(inventoryReadsSince(before)).as("reads of the inventory").isZero();
        });
        assertThat(cluster.configMaps()
                        .inNamespace(app)
                        .withName("extra-" + (version.get() - 1))
                        .get())
                .isNull();

        // written by someone else since (another replica, or by hand): the API server's copy is the one pruned from
        cluster.configMaps().inNamespace(app).resource(labelled("stray-object")).create();
        var edited = cluster.configMaps()
                .inNamespace("driftless-system")
                .withName("driftless-inventory-" + app)
                .edit(inventory -> {
                    inventory
                            .getData()
                            .put(
                                    "objects",
                                    "[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"namespace\":\"" + app
                                            + "\",\"name\":\"demo-config\"},{\"apiVersion\":\"v1\",\"kind\":"
                                            + "\"ConfigMap\",\"namespace\":\"" + app
                                            + "\",\"name\":\"stray-object\"}]");
                    return inventory;
                });
        // sync-service's watch has the edit (so only its resource version tells it is not this replica's)
        await().atMost(WAIT).until(() -> drift.cachedInventory(clusters.named("default"), app)
                .map(copy -> ((Map<?, ?>) copy.get("metadata")).get("resourceVersion"))
                .filter(edited.getMetadata().getResourceVersion()::equals)
                .isPresent());
        int before = ControlPlane.requests(auditLog).size();

        SyncReport next = render(List.of(configMap("after")), false);

        assertThat(next.resources())
                .as(String.valueOf(next))
                .extracting(r -> r.name() + "/" + r.action())
                .contains("stray-object/pruned");
        assertThat(cluster.configMaps()
                        .inNamespace(app)
                        .withName("stray-object")
                        .get())
                .isNull();
        assertThat(inventoryReadsSince(before)).as("reads of the inventory").isEqualTo(1);
    }

    /** The {@code n}th extra ConfigMap of a render. */
    static Map<String, Object> extraObject(int n) {
        return object("v1", "ConfigMap", "extra-" + n, Map.of("data", Map.of("n", String.valueOf(n))));
    }

    /** A ConfigMap someone else makes with this application's labels. */
    io.fabric8.kubernetes.api.model.ConfigMap labelled(String name) {
        return new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels("app.kubernetes.io/managed-by", "driftless")
                .addToLabels("driftless.dev/application", app)
                .endMetadata()
                .build();
    }

    /** The requests sync-service made to read this application's inventory, since the audit log had so many lines. */
    long inventoryReadsSince(int before) throws java.io.IOException {
        List<String> calls = ControlPlane.requests(auditLog);
        return calls.subList(before, calls.size()).stream()
                .filter(line ->
                        line.matches("GET /api/v1/namespaces/[^/]+/configmaps/driftless-inventory-" + app + " \\d+"))
                .count();
    }

    @Test
    void onceTheDriftWatchSeesAnApplicationItsSyncsReadNeitherItsObjectsNorItsNamespace() {
        render(List.of(configMap("hello"), SERVICE), false);
        java.util.concurrent.atomic.AtomicInteger version = new java.util.concurrent.atomic.AtomicInteger();

        // the first syncs may still read (the watch starts after the first one); then only applies remain
        await().atMost(WAIT).untilAsserted(() -> {
            int before = ControlPlane.requests(auditLog).size();
            SyncReport changed = render(List.of(configMap("v" + version.incrementAndGet()), SERVICE), false);
            List<String> calls = ControlPlane.requests(auditLog);

            assertThat(action(changed, "ConfigMap")).isEqualTo("configured");
            assertThat(calls.subList(before, calls.size()))
                    .noneMatch(line -> line.startsWith("GET /api/v1/namespaces/" + app + " ")
                            || line.startsWith("GET /api/v1/namespaces/" + app + "/"))
                    .anyMatch(line -> line.startsWith("PATCH /api/v1/namespaces/" + app + "/configmaps/demo-config"));
        });
        assertThat(cluster.configMaps()
                        .inNamespace(app)
                        .withName("demo-config")
                        .get()
                        .getData())
                .containsEntry("message", "v" + version.get());
    }

    @Test
    void anObjectWithPruneDisabledOrWithoutOurLabelsIsNeverPruned() {
        Map<String, Object> optedOut = object("v1", "ConfigMap", "keep-me", Map.of("data", Map.of("kept", "yes")));
        optedOut.put("metadata", Map.of("name", "keep-me", "annotations", Map.of("driftless.dev/prune", "disabled")));
        Map<String, Object> relabelled =
                object("v1", "ConfigMap", "taken-over", Map.of("data", Map.of("owner", "someone")));
        assertThat(render(List.of(configMap("hello"), optedOut, relabelled, SERVICE), false)
                        .status())
                .isEqualTo("Succeeded");
        // a person takes one object over: it no longer carries Driftless's labels
        cluster.configMaps().inNamespace(app).withName("taken-over").edit(cm -> {
            cm.getMetadata().getLabels().remove("app.kubernetes.io/managed-by");
            cm.getMetadata().getLabels().remove("driftless.dev/application");
            return cm;
        });

        SyncReport pruned = render(List.of(configMap("hello")), false);

        assertThat(pruned.status()).isEqualTo("Succeeded");
        assertThat(action(pruned, "Service")).isEqualTo("pruned");
        assertThat(cluster.services().inNamespace(app).withName("web").get()).isNull();
        assertThat(cluster.configMaps().inNamespace(app).withName("keep-me").get())
                .as("driftless.dev/prune: disabled")
                .isNotNull();
        assertThat(cluster.configMaps().inNamespace(app).withName("taken-over").get())
                .as("no longer labelled as ours")
                .isNotNull();
    }

    /**
     * The review's hijack (H5): application B, allowed into A's namespace, declares A's ConfigMap. It is refused,
     * A's object and label stay, and when B drops it from Git, B's prune leaves A's object alone.
     */
    @Test
    void anObjectAnotherApplicationAppliedIsNeverTakenOverNorPrunedByTheSecond() {
        Map<String, Object> shared = object("v1", "ConfigMap", "shared", Map.of("data", Map.of("owner", "a")));
        assertThat(render(List.of(shared), false).status()).isEqualTo("Succeeded");
        String other = app + "-b";
        Target intruding = new Target("default", other, true, true, false, true, null, null, List.of(app));
        Map<String, Object> claimed = object("v1", "ConfigMap", "shared", Map.of("data", Map.of("owner", "b")));
        claimed.put("metadata", Map.of("name", "shared", "namespace", app));

        SyncReport refused = RenderDriver.syncThrough(probe, other, List.of(configMap("b"), claimed), intruding, WAIT);

        assertThat(refused.status()).isEqualTo("Failed");
        assertThat(refused.resources()).anySatisfy(r -> {
            assertThat(r.name()).isEqualTo("shared");
            assertThat(r.reason()).isEqualTo("OwnedByOtherApplication");
            assertThat(r.message()).contains("belongs to application " + app);
        });
        var live = cluster.configMaps().inNamespace(app).withName("shared").get();
        assertThat(live.getData()).containsEntry("owner", "a");
        assertThat(live.getMetadata().getLabels()).containsEntry("driftless.dev/application", app);

        SyncReport dropped = RenderDriver.syncThrough(probe, other, List.of(configMap("b")), intruding, WAIT);
        assertThat(dropped.status()).isEqualTo("Succeeded");
        assertThat(cluster.configMaps().inNamespace(app).withName("shared").get())
                .as("A's object, after B dropped it")
                .isNotNull();
    }

    @Test
    void anUnmanagedObjectIsTakenOverOnlyWhenTheApplicationAdoptsIt() {
        assertThat(render(List.of(configMap("hello")), false).status()).isEqualTo("Succeeded");
        cluster.configMaps()
                .inNamespace(app)
                .resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("by-hand")
                        .endMetadata()
                        .addToData("made", "by a person")
                        .build())
                .create();
        Map<String, Object> declared = object("v1", "ConfigMap", "by-hand", Map.of("data", Map.of("made", "in git")));

        SyncReport refused = render(List.of(configMap("hello"), declared), false);

        assertThat(refused.status()).isEqualTo("Failed");
        assertThat(refused.resources()).anySatisfy(r -> assertThat(r.reason()).isEqualTo("AdoptionRefused"));
        assertThat(cluster.configMaps()
                        .inNamespace(app)
                        .withName("by-hand")
                        .get()
                        .getData())
                .containsEntry("made", "by a person");

        declared.put("metadata", Map.of("name", "by-hand", "annotations", Map.of("driftless.dev/adopt", "true")));
        SyncReport adopted = render(List.of(configMap("hello"), declared), false);

        assertThat(adopted.status()).as(String.valueOf(adopted)).isEqualTo("Succeeded");
        var live = cluster.configMaps().inNamespace(app).withName("by-hand").get();
        assertThat(live.getData()).containsEntry("made", "in git");
        assertThat(live.getMetadata().getLabels()).containsEntry("driftless.dev/application", app);
    }

    @Test
    void aCrdTheApiServerCannotEstablishFailsTheSyncWithCrdNotEstablishedAndAppliesNothingAfterIt() {
        String group = app + ".example.com";
        Map<String, Object> widgets = crd(group, "widgets", "Widget");
        assertThat(RenderDriver.syncThrough(probe, app, List.of(widgets), platform(2), WAIT)
                        .status())
                .isEqualTo("Succeeded");
        // a second CRD of the same group with the same kind: the real API server refuses its names (KindConflict)
        Map<String, Object> conflicting = crd(group, "gadgets", "Widget");
        Target target = platform(2);

        SyncReport report = RenderDriver.syncThrough(
                probe, app, List.of(widgets, conflicting, configMap("after the crds")), target, WAIT);

        assertThat(report.status()).isEqualTo("Failed");
        assertThat(report.reason()).isEqualTo("CrdNotEstablished");
        assertThat(cluster.configMaps().inNamespace(app).withName("demo-config").get())
                .as("nothing after the CRD was applied")
                .isNull();
    }

    /** The target of a platform team's application: its project may apply CustomResourceDefinitions. */
    Target platform(Integer progressDeadlineSeconds) {
        ProjectRules crds = new ProjectRules(
                "platform",
                List.of(new ProjectRules.KindRule("apiextensions.k8s.io", "CustomResourceDefinition")),
                List.of(),
                null);
        return new Target("default", app, true, true, false, true, progressDeadlineSeconds, null, null, crds);
    }

    static Map<String, Object> crd(String group, String plural, String kind) {
        Map<String, Object> crd = new LinkedHashMap<>();
        crd.put("apiVersion", "apiextensions.k8s.io/v1");
        crd.put("kind", "CustomResourceDefinition");
        crd.put("metadata", Map.of("name", plural + "." + group));
        crd.put(
                "spec",
                Map.of(
                        "group",
                        group,
                        "scope",
                        "Namespaced",
                        "names",
                        Map.of("plural", plural, "singular", plural.substring(0, plural.length() - 1), "kind", kind),
                        "versions",
                        List.of(Map.of(
                                "name",
                                "v1",
                                "served",
                                true,
                                "storage",
                                true,
                                "schema",
                                Map.of(
                                        "openAPIV3Schema",
                                        Map.of("type", "object", "x-kubernetes-preserve-unknown-fields", true))))));
        return crd;
    }

    @Test
    void anEmptyRenderNeverEmptiesTheNamespace() {
        render(List.of(configMap("hello"), SERVICE), false);

        SyncReport empty = render(List.of(), false);

        assertThat(empty.status()).isEqualTo("Failed");
        assertThat(empty.reason()).isEqualTo("PruneRefusedEmptyRender");
        assertThat(cluster.services().inNamespace(app).withName("web").get()).isNotNull();
    }

    @Test
    void anObjectAimedAtAnotherNamespaceFailsTheSyncAndNothingIsAppliedOrPruned() {
        render(List.of(configMap("hello"), SERVICE), false);
        Map<String, Object> elsewhere = object("v1", "ConfigMap", "sneaky", Map.of());
        elsewhere.put("metadata", Map.of("name", "sneaky", "namespace", "kube-system"));

        SyncReport report = render(List.of(configMap("changed"), elsewhere), false);

        assertThat(report.status()).isEqualTo("Failed");
        assertThat(report.reason()).isEqualTo("NamespaceNotAllowed");
        assertThat(report.message()).contains("nothing was applied");
        assertThat(report.resources()).anySatisfy(r -> {
            assertThat(r.name()).isEqualTo("sneaky");
            assertThat(r.action()).isEqualTo("failed");
            assertThat(r.reason()).isEqualTo("NamespaceNotAllowed");
        });
        assertThat(cluster.configMaps()
                        .inNamespace("kube-system")
                        .withName("sneaky")
                        .get())
                .isNull();
        assertThat(cluster.configMaps()
                        .inNamespace(app)
                        .withName("demo-config")
                        .get()
                        .getData())
                .as("the rest of the render was not applied either")
                .containsEntry("message", "hello");
        assertThat(cluster.services().inNamespace(app).withName("web").get())
                .as("not pruned")
                .isNotNull();
    }

    /**
     * The review's cluster-admin escape (C1): a tenant commits a ClusterRoleBinding of cluster-admin to its own
     * ServiceAccount, a webhook configuration and a Namespace. Its application is in the default project, which
     * allows no cluster-scoped kind, as the real API server's discovery names them; nothing of it is created.
     */
    @Test
    void aTenantRenderWithClusterScopedKindsIsRefusedWholeAndNothingOfItReachesTheCluster() {
        Map<String, Object> binding = object(
                "rbac.authorization.k8s.io/v1",
                "ClusterRoleBinding",
                app + "-admin",
                Map.of(
                        "roleRef",
                        Map.of("apiGroup", "rbac.authorization.k8s.io", "kind", "ClusterRole", "name", "cluster-admin"),
                        "subjects",
                        List.of(Map.of("kind", "ServiceAccount", "name", "default", "namespace", app))));
        Map<String, Object> webhook = object(
                "admissionregistration.k8s.io/v1",
                "ValidatingWebhookConfiguration",
                app + "-hook",
                Map.of("webhooks", List.of()));
        Map<String, Object> namespace = object("v1", "Namespace", app + "-other", Map.of());

        SyncReport report = render(List.of(configMap("hello"), binding, webhook, namespace), false);

        assertThat(report.status()).isEqualTo("Failed");
        assertThat(report.reason()).isEqualTo("KindNotAllowed");
        assertThat(report.message()).contains("project default", "nothing was applied");
        assertThat(report.resources())
                .filteredOn(r -> "KindNotAllowed".equals(r.reason()))
                .extracting(SyncReport.ResourceResult::kind)
                .containsExactlyInAnyOrder("ClusterRoleBinding", "ValidatingWebhookConfiguration", "Namespace");
        assertThat(cluster.rbac().clusterRoleBindings().withName(app + "-admin").get())
                .isNull();
        assertThat(cluster.admissionRegistration()
                        .v1()
                        .validatingWebhookConfigurations()
                        .withName(app + "-hook")
                        .get())
                .isNull();
        assertThat(cluster.namespaces().withName(app + "-other").get()).isNull();
        assertThat(cluster.configMaps().inNamespace(app).withName("demo-config").get())
                .as("not even the allowed objects of the render")
                .isNull();

        // the same binding in a project that allows ClusterRoleBindings is applied
        ProjectRules platform = new ProjectRules(
                "platform",
                List.of(new ProjectRules.KindRule("rbac.authorization.k8s.io", "ClusterRoleBinding")),
                List.of(),
                null);
        Map<String, Object> reader = object(
                "rbac.authorization.k8s.io/v1",
                "ClusterRoleBinding",
                app + "-view",
                Map.of(
                        "roleRef",
                        Map.of("apiGroup", "rbac.authorization.k8s.io", "kind", "ClusterRole", "name", "view"),
                        "subjects",
                        List.of(Map.of("kind", "ServiceAccount", "name", "default", "namespace", app))));
        SyncReport allowed = RenderDriver.syncThrough(
                probe,
                app,
                List.of(configMap("hello"), reader),
                new Target("default", app, true, true, false, true, null, null, null, platform),
                WAIT);
        assertThat(allowed.status()).as(String.valueOf(allowed)).isEqualTo("Succeeded");
        assertThat(cluster.rbac().clusterRoleBindings().withName(app + "-view").get())
                .isNotNull();
    }

    @Test
    void anApplicationThatLeftTheCatalogIsPrunedOnlyWithPruneAndNeverItsNamespace() throws java.io.IOException {
        SyncReport applied = render(List.of(configMap("hello"), SERVICE, CLAIM), false);
        assertThat(applied.status()).isEqualTo("Succeeded");
        assertThat(series("driftless_sync_health", app)).hasSize(1);
        assertThat(series("driftless_sync_drifted_objects", app)).hasSize(1);
        assertThat(series("driftless_sync_drift_detected_total", app)).hasSize(1);
        int before = ControlPlane.requests(auditLog).size();

        String removal = removed(new Target("default", app, true, true, false, true));

        SyncReport removalReport = org.awaitility.Awaitility.await()
                .atMost(WAIT)
                .until(
                        () ->
                                probe
                                        .readToEnd(Topics.SYNCS, r -> app.equals(r.key()) && RenderDriver.isReport(r))
                                        .stream()
                                        .map(r -> EventCodec.decode(SyncReport.class, r.value()))
                                        .filter(r -> removal.equals(r.triggeredBy()))
                                        .findFirst(),
                        java.util.Optional::isPresent)
                .orElseThrow();
        assertThat(removalReport.status()).isEqualTo("Succeeded");
        assertThat(removalReport.resources())
                .extracting(r -> r.kind() + "/" + r.action())
                .containsExactlyInAnyOrder("ConfigMap/pruned", "Service/pruned");
        assertThat(cluster.services().inNamespace(app).withName("web").get()).isNull();
        assertThat(cluster.persistentVolumeClaims()
                        .inNamespace(app)
                        .withName("data")
                        .get())
                .as("claims are never pruned")
                .isNotNull();
        assertThat(cluster.namespaces().withName(app).get())
                .as("nor namespaces")
                .isNotNull();
        assertThat(cluster.configMaps()
                        .inNamespace("driftless-system")
                        .withName("driftless-inventory-" + app)
                        .get())
                .as("the inventory goes with the application")
                .isNull();
        assertThat(inventoryReadsSince(before))
                .as("reads of the inventory to remove the application (its claim, then what to prune)")
                .isEqualTo(1);
        assertThat(series("driftless_sync_health", app))
                .as("nor any series of it in the metrics")
                .isEmpty();
        assertThat(series("driftless_sync_drifted_objects", app)).isEmpty();
        assertThat(series("driftless_sync_drift_detected_total", app)).isEmpty();
    }

    /** The lines of one metric of this application in sync-service's Prometheus scrape. */
    private static List<String> series(String metric, String application) {
        return io.restassured.RestAssured.given()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString()
                .lines()
                .filter(line -> line.startsWith(metric + "{") && line.contains("application=\"" + application + "\""))
                .toList();
    }

    @Test
    void anApplicationWithoutPruneThatLeftTheCatalogKeepsItsObjects() {
        Target noPrune = new Target("default", app, false, false, false, true);
        RenderDriver.syncThrough(probe, app, List.of(configMap("stays")), noPrune, WAIT);

        removed(noPrune);
        // a later render of the same application is handled after the removal (one key, one partition, in order)
        RenderDriver.syncThrough(probe, app, List.of(SERVICE), noPrune, WAIT);

        assertThat(cluster.configMaps().inNamespace(app).withName("demo-config").get())
                .as("left in the cluster")
                .isNotNull();
        assertThat(probe.readToEnd(Topics.SYNCS, r -> app.equals(r.key()) && RenderDriver.isReport(r)))
                .as("the removal without prune reported nothing")
                .hasSize(2);
    }

    String removed(Target target) {
        String id = UUID.randomUUID().toString();
        probe.send(
                new dev.driftless.events.Envelope(
                        EventType.APPLICATION_REMOVED, id, app, java.time.Instant.now(), Map.of()),
                new dev.driftless.events.ApplicationRemoved(
                        app, "https://h/r", target, "catalog/" + app + ".yaml", java.time.Instant.now()),
                app,
                "urn:test",
                RenderDriver.RENDER_SERVICE);
        return id;
    }

    /** The health changes of the application published so far, in order. */
    List<dev.driftless.events.HealthChanged> healthChanges() {
        return probe
                .readToEnd(
                        Topics.SYNCS,
                        r -> app.equals(r.key())
                                && EventType.HEALTH_CHANGED.type().equals(r.ce("type")))
                .stream()
                .map(r -> EventCodec.decode(dev.driftless.events.HealthChanged.class, r.value()))
                .toList();
    }

    /**
     * The object with a sync wave and an outcome for the simulated kubelet: on the Pod template, where the kubelet
     * sees it ({@code progressing}: the Pods never start, so the real rollout never completes).
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> simulated(Map<String, Object> object, String outcome, String wave) {
        Map<String, Object> copy = new LinkedHashMap<>(object);
        Map<String, Object> annotations = new LinkedHashMap<>();
        if (wave != null) {
            annotations.put("driftless.dev/sync-wave", wave);
        }
        copy.put(
                "metadata",
                Map.of("name", ((Map<?, ?>) object.get("metadata")).get("name"), "annotations", annotations));
        Map<String, Object> spec = (Map<String, Object>) object.get("spec");
        if (outcome != null && spec != null && spec.get("template") instanceof Map<?, ?> template) {
            Map<String, Object> podMetadata = new LinkedHashMap<>((Map<String, Object>) template.get("metadata"));
            podMetadata.put("annotations", Map.of("sandbox.driftless.dev/simulate", outcome));
            Map<String, Object> newTemplate = new LinkedHashMap<>((Map<String, Object>) template);
            newTemplate.put("metadata", podMetadata);
            Map<String, Object> newSpec = new LinkedHashMap<>(spec);
            newSpec.put("template", newTemplate);
            copy.put("spec", newSpec);
        }
        return copy;
    }

    @Test
    void workloadsBecomeHealthyAndTheChangeIsPublishedAndShown() {
        // the real controllers roll the Deployment out and run the Job; the simulated kubelet starts their Pods
        Map<String, Object> job = object(
                "batch/v1",
                "Job",
                "migrate",
                Map.of(
                        "spec",
                        Map.of(
                                "completions",
                                1,
                                "template",
                                Map.of(
                                        "spec",
                                        Map.of(
                                                "restartPolicy",
                                                "Never",
                                                "containers",
                                                List.of(Map.of("name", "migrate", "image", "busybox")))))));
        Map<String, Object> balancer = object(
                "v1",
                "Service",
                "public",
                Map.of("spec", Map.of("type", "LoadBalancer", "ports", List.of(Map.of("port", 80)))));
        SyncReport synced = render(List.of(DEPLOYMENT, job, CLAIM, balancer, configMap("hi")), false);
        assertThat(synced.status()).isEqualTo("Succeeded");

        org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(healthChanges())
                .last()
                .satisfies(h -> assertThat(h.current()).isEqualTo("Healthy")));
        assertThat(healthChanges().get(0).commit()).isEqualTo(synced.commit());
        io.restassured.RestAssured.given()
                .auth()
                .oauth2("test-token-0123456789")
                .get("/api/applications/{name}/status", app)
                .then()
                .log()
                .ifValidationFails()
                .statusCode(200)
                .body("health.health.state", org.hamcrest.Matchers.equalTo("Healthy"))
                .body("lastSync.commit", org.hamcrest.Matchers.equalTo(synced.commit()))
                .body("health.objects.size()", org.hamcrest.Matchers.equalTo(5))
                // each object's health under its kind, namespace and name
                .body(
                        "health.objects.'ConfigMap/" + app + "/demo-config'.state",
                        org.hamcrest.Matchers.equalTo("Healthy"));
        // one series per application, tagged with its health now (not one per state, 0 for all but one)
        assertThat(series("driftless_sync_health", app))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("health=\"Healthy\"")
                .endsWith(" 1.0");
        io.restassured.RestAssured.given()
                .auth()
                .oauth2("test-token-0123456789")
                .get("/api/applications/{name}/status", "never-synced")
                .then()
                .statusCode(404);
        // the API needs a token, and a token limited to other applications sees nothing of this one
        io.restassured.RestAssured.given()
                .get("/api/applications/{name}/status", app)
                .then()
                .statusCode(401);
        for (String path : List.of("/api/applications/{name}/status", "/api/applications/{name}/diff")) {
            io.restassured.RestAssured.given()
                    .auth()
                    .oauth2("shop-token-0123456789")
                    .get(path, app)
                    .then()
                    .statusCode(403)
                    .body("reason", org.hamcrest.Matchers.equalTo("Forbidden"));
        }
    }

    @Test
    void everyCommitsHealthIsReportedEvenWhenItIsTheHealthOfTheCommitBefore() {
        SyncReport first = render(List.of(configMap("one")), false);
        org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(healthChanges())
                .anySatisfy(h -> assertThat(h.commit() + " " + h.current()).isEqualTo(first.commit() + " Healthy")));
        // a ConfigMap is healthy as soon as it is there: Healthy before, Healthy after, and still a report of its own,
        // which the commit's trace (push → healthy) and the DORA lead time to healthy need
        SyncReport second = render(List.of(configMap("two")), false);
        assertThat(second.commit()).isNotEqualTo(first.commit());
        org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(healthChanges())
                .anySatisfy(h -> assertThat(h.commit() + " " + h.current()).isEqualTo(second.commit() + " Healthy")));
        assertThat(healthChanges())
                .filteredOn(h -> h.commit().equals(second.commit()))
                .hasSize(1);
    }

    @Test
    void aHealthyApplicationWhoseRolloutStallsIsSeenThroughTheWatchNotAfterARecheck() {
        // the test profile rechecks a healthy application only every 10 minutes: what is seen here, the watch told
        SyncReport synced = RenderDriver.syncThrough(
                probe,
                app,
                List.of(DEPLOYMENT),
                new Target("default", app, true, false, false, true, 600, null, null),
                WAIT);
        assertThat(synced.status()).isEqualTo("Succeeded");
        org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(healthChanges())
                .extracting(dev.driftless.events.HealthChanged::current)
                .containsSubsequence("Healthy"));

        // someone rolls out Pods that never become ready (drift, not healed here): the old Pod keeps serving, so the
        // rollout is not done though every replica counts as updated and available
        cluster.apps().deployments().inNamespace(app).withName("web").edit(d -> {
            d.getSpec()
                    .getTemplate()
                    .getMetadata()
                    .setAnnotations(Map.of("sandbox.driftless.dev/simulate", "progressing"));
            return d;
        });

        org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(healthChanges())
                .filteredOn(h -> h.commit().equals(synced.commit()))
                .extracting(dev.driftless.events.HealthChanged::current)
                .containsSubsequence("Healthy", "Progressing"));
        // and it stays so once the controller has observed the change, not Healthy again beside the old Pod
        org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() -> io.restassured.RestAssured.given()
                .auth()
                .oauth2("test-token-0123456789")
                .get("/api/applications/{name}/status", app)
                .then()
                .statusCode(200)
                .body("health.health.state", org.hamcrest.Matchers.equalTo("Progressing"))
                .body(
                        "health.health.reason",
                        org.hamcrest.Matchers.containsString("old replica(s) pending termination")));
    }

    @Test
    void aRolloutStuckPastTheApplicationsDeadlineIsDegraded() {
        SyncReport synced = RenderDriver.syncThrough(
                probe,
                app,
                List.of(simulated(DEPLOYMENT, "progressing", null)),
                new Target("default", app, true, true, false, true, 2, null, null),
                WAIT);
        assertThat(synced.status()).isEqualTo("Succeeded");

        org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(healthChanges())
                .extracting(dev.driftless.events.HealthChanged::current)
                .contains("Progressing", "Degraded"));
    }

    /**
     * Sends a render whose first wave (a Deployment whose Pods never start) holds its sync until the progress deadline,
     * and waits until that wave is applied: the sync then waits for it, holding the application's lane. Its commit.
     */
    static String sendHeldByItsFirstWave(
            EventProbe probe, KubernetesClient cluster, String app, int progressDeadlineSeconds) {
        String commit = RenderDriver.send(
                probe,
                app,
                List.of(simulated(DEPLOYMENT, "progressing", "-1"), simulated(configMap("after"), null, "1")),
                new Target("default", app, true, true, false, true, progressDeadlineSeconds, null, null),
                java.time.Instant.now());
        org.awaitility.Awaitility.await()
                .atMost(WAIT)
                .alias("the first wave of " + app + " applied; its sync now waits for it to be healthy")
                .until(() -> !cluster.apps()
                        .deployments()
                        .inNamespace(app)
                        .list()
                        .getItems()
                        .isEmpty());
        return commit;
    }

    @Test
    void anApplicationWaitingForItsWaveHoldsUpNoOtherApplicationOfItsPartition() {
        String quick = OwnershipIT.onPartition("quick-", partitionOf(app));
        String waiting = sendHeldByItsFirstWave(probe, cluster, app, 20);

        SyncReport other = RenderDriver.syncThrough(
                probe, quick, List.of(configMap("quick")), new Target("default", quick, true, true, false, true), WAIT);

        assertThat(other.status()).isEqualTo("Succeeded");
        assertThat(probe.readToEnd(
                        Topics.SYNCS,
                        r -> app.equals(r.key()) && waiting.equals(r.ce("commit")) && RenderDriver.isReport(r)))
                .as("the application on the same partition is still waiting for its wave")
                .isEmpty();
    }

    @Test
    void theSyncReportContinuesTheTraceOfTheRenderItSynced() {
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String commit = UUID.randomUUID().toString().replace("-", "") + "01234567";
        RenderSucceeded render = new RenderSucceeded(
                app,
                "https://h/r",
                "refs/heads/main",
                commit,
                "apps/" + app,
                "sha256:" + "1".repeat(64),
                List.of(configMap("traced")),
                new Target("default", app, true, true, false, true),
                "push",
                java.time.Instant.now(),
                3);
        String id = UUID.randomUUID().toString();
        Map<String, String> headers = new LinkedHashMap<>(
                EventProbe.cloudEventHeaders(id, dev.driftless.events.EventType.RENDER_SUCCEEDED.type()));
        headers.put("ce_commit", commit);
        headers.put("content-type", "application/json");
        headers.put("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01");
        String value = EventCodec.encode(render);
        RenderDriver.RENDER_SERVICE
                .sign(id, dev.driftless.events.EventType.RENDER_SUCCEEDED.type(), value)
                .forEach((name, signature) -> headers.put("ce_" + name, signature));
        probe.sendRaw(Topics.RENDERS, app, value, headers);

        List<EventProbe.Received> reports = probe.read(
                Topics.SYNCS,
                r -> app.equals(r.key()) && commit.equals(r.ce("commit")) && RenderDriver.isReport(r),
                1,
                WAIT);
        assertThat(reports).hasSize(1);
        assertThat(reports.get(0).headers().get("traceparent"))
                .as("the report's trace context")
                .startsWith("00-" + traceId + "-");
        // the commit's health, found later on another thread, ends the same trace (push → healthy)
        List<EventProbe.Received> health = probe.read(
                Topics.SYNCS,
                r -> app.equals(r.key()) && EventType.HEALTH_CHANGED.type().equals(r.ce("type")),
                1,
                WAIT);
        assertThat(health).hasSize(1);
        assertThat(health.get(0).headers().get("traceparent"))
                .as("the health change's trace context")
                .startsWith("00-" + traceId + "-");
    }

    static int partitionOf(String application) {
        return org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                        application.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                % 3;
    }

    @Test
    void aWaveIsAppliedOnlyOnceTheWaveBeforeIsHealthy() {
        Target target = new Target("default", app, true, true, false, true, 2, null, null);
        SyncReport stuck = RenderDriver.syncThrough(
                probe,
                app,
                List.of(simulated(DEPLOYMENT, "progressing", "-1"), simulated(configMap("after"), null, "1")),
                target,
                WAIT);
        assertThat(stuck.status()).isEqualTo("Failed");
        assertThat(stuck.reason()).isEqualTo("WaveNotHealthy");
        assertThat(cluster.configMaps().inNamespace(app).withName("demo-config").get())
                .as("the later wave was not applied")
                .isNull();

        SyncReport rolled = RenderDriver.syncThrough(
                probe,
                app,
                List.of(simulated(DEPLOYMENT, "ready", "-1"), simulated(configMap("after"), null, "1")),
                target,
                WAIT);
        assertThat(rolled.status()).isEqualTo("Succeeded");
        assertThat(cluster.configMaps().inNamespace(app).withName("demo-config").get())
                .isNotNull();
    }

    /**
     * A CustomResourceDefinition shaped like the Prometheus operator's: an OpenAPI schema of many described fields,
     * about {@code fields} × 180 bytes.
     */
    static Map<String, Object> bigCrd(String group, String plural, String kind, int fields) {
        Map<String, Object> properties = new LinkedHashMap<>();
        for (int i = 0; i < fields; i++) {
            properties.put(
                    "field" + i,
                    Map.of(
                            "type",
                            "string",
                            "description",
                            "Field " + i + " of the " + kind + " spec: a description as long as the Prometheus"
                                    + " operator writes them, in every field of its CRDs."));
        }
        Map<String, Object> crd = crd(group, plural, kind);
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = new LinkedHashMap<>((Map<String, Object>) crd.get("spec"));
        spec.put(
                "versions",
                List.of(Map.of(
                        "name",
                        "v1",
                        "served",
                        true,
                        "storage",
                        true,
                        "schema",
                        Map.of(
                                "openAPIV3Schema",
                                Map.of(
                                        "type",
                                        "object",
                                        "properties",
                                        Map.of("spec", Map.of("type", "object", "properties", properties)))))));
        crd.put("spec", spec);
        return crd;
    }

    /**
     * Several MB of CRDs, as charts like the Prometheus operator's carry them: the render travels compressed
     * ({@code manifestsGzip}), is applied with server-side apply, and every CRD is established.
     */
    @Test
    void aBundleOfSeveralMegabytesOfCrdsTravelsCompressedAndIsApplied() {
        String group = app + ".example.com";
        List<Map<String, Object>> crds = new java.util.ArrayList<>();
        for (String kind : List.of("Alpha", "Bravo", "Charlie", "Delta")) {
            crds.add(bigCrd(group, kind.toLowerCase() + "s", kind, 4_000));
        }
        String gzip = RenderSucceeded.compress(crds);
        assertThat(EventCodec.mapper().valueToTree(crds).toString().length())
                .as("the bundle as it is")
                .isGreaterThan(2_500_000);
        assertThat(gzip.length()).as("as it travels").isLessThan(900_000);
        String commit = UUID.randomUUID().toString().replace("-", "") + "01234567";
        RenderSucceeded render = new RenderSucceeded(
                app,
                "https://h/r",
                "refs/heads/main",
                commit,
                "apps/" + app,
                "sha256:" + "2".repeat(64),
                List.of(),
                platform(120),
                "push",
                java.time.Instant.now(),
                3,
                gzip);
        probe.send(
                new dev.driftless.events.Envelope(
                        EventType.RENDER_SUCCEEDED,
                        UUID.randomUUID().toString(),
                        app,
                        java.time.Instant.now(),
                        Map.of("commit", commit)),
                render,
                app,
                "urn:test",
                RenderDriver.RENDER_SERVICE);

        List<EventProbe.Received> reports = probe.read(
                Topics.SYNCS,
                r -> app.equals(r.key()) && commit.equals(r.ce("commit")) && RenderDriver.isReport(r),
                1,
                Duration.ofMinutes(2));
        assertThat(reports).hasSize(1);
        SyncReport report = EventCodec.decode(SyncReport.class, reports.get(0).value());
        assertThat(report.status()).as(String.valueOf(report)).isEqualTo("Succeeded");
        assertThat(report.resources()).hasSize(4);
        for (String kind : List.of("alphas", "bravos", "charlies", "deltas")) {
            assertThat(cluster.apiextensions()
                            .v1()
                            .customResourceDefinitions()
                            .withName(kind + "." + group)
                            .get()
                            .getStatus()
                            .getConditions())
                    .anySatisfy(
                            c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Established=True"));
        }
    }

    @Test
    void aCrdIsEstablishedBeforeItsCustomResourcesAreApplied() {
        Map<String, Object> crd = crd(app + ".example.com", "widgets", "Widget");
        Map<String, Object> widget =
                object(app + ".example.com/v1", "Widget", "first", Map.of("spec", Map.of("size", 3)));
        SyncReport report = RenderDriver.syncThrough(
                probe, app, List.of(widget, configMap("after the crd"), crd), platform(null), WAIT);
        assertThat(report.status()).as(String.valueOf(report)).isEqualTo("Succeeded");
        assertThat(report.resources())
                .extracting(SyncReport.ResourceResult::kind)
                .containsExactly("CustomResourceDefinition", "ConfigMap", "Widget");
        assertThat(cluster.genericKubernetesResources(app + ".example.com/v1", "Widget")
                        .inNamespace(app)
                        .withName("first")
                        .get())
                .as("the custom resource, applied once its CRD was established")
                .isNotNull();
        var established = cluster.apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName("widgets." + app + ".example.com")
                .get();
        assertThat(established.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Established");
            assertThat(c.getStatus()).isEqualTo("True");
        });
    }

    List<dev.driftless.events.DriftDetected> drifts() {
        return probe
                .readToEnd(
                        Topics.SYNCS,
                        r -> app.equals(r.key())
                                && EventType.DRIFT_DETECTED.type().equals(r.ce("type")))
                .stream()
                .map(r -> EventCodec.decode(dev.driftless.events.DriftDetected.class, r.value()))
                .toList();
    }

    @Test
    void anObjectChangedOrDeletedOutsideDriftlessIsSeenAndHealed() {
        render(List.of(configMap("hello"), SERVICE), false);

        cluster.configMaps().inNamespace(app).withName("demo-config").edit(cm -> {
            cm.getData().put("message", "edited by hand");
            return cm;
        });

        org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(drifts())
                .anySatisfy(drift -> {
                    assertThat(drift.healing()).isTrue();
                    assertThat(drift.differences())
                            .contains(new dev.driftless.events.DriftDetected.Difference(
                                    "ConfigMap/" + app + "/demo-config", "/data/message", "edited by hand", "hello"));
                }));
        org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.configMaps()
                        .inNamespace(app)
                        .withName("demo-config")
                        .get()
                        .getData())
                .containsEntry("message", "hello"));

        cluster.services().inNamespace(app).withName("web").delete();
        org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(
                        cluster.services().inNamespace(app).withName("web").get())
                .as("re-created")
                .isNotNull());
        assertThat(drifts()).anySatisfy(drift -> assertThat(drift.resources()).contains("Service/" + app + "/web"));
    }

    /**
     * A server-side dry-run apply costs the API server about what an apply does: an object unchanged since it last
     * matched Git is read, not asked about again (the full comparison every ten minutes did both for every object of
     * every application); one changed since is.
     */
    @Test
    void aComparisonAsksTheApiServerAboutAnObjectOnlyWhenItChangedSinceItLastMatchedGit() throws Exception {
        Map<String, Object> other = object("v1", "ConfigMap", "other", Map.of("data", Map.of("level", "info")));
        RenderDriver.syncThrough(
                probe,
                app,
                List.of(configMap("hello"), other),
                new Target("default", app, true, false, false, true),
                WAIT);
        // the watch's own first comparison may run beside the first diff: until both are done, the count may move
        int[] seen = {-1};
        org.awaitility.Awaitility.await()
                .atMost(WAIT)
                .alias("two comparisons in a row that asked the API server nothing (nothing changed)")
                .until(() -> {
                    assertThat(diffSaysInSync()).isTrue();
                    int now = dryRuns().size();
                    boolean still = now == seen[0];
                    seen[0] = now;
                    return still;
                });
        int compared = seen[0];
        assertThat(compared)
                .as("the objects were asked about once, when first compared")
                .isPositive();

        cluster.configMaps().inNamespace(app).withName("other").edit(cm -> {
            cm.getData().put("level", "debug");
            return cm;
        });
        assertThat(diffSaysInSync()).isFalse();
        List<String> since = dryRuns().subList(compared, dryRuns().size());
        assertThat(since)
                .as("dry-run applies after one object changed")
                .isNotEmpty()
                .allMatch(line -> line.contains("/configmaps/other?"));
    }

    private boolean diffSaysInSync() {
        return io.restassured.RestAssured.given()
                .auth()
                .oauth2("test-token-0123456789")
                .get("/api/applications/{name}/diff", app)
                .then()
                .statusCode(200)
                .extract()
                .path("inSync");
    }

    /** The server-side dry-run applies sync-service asked for in the application's namespace, oldest first. */
    private List<String> dryRuns() throws java.io.IOException {
        return dev.driftless.devstack.kube.ControlPlane.requests(auditLog).stream()
                .filter(line -> line.startsWith("PATCH /api/v1/namespaces/" + app + "/") && line.contains("dryRun=All"))
                .toList();
    }

    @Test
    void withoutSelfHealDriftIsReportedShownAsADiffAndLeftAlone() {
        SyncReport synced = RenderDriver.syncThrough(
                probe, app, List.of(configMap("hello")), new Target("default", app, true, false, false, true), WAIT);
        io.restassured.RestAssured.given()
                .auth()
                .oauth2("test-token-0123456789")
                .get("/api/applications/{name}/diff", app)
                .then()
                .statusCode(200)
                .body("inSync", org.hamcrest.Matchers.equalTo(true));

        cluster.configMaps().inNamespace(app).withName("demo-config").edit(cm -> {
            cm.getData().put("message", "edited by hand");
            return cm;
        });

        org.awaitility.Awaitility.await()
                .atMost(WAIT)
                .untilAsserted(() -> assertThat(drifts()).singleElement().satisfies(drift -> {
                    assertThat(drift.healing()).isFalse();
                    assertThat(drift.commit()).isEqualTo(synced.commit());
                }));
        io.restassured.RestAssured.given()
                .auth()
                .oauth2("test-token-0123456789")
                .get("/api/applications/{name}/diff", app)
                .then()
                .statusCode(200)
                .body("inSync", org.hamcrest.Matchers.equalTo(false))
                .body("differences[0].path", org.hamcrest.Matchers.equalTo("/data/message"))
                .body("differences[0].live", org.hamcrest.Matchers.equalTo("edited by hand"))
                .body("differences[0].desired", org.hamcrest.Matchers.equalTo("hello"));
        assertThat(cluster.configMaps()
                        .inNamespace(app)
                        .withName("demo-config")
                        .get()
                        .getData())
                .as("left as it was edited")
                .containsEntry("message", "edited by hand");
        io.restassured.RestAssured.given()
                .auth()
                .oauth2("test-token-0123456789")
                .get("/api/applications/{name}/diff", "never-synced")
                .then()
                .statusCode(404);
    }

    @Test
    void anApplicationThatDoesNotForceConflictsFailsAnObjectAnotherManagerOwns() {
        Target polite = new Target("default", app, true, false, false, true, null, false, null);
        RenderDriver.syncThrough(probe, app, List.of(configMap("hello")), polite, WAIT);
        io.fabric8.kubernetes.api.model.ConfigMap theirs = new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata()
                .withName("demo-config")
                .withNamespace(app)
                .endMetadata()
                .addToData("message", "theirs")
                .build();
        cluster.resource(theirs).fieldManager("someone-else").forceConflicts().serverSideApply();

        SyncReport refused = RenderDriver.syncThrough(probe, app, List.of(configMap("ours")), polite, WAIT);

        assertThat(refused.status()).isEqualTo("Failed");
        assertThat(refused.resources()).singleElement().satisfies(r -> assertThat(r.reason())
                .isEqualTo("ApplyConflict"));
        assertThat(cluster.configMaps()
                        .inNamespace(app)
                        .withName("demo-config")
                        .get()
                        .getData())
                .containsEntry("message", "theirs");
    }

    @Test
    void anInventoryLeftByAnEarlierProcessStillPrunesRight() {
        // what a sync-service that has since restarted (or moved to another node) left in the cluster
        cluster.namespaces()
                .resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                        .withNewMetadata()
                        .withName("driftless-system")
                        .endMetadata()
                        .build())
                .serverSideApply();
        cluster.namespaces()
                .resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                        .withNewMetadata()
                        .withName(app)
                        .endMetadata()
                        .build())
                .create();
        cluster.services()
                .inNamespace(app)
                .resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                        .withNewMetadata()
                        .withName("old")
                        .withNamespace(app)
                        .addToLabels("app.kubernetes.io/managed-by", "driftless")
                        .addToLabels("driftless.dev/application", app)
                        .endMetadata()
                        .withNewSpec()
                        .addNewPort()
                        .withPort(80)
                        .endPort()
                        .endSpec()
                        .build())
                .create();
        cluster.configMaps()
                .inNamespace("driftless-system")
                .resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("driftless-inventory-" + app)
                        .withNamespace("driftless-system")
                        .addToAnnotations("driftless.dev/commit", "0".repeat(40))
                        .endMetadata()
                        .addToData(
                                "objects",
                                "[{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"namespace\":\"" + app
                                        + "\",\"name\":\"old\"}]")
                        .build())
                .serverSideApply();

        SyncReport report = render(List.of(configMap("new")), false);

        assertThat(report.status()).isEqualTo("Succeeded");
        assertThat(action(report, "Service")).isEqualTo("pruned");
        assertThat(cluster.services().inNamespace(app).withName("old").get()).isNull();
    }

    /** Writes an application's inventory as another replica (or this one before a restart) would have left it. */
    void inventoryLeftElsewhere(String commit, java.time.Instant renderedAt) {
        cluster.configMaps()
                .inNamespace("driftless-system")
                .withName("driftless-inventory-" + app)
                .edit(cm -> {
                    cm.getMetadata().getAnnotations().put("driftless.dev/commit", commit);
                    cm.getMetadata().getAnnotations().put("driftless.dev/rendered-at", renderedAt.toString());
                    return cm;
                });
    }

    @Test
    void aRenderOlderThanOneAnotherReplicaAppliedIsNeverApplied() {
        Target target = new Target("default", app, true, true, false, true);
        java.time.Instant now = java.time.Instant.now();
        RenderDriver.syncThrough(probe, app, List.of(configMap("first")), target, now.minusSeconds(60), WAIT);
        // another replica (or this one before a restart: nothing of it is in memory here) applied a render made now
        inventoryLeftElsewhere("b".repeat(40), now);

        String older = RenderDriver.send(probe, app, List.of(configMap("older")), target, now.minusSeconds(30));
        SyncReport newer =
                RenderDriver.syncThrough(probe, app, List.of(configMap("newer")), target, now.plusSeconds(1), WAIT);

        // one key, one partition, in order: the older render was handled before the newer one's report
        assertThat(newer.status()).isEqualTo("Succeeded");
        assertThat(probe.readToEnd(Topics.SYNCS, r -> app.equals(r.key()) && RenderDriver.isReport(r)))
                .as("no report for the older render: it was not applied")
                .noneMatch(r -> older.equals(r.ce("commit")));
        assertThat(cluster.configMaps()
                        .inNamespace(app)
                        .withName("demo-config")
                        .get()
                        .getData())
                .containsEntry("message", "newer");
    }

    @Test
    void aReplicaWhoseApplicationWasAppliedElsewhereSinceNeverHealsItBack() {
        SyncReport synced = render(List.of(configMap("ours")), false);
        assertThat(synced.status()).isEqualTo("Succeeded");
        // a partition move: another replica applied a newer commit, and this one's drift watch still holds "ours"
        inventoryLeftElsewhere("c".repeat(40), java.time.Instant.now().plusSeconds(1));
        cluster.configMaps().inNamespace(app).withName("demo-config").edit(cm -> {
            cm.getData().put("message", "the newer commit's");
            return cm;
        });

        // the stale watch lets go of the application (its diff is no longer served here) instead of healing it
        await().atMost(WAIT).untilAsserted(() -> io.restassured.RestAssured.given()
                .auth()
                .oauth2("test-token-0123456789")
                .get("/api/applications/{name}/diff", app)
                .then()
                .statusCode(404));
        assertThat(cluster.configMaps()
                        .inNamespace(app)
                        .withName("demo-config")
                        .get()
                        .getData())
                .as("not rolled back to the commit the stale watch held")
                .containsEntry("message", "the newer commit's");
        assertThat(drifts()).as("and no drift reported against a stale commit").isEmpty();
    }

    /**
     * The broker is not the trust boundary (review C2): a render published straight to the topic, unsigned or signed
     * by a key sync-service does not trust, or a signed one whose content was changed, is set aside as
     * {@code BundleUnsigned} and nothing of it reaches the cluster.
     */
    @Test
    void aForgedRenderIsSetAsideAndNothingOfItIsApplied() {
        Target target = new Target("default", app, true, true, false, true);
        String unsigned =
                RenderDriver.send(probe, app, List.of(configMap("unsigned")), target, java.time.Instant.now(), null);
        String forged = RenderDriver.send(
                probe,
                app,
                List.of(configMap("forged")),
                target,
                java.time.Instant.now(),
                RenderDriver.signer("forger.pem"));
        String commit = UUID.randomUUID().toString().replace("-", "") + "01234567";
        RenderSucceeded genuine = new RenderSucceeded(
                app,
                "https://h/r",
                "refs/heads/main",
                commit,
                "apps/" + app,
                "sha256:" + "1".repeat(64),
                List.of(configMap("genuine")),
                target,
                "push",
                java.time.Instant.now(),
                3);
        String id = UUID.randomUUID().toString();
        Map<String, String> headers =
                new LinkedHashMap<>(EventProbe.cloudEventHeaders(id, EventType.RENDER_SUCCEEDED.type()));
        RenderDriver.RENDER_SERVICE
                .sign(id, EventType.RENDER_SUCCEEDED.type(), EventCodec.encode(genuine))
                .forEach((name, signature) -> headers.put("ce_" + name, signature));
        probe.sendRaw(Topics.RENDERS, app, EventCodec.encode(genuine).replace("genuine", "altered"), headers);

        List<EventProbe.Received> letters = probe.read(Topics.DEADLETTER, r -> app.equals(r.key()), 3, WAIT);
        assertThat(letters)
                .extracting(r -> EventCodec.decode(DeadLetter.class, r.value()))
                .allSatisfy(letter -> assertThat(letter.reason()).isEqualTo("BundleUnsigned"))
                .extracting(DeadLetter::message)
                .anySatisfy(message -> assertThat(message).contains("no signature"))
                .anySatisfy(message -> assertThat(message).contains("not trusted"))
                .anySatisfy(message -> assertThat(message).contains("does not match"));
        assertThat(probe.readToEnd(Topics.SYNCS, r -> app.equals(r.key()) && RenderDriver.isReport(r)))
                .as("no sync of %s, %s or %s", unsigned, forged, commit)
                .isEmpty();
        assertThat(cluster.namespaces().withName(app).get())
                .as("nothing reached the cluster")
                .isNull();

        assertThat(render(List.of(configMap("signed")), false).status())
                .as("a render render-service signed is still applied")
                .isEqualTo("Succeeded");
    }

    @Test
    void anUnreadableRenderIsDeadLettered() {
        probe.sendRaw(
                Topics.RENDERS,
                app,
                "[1,2",
                EventProbe.cloudEventHeaders("bad-" + app, EventType.RENDER_SUCCEEDED.type()));

        List<EventProbe.Received> letters = probe.read(Topics.DEADLETTER, r -> app.equals(r.key()), 1, WAIT);
        assertThat(letters).hasSize(1);
        DeadLetter letter = EventCodec.decode(DeadLetter.class, letters.get(0).value());
        assertThat(letter.reason()).isEqualTo("EventMalformed");
        assertThat(letter.service()).isEqualTo("sync-service");

        assertThat(render(List.of(configMap("after")), false).status())
                .as("the consumer goes on")
                .isEqualTo("Succeeded");
    }

    @Test
    void aRenderWithoutAnApplicationIsDeadLetteredAndTheConsumerGoesOn() {
        // valid JSON, a known type, but no application (and no renderedAt): it once threw inside the consumer
        probe.sendRaw(
                Topics.RENDERS,
                app,
                "{\"repository\":\"https://h/r\",\"commit\":\"" + "a".repeat(40) + "\",\"manifests\":[]}",
                EventProbe.cloudEventHeaders("incomplete-" + app, EventType.RENDER_SUCCEEDED.type()));

        List<EventProbe.Received> letters = probe.read(Topics.DEADLETTER, r -> app.equals(r.key()), 1, WAIT);
        assertThat(letters).hasSize(1);
        DeadLetter letter = EventCodec.decode(DeadLetter.class, letters.get(0).value());
        assertThat(letter.reason()).isEqualTo("EventMalformed");
        assertThat(letter.message()).contains("application");
        assertThat(render(List.of(configMap("after")), false).status())
                .as("the consumer goes on")
                .isEqualTo("Succeeded");
    }
}
