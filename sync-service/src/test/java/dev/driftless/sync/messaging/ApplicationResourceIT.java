package dev.driftless.sync.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.devstack.kube.ControlPlaneBinaries;
import dev.driftless.devstack.kube.ControlPlaneTestResource;
import dev.driftless.events.Target;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Application resources ({@code driftless.dev/v1alpha1}, deploy/'s CRD) on the real control plane: sync-service keeps
 * each one's status current, and {@code kubectl get applications} shows it in its printer columns.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(ControlPlaneTestResource.class)
class ApplicationResourceIT {

    static final Duration WAIT = Duration.ofSeconds(30);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.cluster.admin-kubeconfig", defaultValue = "unset: only with the control plane")
    Path adminKubeconfig;

    @ConfigProperty(name = "test.cluster.audit-log", defaultValue = "unset: only with the control plane")
    Path auditLog;

    KubernetesClient cluster;
    EventProbe probe;
    String app;

    /** The service's own client of its default cluster. */
    @jakarta.inject.Inject
    KubernetesClient servicesClient;

    @BeforeEach
    void setUp() throws java.io.IOException {
        probe = new EventProbe(bootstrap);
        app = "resource-" + UUID.randomUUID().toString().substring(0, 8);
        cluster = dev.driftless.devstack.kube.ControlPlaneTestResource.client(adminKubeconfig);
    }

    @AfterEach
    void tearDown() {
        probe.close();
        cluster.close();
    }

    @Test
    void theServicesClientReadsAWatchedObjectGenericallyAndAStatusAsOne() {
        var serialization = servicesClient.getKubernetesSerialization();
        String deployment = "{\"type\":\"MODIFIED\",\"object\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
                + "\"metadata\":{\"name\":\"web\"}}}";
        String expired = "{\"type\":\"ERROR\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"code\":410}}";

        assertThat(serialization
                        .unmarshal(deployment, io.fabric8.kubernetes.api.model.WatchEvent.class)
                        .getObject())
                .isExactlyInstanceOf(GenericKubernetesResource.class);
        assertThat(serialization
                        .unmarshal(expired, io.fabric8.kubernetes.api.model.WatchEvent.class)
                        .getObject())
                .isInstanceOf(io.fabric8.kubernetes.api.model.Status.class);
    }

    Map<String, Object> status() {
        return status("driftless-system");
    }

    Map<String, Object> status(String namespace) {
        return status(namespace, app);
    }

    String kubectl(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                ControlPlaneBinaries.resolve().resolve("kubectl").toString(),
                "--kubeconfig",
                adminKubeconfig.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void anApplicationResourceShowsItsSyncHealthAndCommitInKubectlGet() throws Exception {
        declare("driftless-system", app);

        String commit = RenderDriver.send(
                probe,
                app,
                List.of(Map.of(
                        "apiVersion",
                        "v1",
                        "kind",
                        "ConfigMap",
                        "metadata",
                        Map.of("name", "settings"),
                        "data",
                        Map.of("a", "b"))),
                new Target("default", app, true, true, false, true),
                Instant.now());

        await().atMost(WAIT).untilAsserted(() -> assertThat(status())
                .containsEntry("sync", "Synced")
                .containsEntry("commit", commit)
                .containsEntry("lastAppliedCommit", commit)
                .containsEntry("health", "Healthy"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> conditions = (List<Map<String, Object>>) status().get("conditions");
        assertThat(conditions)
                .singleElement()
                .satisfies(c -> assertThat(c).containsEntry("type", "Synced").containsEntry("status", "True"));

        String table = kubectl("get", "applications", "-n", "driftless-system", app);
        assertThat(table.lines().findFirst().orElseThrow())
                .contains("NAME", "PROJECT", "SYNC", "HEALTH", "COMMIT", "LAST SYNC", "AGE");
        assertThat(table)
                .contains(app)
                .contains("default")
                .contains("Synced")
                .contains("Healthy")
                .contains(commit.substring(0, 7));
    }

    @Test
    void theStatusGoesToTheNamespaceTheApplicationIsDeclaredIn() {
        String team = "team-" + app;
        cluster.namespaces()
                .resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                        .withNewMetadata()
                        .withName(team)
                        .endMetadata()
                        .build())
                .create();
        // as deploy/kubernetes/tenant/applications.yaml onboards a team's namespace
        cluster.rbac()
                .roleBindings()
                .inNamespace(team)
                .resource(new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder()
                        .withNewMetadata()
                        .withName("driftless-application-status")
                        .endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "driftless-application-status")
                        .addNewSubject()
                        .withKind("ServiceAccount")
                        .withName("sync-service")
                        .withNamespace("driftless-system")
                        .endSubject()
                        .build())
                .create();
        for (String namespace : List.of(team, "driftless-system")) {
            declare(namespace, app);
        }

        // in Driftless it is <namespace>.<name>; its resource is <name> in the team's namespace
        String commit = RenderDriver.send(
                probe,
                team + "." + app,
                List.of(Map.of("apiVersion", "v1", "kind", "ConfigMap", "metadata", Map.of("name", "settings"))),
                new Target("default", app, true, true, false, true),
                Instant.now(),
                RenderDriver.RENDER_SERVICE,
                null,
                team);

        await().atMost(WAIT).untilAsserted(() -> assertThat(status(team))
                .containsEntry("sync", "Synced")
                .containsEntry("commit", commit)
                .containsEntry("health", "Healthy"));
        // the resource of the same name where Driftless runs is not the one that declares the application
        assertThat(status("driftless-system")).isEmpty();
    }

    /** Requests to the API server that found no Application resource, so far. */
    long applicationsNotFound() {
        return cluster.raw("/metrics")
                .lines()
                .filter(l -> l.startsWith("apiserver_request_total{")
                        && l.contains("code=\"404\"")
                        && l.contains("resource=\"applications\""))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    Map<String, Object> status(String namespace, String name) {
        GenericKubernetesResource resource = cluster.genericKubernetesResources("driftless.dev/v1alpha1", "Application")
                .inNamespace(namespace)
                .withName(name)
                .get();
        @SuppressWarnings("unchecked")
        Map<String, Object> status =
                (Map<String, Object>) resource.getAdditionalProperties().get("status");
        return status == null ? Map.of() : status;
    }

    /** Creates the Application resource {@code name} in {@code namespace} (once the CRD is served). */
    void declare(String namespace, String name) {
        GenericKubernetesResource resource = new GenericKubernetesResource();
        resource.setApiVersion("driftless.dev/v1alpha1");
        resource.setKind("Application");
        resource.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        resource.setAdditionalProperty("spec", Map.of("project", "default", "destination", Map.of("namespace", name)));
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> cluster.resource(resource)
                .create());
    }

    static final List<Map<String, Object>> SETTINGS =
            List.of(Map.of("apiVersion", "v1", "kind", "ConfigMap", "metadata", Map.of("name", "settings")));

    /**
     * Syncs an application declared in driftless-system and waits for its status: the status writer works in order,
     * so every status write asked for before has been done (or skipped) by then.
     */
    void throughTheStatusWriter(String declared) {
        String commit = RenderDriver.send(
                probe,
                declared,
                SETTINGS,
                new Target("default", declared, true, true, false, true),
                Instant.now(),
                RenderDriver.RENDER_SERVICE,
                null,
                "driftless-system");
        await().atMost(WAIT).untilAsserted(() -> assertThat(status("driftless-system", declared))
                .containsEntry("commit", commit)
                .containsEntry("health", "Healthy"));
    }

    @Test
    void aStatusWriteIsOnePatchOfTheStatusWithoutReadingTheResourceFirst() throws java.io.IOException {
        declare("driftless-system", app);

        throughTheStatusWriter(app);

        List<String> calls = dev.driftless.devstack.kube.ControlPlane.requests(auditLog).stream()
                .filter(line -> line.matches("[A-Z]+ /apis/driftless\\.dev/v1alpha1/namespaces/driftless-system/"
                        + "applications/" + app + "[/? ].*"))
                .toList();
        assertThat(calls)
                .as("sync-service's requests about the application's resource")
                .isNotEmpty()
                .allMatch(line ->
                        line.startsWith("PATCH /apis/driftless.dev/v1alpha1/namespaces/driftless-system/applications/"
                                + app + "/status"));
    }

    @Test
    void anApplicationWithoutAResourceIsLookedForOnceAndGetsItsStatusOnceDeclared() {
        String barrier = app + "-b";
        declare("driftless-system", barrier);
        long notFoundBefore = applicationsNotFound();
        // of the catalog directory: no resource, so its status is looked for once and then not written
        Target target = new Target("default", app, true, true, false, true);
        RenderDriver.syncThrough(probe, app, SETTINGS, target, WAIT);
        await().atMost(WAIT).until(() -> applicationsNotFound() > notFoundBefore);
        throughTheStatusWriter(barrier);
        long notFound = applicationsNotFound();
        assertThat(notFound - notFoundBefore)
                .as("requests that found no resource for its sync's status and its health, written one after the other")
                .isEqualTo(1);

        RenderDriver.syncThrough(probe, app, SETTINGS, target, WAIT);
        throughTheStatusWriter(barrier);
        assertThat(applicationsNotFound())
                .as("requests for the status of an application known to have no resource")
                .isEqualTo(notFound);

        // declared now: its next render says where
        declare("driftless-system", app);
        String commit = RenderDriver.send(
                probe, app, SETTINGS, target, Instant.now(), RenderDriver.RENDER_SERVICE, null, "driftless-system");
        await().atMost(WAIT)
                .untilAsserted(() ->
                        assertThat(status()).containsEntry("sync", "Synced").containsEntry("commit", commit));
    }
}
