package dev.driftless.sync.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.devstack.kube.ControlPlane;
import dev.driftless.devstack.kube.ControlPlaneTestResource;
import dev.driftless.events.ProjectRules;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Target;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * sync-service applies as the ServiceAccount an application's project names, so the real API server's RBAC has the
 * last word: what that account may not do fails the sync with {@code Forbidden} (user, verb and resource in the
 * message) and is not created, even when the project's own rules would let it through. sync-service's own identity
 * has deploy/'s RBAC, which lets it write nothing itself.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(ControlPlaneTestResource.class)
class ImpersonationIT {

    static final Duration WAIT = Duration.ofSeconds(30);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.cluster.audit-log", defaultValue = "unset: only with the control plane")
    Path auditLog;

    /** A team namespace with its deployer ServiceAccount bound to one built-in ClusterRole there. */
    static String team(KubernetesClient admin, String clusterRole) {
        String namespace = "team-" + UUID.randomUUID().toString().substring(0, 8);
        admin.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(namespace)
                        .endMetadata()
                        .build())
                .create();
        admin.serviceAccounts()
                .inNamespace(namespace)
                .resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName("driftless-deployer")
                        .endMetadata()
                        .build())
                .create();
        admin.rbac()
                .roleBindings()
                .inNamespace(namespace)
                .resource(new RoleBindingBuilder()
                        .withNewMetadata()
                        .withName("driftless-deployer")
                        .endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", clusterRole)
                        .addNewSubject()
                        .withKind("ServiceAccount")
                        .withName("driftless-deployer")
                        .withNamespace(namespace)
                        .endSubject()
                        .build())
                .create();
        return namespace;
    }

    static Target target(String namespace, String serviceAccount, List<String> allowedNamespaces) {
        return new Target(
                "default",
                namespace,
                true,
                false,
                false,
                false,
                null,
                null,
                allowedNamespaces,
                new ProjectRules("teams", List.of(), List.of(), serviceAccount));
    }

    static Map<String, Object> configMap(String namespace, String name) {
        return Map.of(
                "apiVersion",
                "v1",
                "kind",
                "ConfigMap",
                "metadata",
                Map.of("name", name, "namespace", namespace),
                "data",
                Map.of("k", "v"));
    }

    @Test
    void whatTheProjectsServiceAccountMayNotDoFailsForbiddenAndIsNotCreated() throws Exception {
        try (EventProbe probe = new EventProbe(bootstrap);
                KubernetesClient admin = ControlPlaneTestResource.controlPlane().adminClient()) {
            String namespace = team(admin, "view");
            String app = "readonly-" + namespace;

            SyncReport report = RenderDriver.syncThrough(
                    probe,
                    app,
                    List.of(configMap(namespace, "settings")),
                    target(namespace, namespace + "/driftless-deployer", List.of()),
                    WAIT);

            assertThat(report.status()).isEqualTo(SyncReport.FAILED);
            assertThat(report.reason()).isEqualTo("Forbidden");
            assertThat(report.message())
                    .contains("system:serviceaccount:" + namespace + ":driftless-deployer")
                    .contains("patch")
                    .contains("configmaps");
            assertThat(report.resources()).singleElement().satisfies(r -> assertThat(r.reason())
                    .isEqualTo("Forbidden"));
            assertThat(admin.configMaps()
                            .inNamespace(namespace)
                            .withName("settings")
                            .get())
                    .isNull();
            assertThat(admin.configMaps()
                            .inNamespace("driftless-system")
                            .withName("driftless-inventory-" + app)
                            .get())
                    .as("a failed sync stores no inventory")
                    .isNull();
        }
    }

    @Test
    void anotherTeamsNamespaceIsOutOfReachEvenWhenTheProjectWouldAllowIt() throws Exception {
        try (EventProbe probe = new EventProbe(bootstrap);
                KubernetesClient admin = ControlPlaneTestResource.controlPlane().adminClient()) {
            String mine = team(admin, "admin");
            String theirs = team(admin, "admin");
            String app = "reach-" + mine;

            // the project's rules let it through (allowedNamespaces); the deployer's RBAC does not
            SyncReport report = RenderDriver.syncThrough(
                    probe,
                    app,
                    List.of(configMap(mine, "own"), configMap(theirs, "planted")),
                    target(mine, mine + "/driftless-deployer", List.of(theirs)),
                    WAIT);

            assertThat(report.status()).isEqualTo(SyncReport.FAILED);
            assertThat(report.reason()).isEqualTo("Forbidden");
            assertThat(report.message()).contains(theirs).contains("system:serviceaccount:" + mine);
            assertThat(admin.configMaps()
                            .inNamespace(theirs)
                            .withName("planted")
                            .get())
                    .isNull();
            // what it may do was applied (and reported), as its own deployer
            assertThat(admin.configMaps().inNamespace(mine).withName("own").get())
                    .isNotNull();
            assertThat(ControlPlane.requests(auditLog))
                    .anyMatch(line -> line.startsWith("PATCH /api/v1/namespaces/" + mine + "/configmaps/own")
                            && line.contains(" as system:serviceaccount:" + mine + ":driftless-deployer "));
        }
    }

    @Test
    void aServiceAccountSyncServiceMayNotImpersonateIsRefused() throws Exception {
        try (EventProbe probe = new EventProbe(bootstrap);
                KubernetesClient admin = ControlPlaneTestResource.controlPlane().adminClient()) {
            String namespace = team(admin, "admin");
            String app = "other-account-" + namespace;
            // a project naming kube-system's powerful account: deploy/'s RBAC lets sync-service act only as deployers
            SyncReport report = RenderDriver.syncThrough(
                    probe,
                    app,
                    List.of(configMap(namespace, "settings")),
                    target(namespace, "kube-system/clusterrole-aggregation-controller", List.of()),
                    WAIT);

            assertThat(report.status()).isEqualTo(SyncReport.FAILED);
            assertThat(report.reason()).isEqualTo("Forbidden");
            assertThat(report.message()).contains("impersonate");
            assertThat(admin.configMaps()
                            .inNamespace(namespace)
                            .withName("settings")
                            .get())
                    .isNull();
        }
    }
}
