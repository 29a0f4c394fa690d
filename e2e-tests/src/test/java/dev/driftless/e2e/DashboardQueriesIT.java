package dev.driftless.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.devstack.local.FreePorts;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every PromQL expression of every Grafana dashboard in {@code deploy/grafana/dashboards/} parses and returns data
 * from a real Prometheus scraping the whole stack: the services run as {@code ./driftless up} runs them (the
 * {@link SharedStack}), a few pushes go through (one that deploys, one whose sync fails and one that restores it, one
 * that fails to render and changes nothing in the cluster) and one webhook with a forged signature is refused, so the
 * failure panels have data too. A dashboard query that matches no metric fails the build. Needs a {@code prometheus}
 * binary on the PATH ({@code .ci/run} installs Debian's); without one it skips, except in CI where it fails.
 */
@Order(3)
@ExtendWith(SharedStack.Extension.class)
class DashboardQueriesIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final String APPLICATION = "demo";

    /** The Prometheus job of each service, as in {@code deploy/prometheus/*.yml}, and its URL variable. */
    static final Map<String, String> JOBS = Map.of(
            "webhook-service", "DRIFTLESS_WEBHOOK_URL",
            "render-service", "DRIFTLESS_RENDER_URL",
            "sync-service", "DRIFTLESS_SYNC_URL",
            "audit-service", "DRIFTLESS_AUDIT_URL");

    /**
     * What the Grafana variables stand for here: the application the test deploys, and fixed windows for Grafana's
     * interval variables.
     */
    static final Map<String, String> VARIABLES = Map.of(
            "application", APPLICATION,
            "__rate_interval", "1m",
            "__interval", "15s",
            "__interval_ms", "15000",
            "__range", "1h",
            "__range_s", "3600",
            "__range_ms", "3600000");

    static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::[^}]*)?}|\\[\\[(\\w+)(?::[^\\]]*)?]]|\\$(\\w+)");

    static SharedStack stack;
    static Path state;
    static Process prometheus;
    static String prometheusUrl;

    @BeforeAll
    static void startPrometheus(SharedStack shared) throws Exception {
        dev.driftless.devstack.tools.RequiredTools.require(
                "the dashboard queries cannot be checked against a real Prometheus", "prometheus");
        Optional<Path> binary = onPath("prometheus");
        stack = shared;
        state = Files.createTempDirectory(shared.state, "prometheus");

        Path config = state.resolve("prometheus.yml");
        Files.writeString(config, scrapeConfig());
        int port = FreePorts.next();
        prometheusUrl = "http://127.0.0.1:" + port;
        prometheus = new ProcessBuilder(
                        binary.get().toString(),
                        "--config.file=" + config,
                        "--storage.tsdb.path=" + Files.createDirectories(state.resolve("prometheus-data")),
                        "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(state.resolve("prometheus.log").toFile())
                .start();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .alias("Prometheus scrapes all four services (log: " + state.resolve("prometheus.log") + ")")
                .until(DashboardQueriesIT::allTargetsUp);
    }

    @AfterAll
    static void stopPrometheus() throws Exception {
        if (prometheus != null && prometheus.isAlive()) {
            prometheus.destroy();
            if (!prometheus.waitFor(15, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void everyDashboardQueryParsesAndReturnsData() throws Exception {
        drivePushes();

        List<Query> queries = dashboardQueries(stack.home.resolve("deploy/grafana/dashboards"));
        assertThat(queries).as("PromQL expressions in the dashboards").isNotEmpty();

        // Counters and timers appear at their first event, rates need two scrapes, and Micrometer's Kafka binder
        // registers the per-partition consumer lag at its next refresh (every 60 s): ask until every query has data
        // or the time is up, then report every one that still has none.
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(150))
                .pollInterval(java.time.Duration.ofSeconds(2))
                .untilAsserted(() -> {
                    List<String> failures = new ArrayList<>();
                    for (Query query : queries) {
                        String problem = evaluate(query.expr());
                        if (problem != null) {
                            failures.add(query + ": " + problem);
                        }
                    }
                    assertThat(failures)
                            .as(
                                    "dashboard queries without data after the pushes (%d of %d; Prometheus at %s)",
                                    failures.size(), queries.size(), prometheusUrl)
                            .isEmpty();
                });
    }

    /**
     * A deploying push, a push whose sync fails (an object outside the application's namespace) and one that
     * restores it, a push that fails to render (YAML that does not parse, beside a changed message) and one that
     * repairs it, and a forged webhook. The failed render changes nothing in the cluster: no sync of that commit, the
     * message and commit of the last good one stay, and nothing was pruned and created again (the same uid).
     */
    static void drivePushes() throws Exception {
        HttpResponse<String> forged = HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.env("DRIFTLESS_WEBHOOK_URL") + "/hooks/github"))
                        .header("Content-Type", "application/json")
                        .header("X-GitHub-Event", "push")
                        .header("X-GitHub-Delivery", "forged-" + UUID.randomUUID())
                        .header("X-Hub-Signature-256", "sha256=" + "0".repeat(64))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"ref\":\"refs/heads/main\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).as("a forged webhook").isEqualTo(401);

        try (Git git = stack.cloneDemo("dashboards")) {
            Path work = git.getRepository().getWorkTree().toPath();
            Path configMap = work.resolve("apps/demo/configmap.yaml");
            setMessage(configMap, "Hello from the dashboards");
            RevCommit good = SharedStack.commitAndPush(git, "Change the message", "Dana");
            awaitOutcome(good, "sync", "Succeeded");

            Files.writeString(
                    work.resolve("apps/demo/elsewhere.yaml"),
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: elsewhere\n  namespace: elsewhere\n"
                            + "data:\n  where: not the application's namespace\n");
            awaitOutcome(
                    SharedStack.commitAndPush(git, "Add an object outside the namespace", "Dana"), "sync", "Failed");

            Files.delete(work.resolve("apps/demo/elsewhere.yaml"));
            RevCommit restored = SharedStack.commitAndPush(git, "Remove it again", "Dana");
            awaitOutcome(restored, "sync", "Succeeded");
            ConfigMap before = demoConfig();

            Files.writeString(work.resolve("apps/demo/broken.yaml"), "kind: [this is not YAML\n");
            setMessage(configMap, "Hello from a render that fails");
            RevCommit broken = SharedStack.commitAndPush(git, "Add a manifest that does not parse", "Dana");
            awaitOutcome(broken, "render", "Failed");
            // sync-service reads renders of one application in order: the repair's sync comes after the failure
            Files.delete(work.resolve("apps/demo/broken.yaml"));
            setMessage(configMap, "Hello again");
            RevCommit repaired = SharedStack.commitAndPush(git, "Repair the manifests", "Dana");
            awaitOutcome(repaired, "sync", "Succeeded");

            JsonNode failedTrace = stack.get(stack.env("DRIFTLESS_AUDIT_URL") + "/api/commits/" + broken.name());
            assertThat(failedTrace
                            .path("applications")
                            .path(0)
                            .path("sync")
                            .path("reason")
                            .asText())
                    .as("the commit whose render failed has no sync report of its own")
                    .isEqualTo("RenderFailed");
            ConfigMap after = demoConfig();
            assertThat(after.getMetadata().getUid())
                    .as("never pruned or replaced")
                    .isEqualTo(before.getMetadata().getUid());
            assertThat(after.getData()).containsEntry("message", "Hello again");
            assertThat(after.getMetadata().getAnnotations()).containsEntry("driftless.dev/commit", repaired.name());
        }
    }

    static void setMessage(Path configMap, String message) throws IOException {
        Files.writeString(
                configMap, Files.readString(configMap).replaceAll("message: .*", "message: \"" + message + "\""));
    }

    static ConfigMap demoConfig() {
        return stack.cluster
                .configMaps()
                .inNamespace(APPLICATION)
                .withName("demo-config")
                .get();
    }

    /** Waits until the audit trace of the commit shows the application's render or sync with that status. */
    static void awaitOutcome(RevCommit commit, String step, String status) {
        String url = stack.env("DRIFTLESS_AUDIT_URL") + "/api/commits/" + commit.name();
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .alias(step + " of " + commit.getShortMessage() + " is " + status)
                .until(() -> {
                    JsonNode trace = stack.get(url);
                    if (trace == null) {
                        return false;
                    }
                    for (JsonNode application : trace.path("applications")) {
                        if (APPLICATION.equals(application.path("name").asText())
                                && status.equals(
                                        application.path(step).path("status").asText())) {
                            return true;
                        }
                    }
                    return false;
                });
    }

    /** An expression of a panel of a dashboard. */
    record Query(String dashboard, String panel, String expr) {
        @Override
        public String toString() {
            return dashboard + " / \"" + panel + "\": " + expr;
        }
    }

    /** Every target expression of every panel, rows and nested panels included, with the variables replaced. */
    static List<Query> dashboardQueries(Path dir) throws IOException {
        List<Query> queries = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        for (Path file : files) {
            JsonNode dashboard = JSON.readTree(file.toFile());
            String name = file.getFileName().toString();
            collect(name, dashboard.path("panels"), queries);
            for (JsonNode row : dashboard.path("rows")) { // the dashboard schema before Grafana 5
                collect(name, row.path("panels"), queries);
            }
        }
        return queries;
    }

    private static void collect(String dashboard, JsonNode panels, List<Query> into) {
        for (JsonNode panel : panels) {
            String title = panel.path("title").asText("(untitled)");
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText("");
                if (!expr.isBlank()) {
                    into.add(new Query(dashboard, title, substitute(expr)));
                }
            }
            collect(dashboard, panel.path("panels"), into); // rows hold their panels
        }
    }

    /** Replaces {@code $name}, {@code ${name}}, {@code ${name:format}} and {@code [[name]]}; unknown ones stay. */
    static String substitute(String expr) {
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            m.appendReplacement(out, Matcher.quoteReplacement(VARIABLES.getOrDefault(name, m.group())));
        }
        return m.appendTail(out).toString();
    }

    /** {@code null} when the query parses and returns data, else what is wrong. */
    static String evaluate(String expr) {
        if (VARIABLE.matcher(expr).find()) {
            return "a Grafana variable the test does not know";
        }
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(prometheusUrl + "/api/v1/query?query="
                                    + URLEncoder.encode(expr, StandardCharsets.UTF_8)))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            if (!"success".equals(body.path("status").asText())) {
                return body.path("errorType").asText() + ": "
                        + body.path("error").asText();
            }
            JsonNode data = body.path("data");
            String type = data.path("resultType").asText();
            boolean empty = ("vector".equals(type) || "matrix".equals(type))
                    ? data.path("result").isEmpty()
                    : data.path("result").isMissingNode();
            return empty ? "no data" : null;
        } catch (IOException e) {
            return "Prometheus did not answer: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Every service scraped at {@code /q/metrics} every second, one job per service. */
    static String scrapeConfig() {
        StringBuilder yaml = new StringBuilder(
                "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\nscrape_configs:\n");
        JOBS.forEach((job, variable) -> {
            URI url = URI.create(stack.env(variable));
            yaml.append("  - job_name: ")
                    .append(job)
                    .append("\n    metrics_path: /q/metrics\n    static_configs:\n      - targets: ['")
                    .append(url.getHost())
                    .append(':')
                    .append(url.getPort())
                    .append("']\n");
        });
        return yaml.toString();
    }

    static boolean allTargetsUp() {
        if (!prometheus.isAlive()) {
            throw new IllegalStateException(
                    "prometheus exited with " + prometheus.exitValue() + "; see " + state.resolve("prometheus.log"));
        }
        JsonNode targets = stack.get(prometheusUrl + "/api/v1/targets?state=active");
        if (targets == null) {
            return false;
        }
        Map<String, String> health = new LinkedHashMap<>();
        for (JsonNode target : targets.path("data").path("activeTargets")) {
            health.put(
                    target.path("labels").path("job").asText(),
                    target.path("health").asText());
        }
        return JOBS.keySet().stream().allMatch(job -> "up".equals(health.get(job)));
    }

    static Optional<Path> onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
