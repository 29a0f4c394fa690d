package dev.driftless.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole pipeline as {@code ./driftless up} runs it, each service its own process: a {@code git push} over real
 * HTTP transport to the devstack Git server sends a signed webhook, the change goes through the real broker, is
 * rendered from the pushed commit, applied to a real Kubernetes control plane (kube-apiserver, etcd and
 * kube-controller-manager, whose deployment controller makes the ReplicaSet and reports the rollout) and traced in the
 * audit log in real PostgreSQL. How fast is for {@code ./driftless bench e2e}; the waits here are generous and only
 * what arrives, and in which order, is asserted.
 */
@Order(1)
@ExtendWith(SharedStack.Extension.class)
class PushDeploysEndToEndIT {

    static final Duration GENEROUS = Duration.ofSeconds(90);

    static SharedStack stack;

    @BeforeAll
    static void useTheSharedStack(SharedStack shared) {
        stack = shared;
        await().atMost(GENEROUS)
                .alias("the demo application is deployed when the stack starts")
                .until(() -> demoConfig() != null);
    }

    static ConfigMap demoConfig() {
        return stack.cluster
                .configMaps()
                .inNamespace("demo")
                .withName("demo-config")
                .get();
    }

    static String message() {
        ConfigMap cm = demoConfig();
        return cm == null ? null : cm.getData().get("message");
    }

    @Test
    void aPushIsInTheClusterAndTracedInTheAuditLogUnderOneTraceIdAcrossEveryService() throws Exception {
        String message = "Hello from the end-to-end test " + UUID.randomUUID();
        RevCommit pushed;
        try (Git git = stack.cloneDemo("clone")) {
            Path file = git.getRepository().getWorkTree().toPath().resolve("apps/demo/configmap.yaml");
            Files.writeString(file, Files.readString(file).replaceAll("message: .*", "message: \"" + message + "\""));
            pushed = SharedStack.commitAndPush(git, "Change the demo message", "Erin");
        }

        await().atMost(GENEROUS).until(() -> message.equals(message()));
        ConfigMap applied = demoConfig();
        assertThat(applied.getMetadata().getAnnotations()).containsEntry("driftless.dev/commit", pushed.name());
        assertThat(applied.getMetadata().getLabels()).containsEntry("driftless.dev/application", "demo");

        String audit = stack.env("DRIFTLESS_AUDIT_URL");
        await().atMost(GENEROUS).untilAsserted(() -> {
            JsonNode trace = stack.get(audit + "/api/commits/" + pushed.name());
            assertThat(trace).as("the audit trace of %s", pushed.name()).isNotNull();
            assertThat(trace.path("deliveries").path(0).path("pusher").asText()).isEqualTo("Erin");
            JsonNode demo = trace.path("applications").path(0);
            assertThat(demo.path("name").asText()).isEqualTo("demo");
            assertThat(demo.path("render").path("status").asText()).isEqualTo("Succeeded");
            assertThat(demo.path("sync").path("status").asText()).isEqualTo("Succeeded");
            assertThat(demo.path("sync").path("resources").findValuesAsText("name"))
                    .contains("demo-config");
        });

        // webhook-service wrote commit.pushed, render-service render.succeeded, sync-service the sync report, and
        // audit-service kept each record's traceparent: one trace from the webhook to the cluster
        await().atMost(GENEROUS).untilAsserted(() -> {
            List<String> types = new ArrayList<>();
            Set<String> traceIds = new HashSet<>();
            for (JsonNode item : stack.get(audit + "/api/changes?limit=200").path("items")) {
                if (pushed.name().equals(item.path("commit").asText())) {
                    types.add(item.path("type").asText());
                    traceIds.add(item.path("traceId").asText("(none)"));
                }
            }
            assertThat(types)
                    .contains(
                            "dev.driftless.commit.pushed.v1",
                            "dev.driftless.render.succeeded.v1",
                            "dev.driftless.sync.succeeded.v1");
            assertThat(traceIds)
                    .as("the trace ids of %s", types)
                    .singleElement()
                    .matches(id -> id.matches("[0-9a-f]{32}"));
        });
    }

    @Test
    void theDemoDeploymentIsRolledOutByTheRealControllersAndReportedHealthy() throws Exception {
        await().atMost(GENEROUS).untilAsserted(() -> {
            var replicaSets = stack.cluster
                    .apps()
                    .replicaSets()
                    .inNamespace("demo")
                    .list()
                    .getItems();
            assertThat(replicaSets)
                    .as("made by kube-controller-manager's deployment controller")
                    .singleElement()
                    .satisfies(rs -> assertThat(rs.getMetadata().getOwnerReferences())
                            .anySatisfy(owner -> assertThat(owner.getName()).isEqualTo("demo")));
            assertThat(stack.cluster
                            .apps()
                            .deployments()
                            .inNamespace("demo")
                            .withName("demo")
                            .get()
                            .getStatus()
                            .getAvailableReplicas())
                    .isEqualTo(1);
        });
        await().atMost(GENEROUS).untilAsserted(() -> {
            JsonNode status = stack.get(stack.env("DRIFTLESS_SYNC_URL") + "/api/applications/demo/status");
            assertThat(status).isNotNull();
            assertThat(status.path("health").path("health").path("state").asText())
                    .isEqualTo("Healthy");
        });
        assertThat(stack.stack.controlPlane().version()).startsWith("v1.");
    }

    @Test
    void aWebhookWithoutAValidSignatureIsRefusedAndChangesNothing() throws Exception {
        HttpResponse<String> response = SharedStack.HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.env("DRIFTLESS_WEBHOOK_URL") + "/hooks/github"))
                        .header("X-GitHub-Event", "push")
                        .header("X-GitHub-Delivery", "forged")
                        .header("X-Hub-Signature-256", "sha256=" + "0".repeat(64))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"ref\":\"refs/heads/main\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(SharedStack.JSON.readTree(response.body()).path("reason").asText())
                .isEqualTo("SignatureInvalid");
    }

    @Test
    void theEnvFileNamesEveryPartOnlyItsOwnerCanReadItAndEveryServiceIsReady() throws Exception {
        Path envFile = stack.state.resolve("env");
        String env = Files.readString(envFile);
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
            "DRIFTLESS_CONSOLE_URL",
            "DRIFTLESS_API_TOKEN"
        }) {
            assertThat(env).contains("export " + name + "='");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(envFile)))
                .as("the env file holds the webhook secret and the API token")
                .isEqualTo("rw-------");
        for (String service : new String[] {"WEBHOOK", "RENDER", "SYNC", "AUDIT"}) {
            assertThat(SharedStack.ready(stack.env("DRIFTLESS_" + service + "_URL")))
                    .as(service)
                    .isTrue();
        }
    }
}
