package dev.driftless.sync.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.devstack.kube.SandboxTestResource;
import dev.driftless.events.EventType;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Target;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The RBAC that deploy/ gives sync-service covers every call its code makes: every flow (apply with waves and
 * health, drift watch and self-heal, prune, removal, status and diff) runs against the sandbox API, which records
 * each request; each request of sync-service's own client, as the verb and resource the API server would authorize,
 * must be allowed by the ClusterRole in {@code deploy/kubernetes/base/sync-service-rbac.yaml}. A call added to the
 * code without its verb in the manifests fails here.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = SandboxTestResource.class, restrictToAnnotatedClass = true)
class RbacCoversEveryCallIT {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final Path RBAC = Path.of("..", "deploy", "kubernetes", "base", "sync-service-rbac.yaml");
    static final Pattern RESOURCE_PATH = Pattern.compile(
            "^/(?:api/v1|apis/(?<group>[^/]+)/[^/]+)(?:/namespaces/(?<namespace>[^/]+))?(?:/(?<resource>[^/]+)(?:/(?<name>[^/]+)(?:/(?<sub>[^/]+))?)?)?$");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.sandbox.request-log", defaultValue = "unset: only the sandbox records requests")
    Path requestLog;

    @ConfigProperty(name = "test.sandbox.url", defaultValue = "unset: only with the sandbox")
    String sandboxUrl;

    /** A call as the API server authorizes it. */
    record Call(String verb, String group, String resource, String line) {}

    @Test
    void theClusterRoleAllowsEveryCallSyncServiceMakes() throws Exception {
        String app = "rbac-" + UUID.randomUUID().toString().substring(0, 8);
        try (EventProbe probe = new EventProbe(bootstrap);
                // a client of our own (another token) to change things behind sync-service's back
                KubernetesClient someoneElse = new KubernetesClientBuilder()
                        .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder()
                                .withMasterUrl(sandboxUrl)
                                .withOauthToken("someone-else")
                                .withTrustCerts(true)
                                .build())
                        .build()) {
            Target target = new Target("default", app, true, true, false, true);
            Map<String, Object> configMap = object("v1", "ConfigMap", "settings", Map.of("data", Map.of("a", "b")));
            Map<String, Object> deployment = object(
                    "apps/v1",
                    "Deployment",
                    "web",
                    Map.of("spec", Map.of("replicas", 1, "selector", Map.of("matchLabels", Map.of("app", "web")))));
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
                    .get("/api/applications/{name}/diff", app)
                    .then()
                    .statusCode(200);
            io.restassured.RestAssured.given()
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
                    "urn:test");
            Awaitility.await()
                    .atMost(WAIT)
                    .until(() -> someoneElse
                                    .configMaps()
                                    .inNamespace("driftless-system")
                                    .withName("driftless-inventory-" + app)
                                    .get()
                            == null);
        }

        List<Call> calls = calls(Files.readAllLines(requestLog));
        assertThat(calls).extracting(Call::verb).contains("get", "list", "watch", "patch", "create", "delete");
        List<PolicyRule> rules = clusterRoleRules();
        List<Call> denied = calls.stream().filter(call -> !allowed(call, rules)).toList();
        assertThat(denied)
                .as("calls sync-service makes that its RBAC does not allow")
                .isEmpty();
    }

    /** sync-service's own requests (token "sandbox"), as the verb and resource the API server authorizes. */
    static List<Call> calls(List<String> lines) {
        List<Call> calls = new ArrayList<>();
        for (String line : lines) {
            String[] parts = line.split(" ");
            if (parts.length < 4 || !"sandbox".equals(parts[3])) {
                continue;
            }
            String method = parts[0];
            String path = parts[1];
            String query = path.contains("?") ? path.substring(path.indexOf('?') + 1) : "";
            String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
            Matcher m = RESOURCE_PATH.matcher(bare);
            if (!m.matches() || m.group("resource") == null) {
                continue; // discovery (/api, /apis, /version): granted to everyone by system:discovery
            }
            String group = m.group("group") == null ? "" : m.group("group");
            String resource = m.group("resource");
            String name = m.group("name");
            if (m.group("namespace") != null && m.group("resource") == null) {
                resource = "namespaces";
            }
            if (bare.matches("^/api/v1/namespaces/[^/]+$")) {
                resource = "namespaces";
                name = m.group("namespace");
            }
            String verb =
                    switch (method) {
                        case "GET" -> name != null ? "get" : query.contains("watch=true") ? "watch" : "list";
                        case "POST" -> "create";
                        case "PUT" -> "update";
                        case "PATCH" -> "patch";
                        case "DELETE" -> name != null ? "delete" : "deletecollection";
                        default -> method.toLowerCase();
                    };
            calls.add(new Call(verb, group, resource, line));
            if (method.equals("PATCH") && parts[2].equals("201")) {
                calls.add(new Call("create", group, resource, line)); // server-side apply that created it
            }
        }
        return calls;
    }

    static List<PolicyRule> clusterRoleRules() throws Exception {
        try (KubernetesClient offline = new KubernetesClientBuilder().build();
                InputStream manifests = Files.newInputStream(RBAC)) {
            List<HasMetadata> objects = offline.load(manifests).items();
            List<PolicyRule> rules = new ArrayList<>();
            for (HasMetadata object : objects) {
                if (object instanceof ClusterRole role
                        && "driftless-sync".equals(role.getMetadata().getName())) {
                    rules.addAll(role.getRules());
                }
                if (object instanceof Role role) {
                    rules.addAll(role.getRules()); // the inventory's Role in driftless-system
                }
            }
            assertThat(rules).as("rules in " + RBAC).isNotEmpty();
            return rules;
        }
    }

    static boolean allowed(Call call, List<PolicyRule> rules) {
        return rules.stream()
                .anyMatch(rule -> matches(rule.getApiGroups(), call.group())
                        && matches(rule.getResources(), call.resource())
                        && matches(rule.getVerbs(), call.verb()));
    }

    static boolean matches(List<String> allowed, String value) {
        return allowed != null && (allowed.contains("*") || allowed.contains(value));
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
