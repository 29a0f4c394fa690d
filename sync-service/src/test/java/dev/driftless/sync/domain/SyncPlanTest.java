package dev.driftless.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.events.ProjectRules;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.Target;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SyncPlanTest {

    static final Target PRUNING = new Target("default", "shop", true, true, false, true);

    /** A project that may apply every cluster-scoped kind, as a platform team's own application would. */
    static final ProjectRules PLATFORM =
            new ProjectRules("platform", List.of(new ProjectRules.KindRule("*", "*")), List.of(), null);

    static final Target PLATFORM_TARGET =
            new Target("default", "shop", true, true, false, true, null, null, null, PLATFORM);

    /**
     * What discovery answers in these tests (the real answer is read from the API server; see SyncPipelineIT): the
     * kinds below, cluster-scoped or not, and nothing else.
     */
    static final KindScopes DISCOVERY = (apiVersion, kind) -> switch (kind) {
        case "Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding" ->
            Optional.of(KindScopes.Scope.CLUSTER);
        case "Service", "Deployment", "ConfigMap", "Ingress", "ServiceAccount", "Secret" ->
            Optional.of(KindScopes.Scope.NAMESPACED);
        default -> Optional.empty();
    };

    static SyncPlan plan(RenderSucceeded render) {
        return SyncPlan.of(render, DISCOVERY);
    }

    static Map<String, Object> object(String apiVersion, String kind, String name, String namespace) {
        Map<String, Object> metadata = new java.util.LinkedHashMap<>();
        metadata.put("name", name);
        if (namespace != null) {
            metadata.put("namespace", namespace);
        }
        return Map.of("apiVersion", apiVersion, "kind", kind, "metadata", metadata);
    }

    static RenderSucceeded render(Target target, List<Map<String, Object>> manifests) {
        return new RenderSucceeded(
                "shop",
                "https://h/r",
                "refs/heads/main",
                "c".repeat(40),
                "apps/shop",
                "sha256:" + "0".repeat(64),
                manifests,
                target,
                "t",
                Instant.now(),
                1);
    }

    @Test
    void objectsAreAppliedNamespacesFirstThenConfigThenWorkloadsThenTheRest() {
        SyncPlan plan = plan(render(
                PLATFORM_TARGET,
                List.of(
                        object("v1", "Service", "web", null),
                        object("apps/v1", "Deployment", "web", null),
                        object("v1", "ConfigMap", "cfg", null),
                        object("networking.k8s.io/v1", "Ingress", "web", null),
                        object("v1", "Namespace", "shop", null),
                        object("apiextensions.k8s.io/v1", "CustomResourceDefinition", "things.example.com", null),
                        object("v1", "ServiceAccount", "web", null))));

        assertThat(plan.apply())
                .extracting(d -> d.ref().kind())
                .containsExactly(
                        "Namespace",
                        "CustomResourceDefinition",
                        "ConfigMap",
                        "ServiceAccount",
                        "Deployment",
                        "Service",
                        "Ingress");
    }

    @Test
    void namespacedObjectsGetTheDestinationAndEveryObjectOurLabelsAndAnnotations() {
        SyncPlan plan = plan(render(
                PLATFORM_TARGET,
                List.of(
                        object("v1", "ConfigMap", "cfg", null),
                        object("rbac.authorization.k8s.io/v1", "ClusterRole", "r", "ignored"))));

        assertThat(plan.apply())
                .extracting(SyncPlan.Desired::ref)
                .containsExactly(
                        new ObjectRef("rbac.authorization.k8s.io/v1", "ClusterRole", null, "r"),
                        new ObjectRef("v1", "ConfigMap", "shop", "cfg"));
        @SuppressWarnings("unchecked")
        Map<String, Object> metadata =
                (Map<String, Object>) plan.apply().get(1).manifest().get("metadata");
        assertThat(metadata).containsEntry("namespace", "shop");
        assertThat(metadata.get("labels"))
                .isEqualTo(Map.of("app.kubernetes.io/managed-by", "driftless", "driftless.dev/application", "shop"));
        assertThat(metadata.get("annotations"))
                .isEqualTo(Map.of(
                        "driftless.dev/commit",
                        "c".repeat(40),
                        "driftless.dev/bundle-digest",
                        "sha256:" + "0".repeat(64)));
    }

    @Test
    void anObjectAimedAtAnotherNamespaceIsRefused() {
        SyncPlan plan = plan(render(PRUNING, List.of(object("v1", "ConfigMap", "cfg", "kube-system"))));

        assertThat(plan.apply()).isEmpty();
        assertThat(plan.refused()).singleElement().satisfies(r -> assertThat(r.reason())
                .isEqualTo(Reason.NamespaceNotAllowed));
        assertThat(plan.refusedAsEmpty()).isFalse();

        Target allowing = new Target("default", "shop", true, true, false, true, null, null, List.of("shop-jobs"));
        SyncPlan allowed = plan(render(allowing, List.of(object("v1", "ConfigMap", "cfg", "shop-jobs"))));
        assertThat(allowed.apply())
                .singleElement()
                .satisfies(d -> assertThat(d.ref().namespace()).isEqualTo("shop-jobs"));
        assertThat(allowed.refused()).isEmpty();
    }

    @Test
    void theDefaultProjectAppliesNoClusterScopedKindAndOneForbiddenObjectForbidsThePlan() {
        SyncPlan plan = plan(render(
                PRUNING,
                List.of(
                        object("v1", "ConfigMap", "cfg", null),
                        object("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "own-cluster-admin", null),
                        object("v1", "Namespace", "other-team", null))));

        assertThat(plan.forbidden())
                .extracting(SyncPlan.Refused::reason)
                .containsExactly(Reason.KindNotAllowed, Reason.KindNotAllowed);
        assertThat(plan.forbidden().get(0).message()).contains("cluster-scoped", "project default");
        assertThat(plan(render(PRUNING, List.of(object("v1", "ConfigMap", "cfg", "kube-system"))))
                        .forbidden())
                .extracting(SyncPlan.Refused::reason)
                .containsExactly(Reason.NamespaceNotAllowed);
        assertThat(plan(render(PRUNING, List.of(object("v1", "ConfigMap", "cfg", null))))
                        .forbidden())
                .isEmpty();
    }

    @Test
    void aProjectAllowsTheClusterKindsItListsAndDeniesTheNamespacedKindsItDenies() {
        ProjectRules rbacOnly = new ProjectRules(
                "team",
                List.of(new ProjectRules.KindRule("rbac.authorization.k8s.io", "ClusterRole")),
                List.of(new ProjectRules.KindRule("", "Secret")),
                null);
        Target target = new Target("default", "shop", true, true, false, true, null, null, null, rbacOnly);

        SyncPlan plan = plan(render(
                target,
                List.of(
                        object("rbac.authorization.k8s.io/v1", "ClusterRole", "reader", null),
                        object("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "binding", null),
                        object("v1", "Secret", "token", null))));

        assertThat(plan.apply()).extracting(d -> d.ref().kind()).containsExactly("ClusterRole");
        assertThat(plan.forbidden())
                .extracting(r -> r.ref().kind() + " " + r.reason())
                .containsExactly("ClusterRoleBinding KindNotAllowed", "Secret KindNotAllowed");
    }

    @Test
    void aKindNoApiServerServesTakesItsScopeFromACrdInTheBundleOrIsUnknown() {
        Map<String, Object> crd = new java.util.LinkedHashMap<>(
                object("apiextensions.k8s.io/v1", "CustomResourceDefinition", "gadgets.example.com", null));
        crd.put("spec", Map.of("group", "example.com", "scope", "Cluster", "names", Map.of("kind", "Gadget")));

        SyncPlan plan = plan(render(
                PLATFORM_TARGET,
                List.of(
                        crd,
                        object("example.com/v1", "Gadget", "g", "shop"),
                        object("example.com/v1", "Gizmo", "z", null))));

        assertThat(plan.apply())
                .extracting(SyncPlan.Desired::ref)
                .contains(new ObjectRef("example.com/v1", "Gadget", null, "g"));
        assertThat(plan.refused()).singleElement().satisfies(r -> assertThat(r.reason())
                .isEqualTo(Reason.KindUnknown));
        assertThat(plan.forbidden()).isEmpty();
        // the same kind in the default project: cluster-scoped, so not allowed
        assertThat(plan(render(PRUNING, List.of(crd, object("example.com/v1", "Gadget", "g", null))))
                        .forbidden())
                .hasSize(2);
    }

    @Test
    void pruneTakesWhatLeftGitButNeverNamespacesClaimsOrCrdsAndNothingWithoutPrune() {
        List<ObjectRef> previous = List.of(
                new ObjectRef("v1", "ConfigMap", "shop", "kept"),
                new ObjectRef("v1", "Service", "shop", "gone"),
                new ObjectRef("apps/v1beta1", "Deployment", "shop", "old"),
                new ObjectRef("v1", "PersistentVolumeClaim", "shop", "data"),
                new ObjectRef("v1", "Namespace", null, "shop"),
                new ObjectRef("apiextensions.k8s.io/v1", "CustomResourceDefinition", null, "widgets.example.com"));
        SyncPlan plan = plan(render(PRUNING, List.of(object("v1", "ConfigMap", "kept", null))));

        assertThat(plan.toPrune(previous)).extracting(ObjectRef::name).containsExactly("gone", "old");

        Target noPrune = new Target("default", "shop", false, true, false, true);
        assertThat(plan(render(noPrune, List.of())).toPrune(previous)).isEmpty();
    }

    @Test
    void theSameObjectInAnotherApiVersionIsNotPruned() {
        SyncPlan plan = plan(render(PRUNING, List.of(object("apps/v1", "Deployment", "web", null))));

        assertThat(plan.toPrune(List.of(new ObjectRef("apps/v1beta2", "Deployment", "shop", "web"))))
                .isEmpty();
    }

    @Test
    void anEmptyRenderIsRefusedUnlessAllowed() {
        assertThat(plan(render(PRUNING, List.of())).refusedAsEmpty()).isTrue();
        Target allowEmpty = new Target("default", "shop", true, true, true, true);
        assertThat(plan(render(allowEmpty, List.of())).refusedAsEmpty()).isFalse();
    }

    @Test
    void transientAnswersAreRetriedAndOthersGetAReason() {
        assertThat(ApplyError.retriable(
                        409, "Operation cannot be fulfilled on configmaps \"a\": the object has been modified"))
                .isTrue();
        assertThat(ApplyError.retriable(409, "Apply failed with 1 conflict: conflict with \"kubectl\": .data.a"))
                .isFalse();
        assertThat(ApplyError.retriable(0)).isTrue();
        assertThat(ApplyError.retriable(503)).isTrue();
        assertThat(ApplyError.retriable(429)).isTrue();
        assertThat(ApplyError.retriable(422)).isFalse();
        assertThat(ApplyError.reason(422, "x")).isEqualTo(Reason.ApplyInvalid);
        assertThat(ApplyError.reason(403, "x")).isEqualTo(Reason.Forbidden);
        // the real API server's answer for new content in a namespace being deleted
        assertThat(ApplyError.reason(
                        403,
                        "configmaps \"driftless-inventory-shop\" is forbidden: unable to create new content in"
                                + " namespace driftless-system because it is being terminated"))
                .isEqualTo(Reason.NamespaceTerminating);
        assertThat(ApplyError.reason(409, "x")).isEqualTo(Reason.ApplyConflict);
        assertThat(ApplyError.reason(404, "namespaces \"x\" not found")).isEqualTo(Reason.NamespaceNotFound);
        assertThat(ApplyError.reason(404, "the server could not find the requested resource"))
                .isEqualTo(Reason.KindUnknown);
    }

    static Map<String, Object> annotated(String kind, Map<String, Object> metadata) {
        return Map.of("apiVersion", "v1", "kind", kind, "metadata", metadata);
    }

    @Test
    @SuppressWarnings("unchecked")
    void hooksAreRunNotAppliedNorKeptAndCarryNoManagedByLabel() {
        SyncPlan plan = plan(render(
                PRUNING,
                List.of(
                        annotated(
                                "ConfigMap",
                                Map.of(
                                        "generateName",
                                        "seed-",
                                        "annotations",
                                        Map.of("argocd.argoproj.io/hook", "PreSync"))),
                        annotated(
                                "ConfigMap",
                                Map.of("name", "skipped", "annotations", Map.of("argocd.argoproj.io/hook", "Skip"))),
                        object("v1", "ConfigMap", "settings", null))));

        assertThat(plan.apply()).extracting(d -> d.ref().name()).containsExactly("settings");
        assertThat(plan.wanted()).extracting(ObjectRef::name).containsExactly("settings");
        assertThat(plan.hooks(Hooks.Phase.PreSync)).singleElement().satisfies(hook -> {
            assertThat(hook.generatedName()).isTrue();
            assertThat(hook.ref().name()).isEqualTo("seed-");
            assertThat(hook.ref().namespace()).as("filled in like any object's").isEqualTo("shop");
            Map<?, ?> metadata = (Map<?, ?>) hook.manifest().get("metadata");
            assertThat((Map<String, Object>) metadata.get("labels"))
                    .containsEntry(SyncPlan.APPLICATION, "shop")
                    .containsEntry(Hooks.HOOK_LABEL, "true")
                    .doesNotContainKey(SyncPlan.MANAGED_BY);
            assertThat((Map<String, Object>) metadata.get("annotations")).containsEntry(Hooks.GENERATE_NAME, "seed-");
        });
        assertThat(plan.hooks(Hooks.Phase.PostSync)).isEmpty();
    }

    @Test
    void generateNameIsOnlyForHooks() {
        SyncPlan plan = plan(render(PRUNING, List.of(annotated("ConfigMap", Map.of("generateName", "x-")))));

        assertThat(plan.apply()).isEmpty();
        assertThat(plan.refused()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(Reason.ApplyInvalid);
            assertThat(r.message()).contains("generateName is only for hooks");
        });
    }

    @Test
    void argoCdSyncWavesOrderTheApply() {
        SyncPlan plan = plan(render(
                PRUNING,
                List.of(
                        annotated(
                                "ConfigMap",
                                Map.of("name", "late", "annotations", Map.of("argocd.argoproj.io/sync-wave", "2"))),
                        annotated(
                                "ConfigMap",
                                Map.of(
                                        "name",
                                        "early",
                                        "annotations",
                                        Map.of("argocd.argoproj.io/sync-wave", "-1"))))));

        assertThat(plan.waves()).hasSize(2);
        assertThat(plan.apply()).extracting(d -> d.ref().name()).containsExactly("early", "late");
    }

    @Test
    void aHookBeyondItsProjectForbidsThePlanLikeAnyObject() {
        SyncPlan plan = plan(render(
                PRUNING,
                List.of(annotated(
                        "ConfigMap",
                        Map.of(
                                "name",
                                "elsewhere",
                                "namespace",
                                "kube-system",
                                "annotations",
                                Map.of("driftless.dev/hook", "PreSync"))))));

        assertThat(plan.forbidden()).singleElement().satisfies(r -> assertThat(r.reason())
                .isEqualTo(Reason.NamespaceNotAllowed));
        assertThat(plan.hooks()).isEmpty();
    }
}
