package dev.driftless.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.devstack.local.LocalStack;
import dev.driftless.devstack.local.StackOptions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole pipeline as {@code ./driftless up} runs it, each service its own process: a {@code git push} over real
 * HTTP transport to the devstack Git server sends a signed webhook, the change goes through the real broker, is
 * rendered from the pushed commit, applied to a real Kubernetes control plane (kube-apiserver, etcd and
 * kube-controller-manager, whose deployment controller makes the ReplicaSet and reports the rollout) and traced in the
 * audit log in real PostgreSQL.
 */
class PushDeploysEndToEndIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String SCHEMA =
            "e2e_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    static final String DB_URL = "jdbc:postgresql://127.0.0.1:5432/test";

    static Path state;
    static LocalStack stack;
    static KubernetesClient cluster;

    @BeforeAll
    static void startStack() throws Exception {
        Path home = Path.of(System.getProperty("driftless.home", ".."))
                .toAbsolutePath()
                .normalize();
        state = Files.createTempDirectory("driftless-e2e");
        StackOptions options = StackOptions.onFreePorts(
                home,
                state,
                "e2e-secret-" + UUID.randomUUID(),
                new StackOptions.Database(DB_URL, "postgres", SCHEMA),
                "256m");
        stack = LocalStack.start(options, System.out);
        cluster = stack.clusterAdmin();
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (stack != null) {
            stack.close();
        }
        try (Connection c = DriverManager.getConnection(DB_URL, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        }
        if (state != null) {
            try (var paths = Files.walk(state)) {
                paths.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    static String message() {
        ConfigMap cm =
                cluster.configMaps().inNamespace("demo").withName("demo-config").get();
        return cm == null ? null : cm.getData().get("message");
    }

    static JsonNode get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + stack.environment().get("DRIFTLESS_API_TOKEN"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    }

    @Test
    void aPushOfAChangedMessageIsInTheClusterAndTracedInTheAuditLog() throws Exception {
        await().atMost(Duration.ofSeconds(30))
                .alias("the demo application is deployed when the stack starts")
                .until(() -> "Hello from Driftless".equals(message()));

        Path clone = state.resolve("clone");
        RevCommit pushed;
        try (Git git = Git.cloneRepository()
                .setURI(stack.environment().get("DRIFTLESS_DEMO_REPO"))
                .setDirectory(clone.toFile())
                .call()) {
            Path file = clone.resolve("apps/demo/configmap.yaml");
            Files.writeString(
                    file, Files.readString(file).replace("Hello from Driftless", "Hello from the end-to-end test"));
            git.add().addFilepattern("apps/demo/configmap.yaml").call();
            pushed = git.commit()
                    .setMessage("Change the demo message")
                    .setAuthor("Erin", "erin@example.com")
                    .setCommitter("Erin", "erin@example.com")
                    .call();
            git.push().call();
        }

        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> "Hello from the end-to-end test".equals(message()));
        ConfigMap applied =
                cluster.configMaps().inNamespace("demo").withName("demo-config").get();
        assertThat(applied.getMetadata().getAnnotations()).containsEntry("driftless.dev/commit", pushed.name());
        assertThat(applied.getMetadata().getLabels()).containsEntry("driftless.dev/application", "demo");

        String audit = stack.environment().get("DRIFTLESS_AUDIT_URL") + "/api/commits/" + pushed.name();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode trace = get(audit);
            assertThat(trace).as("the audit trace of %s", pushed.name()).isNotNull();
            assertThat(trace.path("deliveries").path(0).path("pusher").asText()).isEqualTo("Erin");
            JsonNode demo = trace.path("applications").path(0);
            assertThat(demo.path("name").asText()).isEqualTo("demo");
            assertThat(demo.path("render").path("status").asText()).isEqualTo("Succeeded");
            assertThat(demo.path("sync").path("status").asText()).isEqualTo("Succeeded");
            assertThat(demo.path("sync").path("resources").findValuesAsText("name"))
                    .contains("demo-config");
        });
    }

    @Test
    void theDemoDeploymentIsRolledOutByTheRealControllersAndReportedHealthy() throws Exception {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            var replicaSets =
                    cluster.apps().replicaSets().inNamespace("demo").list().getItems();
            assertThat(replicaSets)
                    .as("made by kube-controller-manager's deployment controller")
                    .singleElement()
                    .satisfies(rs -> assertThat(rs.getMetadata().getOwnerReferences())
                            .anySatisfy(owner -> assertThat(owner.getName()).isEqualTo("demo")));
            assertThat(cluster.apps()
                            .deployments()
                            .inNamespace("demo")
                            .withName("demo")
                            .get()
                            .getStatus()
                            .getAvailableReplicas())
                    .isEqualTo(1);
        });
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            HttpResponse<String> status = HTTP.send(
                    HttpRequest.newBuilder(URI.create(
                                    stack.environment().get("DRIFTLESS_SYNC_URL") + "/api/applications/demo/status"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(status.body())
                            .path("health")
                            .path("health")
                            .path("state")
                            .asText())
                    .isEqualTo("Healthy");
        });
        assertThat(stack.controlPlane().version()).startsWith("v1.");
    }

    @Test
    void aServiceKilledHardIsRestartedByTheStackAndAPushAfterItIsApplied() throws Exception {
        long before = stack.pids().get("sync-service");
        ProcessHandle.of(before).orElseThrow().destroyForcibly(); // kill -9, as an OOM kill would
        String syncUrl = stack.environment().get("DRIFTLESS_SYNC_URL");
        await().atMost(Duration.ofSeconds(120))
                .alias("sync-service restarted and ready")
                .until(() -> stack.pids().get("sync-service") != before && ready(syncUrl));

        Path clone = state.resolve("clone-after-kill");
        RevCommit pushed;
        try (Git git = Git.cloneRepository()
                .setURI(stack.environment().get("DRIFTLESS_DEMO_REPO"))
                .setDirectory(clone.toFile())
                .call()) {
            // a file of its own, so the other tests' view of demo-config stays as they expect
            Files.writeString(
                    clone.resolve("apps/demo/after-kill.yaml"),
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: after-kill\ndata:\n  message: \"after a kill -9\"\n");
            git.add().addFilepattern("apps/demo/after-kill.yaml").call();
            pushed = git.commit()
                    .setMessage("After sync-service was killed")
                    .setAuthor("Erin", "erin@example.com")
                    .setCommitter("Erin", "erin@example.com")
                    .call();
            git.push().call();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            ConfigMap applied = cluster.configMaps()
                    .inNamespace("demo")
                    .withName("after-kill")
                    .get();
            assertThat(applied).as("applied by the restarted sync-service").isNotNull();
            assertThat(applied.getMetadata().getAnnotations()).containsEntry("driftless.dev/commit", pushed.name());
        });
    }

    static boolean ready(String url) {
        try {
            return HTTP.send(
                                    HttpRequest.newBuilder(URI.create(url + "/q/health/ready"))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void aWebhookWithoutAValidSignatureIsRefusedAndChangesNothing() throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.environment().get("DRIFTLESS_WEBHOOK_URL") + "/hooks/github"))
                        .header("X-GitHub-Event", "push")
                        .header("X-GitHub-Delivery", "forged")
                        .header("X-Hub-Signature-256", "sha256=" + "0".repeat(64))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"ref\":\"refs/heads/main\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(response.body()).path("reason").asText()).isEqualTo("SignatureInvalid");
    }

    @Test
    void theEnvFileNamesEveryPartAndEveryServiceIsReady() throws Exception {
        String env = Files.readString(state.resolve("env"));
        for (String name : new String[] {
            "DRIFTLESS_KAFKA_BOOTSTRAP",
            "DRIFTLESS_KUBECONFIG",
            "DRIFTLESS_CLUSTER_URL",
            "DRIFTLESS_GIT_URL",
            "DRIFTLESS_DEMO_REPO",
            "DRIFTLESS_CATALOG_DIR",
            "DRIFTLESS_WEBHOOK_SECRET",
            "DRIFTLESS_WEBHOOK_URL",
            "DRIFTLESS_RENDER_URL",
            "DRIFTLESS_SYNC_URL",
            "DRIFTLESS_AUDIT_URL",
            "DRIFTLESS_API_TOKEN"
        }) {
            assertThat(env).contains("export " + name + "='");
        }
        for (String service : new String[] {"WEBHOOK", "RENDER", "SYNC", "AUDIT"}) {
            HttpResponse<Void> ready = HTTP.send(
                    HttpRequest.newBuilder(URI.create(
                                    stack.environment().get("DRIFTLESS_" + service + "_URL") + "/q/health/ready"))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(ready.statusCode()).as(service).isEqualTo(200);
        }
    }
}
