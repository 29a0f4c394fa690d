package dev.driftless.sync.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.devstack.kube.ControlPlane;
import dev.driftless.devstack.kube.ControlPlaneTestResource;
import dev.driftless.events.EventType;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Target;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The RBAC that deploy/ gives sync-service covers every call its code makes, judged by a real API server: sync-service
 * signs in as its own ServiceAccount with exactly the rights of {@code deploy/kubernetes/base/sync-service-rbac.yaml}
 * (applied by {@link ControlPlaneTestResource}), every flow runs (apply with waves and health, drift watch and
 * self-heal, prune, removal, status and diff), and the API server's audit log of its requests must show no refusal.
 * A call added to the code without its verb in the manifests fails here, as it would in production.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(ControlPlaneTestResource.class)
class RbacCoversEveryCallIT {

    static final Duration WAIT = Duration.ofSeconds(30);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.cluster.admin-kubeconfig", defaultValue = "unset: only with the control plane")
    Path adminKubeconfig;

    @ConfigProperty(name = "test.cluster.audit-log", defaultValue = "unset: only with the control plane")
    Path auditLog;

    @Test
    @SuppressWarnings("unchecked")
    void theClusterRoleAllowsEveryCallSyncServiceMakes() throws Exception {
        String app = "rbac-" + UUID.randomUUID().toString().substring(0, 8);
        int before = ControlPlane.requests(auditLog).size();
        try (EventProbe probe = new EventProbe(bootstrap);
                // the cluster administrator, to change things behind sync-service's back
                KubernetesClient someoneElse =
                        dev.driftless.devstack.kube.ControlPlaneTestResource.client(adminKubeconfig)) {
            Target target = new Target("default", app, true, true, false, true);
            Map<String, Object> configMap = object("v1", "ConfigMap", "settings", Map.of("data", Map.of("a", "b")));
            Map<String, Object> deployment = SyncPipelineIT.DEPLOYMENT;
            Map<String, Object> later =
                    object("v1", "Service", "web", Map.of("spec", Map.of("ports", List.of(Map.of("port", 80)))));
            ((Map<String, Object>) later.get("metadata")).put("annotations", Map.of("driftless.dev/sync-wave", "1"));
            SyncReport first =
                    RenderDriver.syncThrough(probe, app, List.of(configMap, deployment, later), target, WAIT);
            assertThat(first.status()).isEqualTo("Succeeded");

            someoneElse.configMaps().inNamespace(app).withName("settings").edit(cm -> {
                cm.getData().put("a", "changed");
                return cm;
            });
            Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(someoneElse
                            .configMaps()
                            .inNamespace(app)
                            .withName("settings")
                            .get()
                            .getData())
                    .containsEntry("a", "b"));
            io.restassured.RestAssured.given()
                    .auth()
                    .oauth2("test-token-0123456789")
                    .get("/api/applications/{name}/diff", app)
                    .then()
                    .statusCode(200);
            io.restassured.RestAssured.given()
                    .auth()
                    .oauth2("test-token-0123456789")
                    .get("/api/applications/{name}/status", app)
                    .then()
                    .statusCode(200);

            SyncReport pruned = RenderDriver.syncThrough(probe, app, List.of(configMap), target, WAIT);
            assertThat(pruned.resources())
                    .extracting(SyncReport.ResourceResult::action)
                    .contains("pruned");

            probe.send(
                    new dev.driftless.events.Envelope(
                            EventType.APPLICATION_REMOVED,
                            UUID.randomUUID().toString(),
                            app,
                            java.time.Instant.now(),
                            Map.of()),
                    new dev.driftless.events.ApplicationRemoved(
                            app, "https://h/r", target, "catalog", java.time.Instant.now()),
                    app,
                    "urn:test",
                    RenderDriver.RENDER_SERVICE);
            Awaitility.await()
                    .atMost(WAIT)
                    .until(() -> someoneElse
                                    .configMaps()
                                    .inNamespace("driftless-system")
                                    .withName("driftless-inventory-" + app)
                                    .get()
                            == null);
        }

        List<String> calls = ControlPlane.requests(auditLog);
        List<String> mine = calls.subList(before, calls.size());
        assertThat(mine)
                .as("sync-service's requests, as the API server's audit log has them")
                .anyMatch(line -> line.startsWith("GET ") && line.contains("watch=true"))
                .anyMatch(line -> line.startsWith("PATCH "))
                .anyMatch(line -> line.startsWith("DELETE "));
        assertThat(mine)
                .as("requests sync-service made that its RBAC does not allow")
                .noneMatch(line -> line.endsWith(" 403"));
        assertThat(mine)
                .as("writes sync-service made as itself: only its inventory, in its own namespace, and the status of"
                        + " the application's resource")
                .filteredOn(line -> !line.startsWith("GET ") && !line.contains(" as "))
                .allMatch(line -> line.contains("/namespaces/driftless-system/configmaps/driftless-inventory-")
                        || line.startsWith(
                                "PATCH /apis/driftless.dev/v1alpha1/namespaces/driftless-system/applications/" + app
                                        + "/status ")
                        || line.contains("selfsubjectaccessreviews"));
        assertThat(mine)
                .as("the application's objects are written as the deployer sync-service impersonates")
                .anyMatch(line -> line.startsWith("PATCH /api/v1/namespaces/" + app + "/configmaps/settings")
                        && line.contains(" as system:serviceaccount:driftless-system:driftless-deployer "));
    }

    /**
     * The shipped RBAC, asked of the real API server with SubjectAccessReviews for sync-service's identity: what would
     * let a tenant's commit (or a compromised sync-service) reach cluster-admin is denied; what the code needs is
     * allowed. Fails when deploy/kubernetes/base/sync-service-rbac.yaml grows a wildcard or loses a rule.
     */
    @Test
    void theShippedRbacDeniesEverythingThatLeadsToClusterAdmin() throws Exception {
        try (KubernetesClient admin = dev.driftless.devstack.kube.ControlPlaneTestResource.client(adminKubeconfig)) {
            record Ask(String verb, String group, String resource, String subresource, String namespace, String name) {}
            java.util.function.Predicate<Ask> allowed = ask -> {
                var review = new io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder()
                        .withNewSpec()
                        .withUser(ControlPlane.SYNC_SERVICE_USER)
                        .withGroups(
                                "system:serviceaccounts",
                                "system:serviceaccounts:driftless-system",
                                "system:authenticated")
                        .withNewResourceAttributes()
                        .withVerb(ask.verb())
                        .withGroup(ask.group())
                        .withResource(ask.resource())
                        .withSubresource(ask.subresource())
                        .withNamespace(ask.namespace())
                        .withName(ask.name())
                        .endResourceAttributes()
                        .endSpec()
                        .build();
                return admin.authorization()
                        .v1()
                        .subjectAccessReview()
                        .create(review)
                        .getStatus()
                        .getAllowed();
            };
            List<Ask> denied = List.of(
                    new Ask("create", "", "serviceaccounts", "token", "kube-system", "default"),
                    new Ask("create", "", "serviceaccounts", "token", "team-a", "driftless-deployer"),
                    new Ask("create", "", "pods", "exec", "team-a", "web"),
                    new Ask("get", "", "pods", "exec", "team-a", "web"),
                    new Ask("list", "", "secrets", null, null, null),
                    new Ask("get", "", "secrets", null, "kube-system", "any"),
                    new Ask("list", "", "secrets", null, "driftless-system", null),
                    new Ask("impersonate", "", "serviceaccounts", null, "kube-system", "default"),
                    new Ask("impersonate", "", "users", null, null, "admin"),
                    new Ask("impersonate", "", "groups", null, null, "system:masters"),
                    new Ask("create", "rbac.authorization.k8s.io", "clusterrolebindings", null, null, null),
                    new Ask("patch", "rbac.authorization.k8s.io", "clusterroles", null, null, "admin"),
                    new Ask("bind", "rbac.authorization.k8s.io", "clusterroles", null, null, "cluster-admin"),
                    new Ask("escalate", "rbac.authorization.k8s.io", "clusterroles", null, null, "cluster-admin"),
                    new Ask("patch", "apps", "deployments", null, "team-a", "web"),
                    new Ask("create", "", "namespaces", null, null, null),
                    new Ask("delete", "", "configmaps", null, "team-a", "settings"),
                    new Ask(
                            "create",
                            "admissionregistration.k8s.io",
                            "validatingwebhookconfigurations",
                            null,
                            null,
                            null));
            List<Ask> needed = List.of(
                    new Ask("impersonate", "", "serviceaccounts", null, "team-a", "driftless-deployer"),
                    new Ask("impersonate", "", "serviceaccounts", null, "driftless-system", "driftless-deployer"),
                    new Ask("list", "apps", "deployments", null, null, null),
                    new Ask("watch", "apps", "deployments", null, null, null),
                    new Ask("watch", "", "configmaps", null, null, null),
                    new Ask("list", "", "namespaces", null, null, null),
                    new Ask("watch", "", "namespaces", null, null, null),
                    new Ask("get", "", "namespaces", null, null, "default"),
                    new Ask("get", "", "configmaps", null, "driftless-system", "driftless-inventory-shop"),
                    new Ask("list", "", "configmaps", null, "driftless-system", null),
                    new Ask("patch", "", "configmaps", null, "driftless-system", "driftless-inventory-shop"),
                    new Ask("create", "", "configmaps", null, "driftless-system", "driftless-inventory-shop"),
                    new Ask("delete", "", "configmaps", null, "driftless-system", "driftless-inventory-shop"));
            assertThat(denied).as("allowed to sync-service, and must not be").noneMatch(allowed);
            assertThat(needed)
                    .as("denied to sync-service, and its code needs it")
                    .allMatch(allowed);
        }
    }

    static Map<String, Object> object(String apiVersion, String kind, String name, Map<String, Object> extra) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("apiVersion", apiVersion);
        object.put("kind", kind);
        object.put("metadata", new LinkedHashMap<>(Map.of("name", name)));
        object.putAll(extra);
        return object;
    }
}
