package dev.driftless.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.devstack.local.LocalStack;
import dev.driftless.devstack.local.StackOptions;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
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
import org.junit.jupiter.api.Test;

/**
 * Every PromQL expression of every Grafana dashboard in {@code deploy/grafana/dashboards/} parses and returns data
 * from a real Prometheus scraping the whole stack: the services run as {@code ./driftless up} runs them, a few pushes
 * go through (one that deploys, one whose sync fails and one that restores it, one that fails to render) and one
 * webhook with a forged signature is refused, so the failure panels have data too. A dashboard query that matches no
 * metric fails the build. Skipped when no {@code prometheus} binary is on the PATH (Debian: {@code apt-get install
 * prometheus}, which {@code .ci/run} does).
 */
class DashboardQueriesIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final String SCHEMA =
            "e2e_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    static final String DB_URL = "jdbc:postgresql://127.0.0.1:5432/test";
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

    static Path home;
    static Path state;
    static LocalStack stack;
    static Process prometheus;
    static String prometheusUrl;

    @BeforeAll
    static void startStackAndPrometheus() throws Exception {
        dev.driftless.devstack.tools.RequiredTools.require(
                "the dashboard queries cannot be checked against a real Prometheus", "prometheus");
        Optional<Path> binary = onPath("prometheus");
        home = repositoryRoot();
        state = Files.createTempDirectory("driftless-dashboards");
        StackOptions options = StackOptions.onFreePorts(
                home,
                state,
                "e2e-secret-" + UUID.randomUUID(),
                new StackOptions.Database(DB_URL, "postgres", SCHEMA),
                "256m");
        stack = LocalStack.start(options, System.out);

        Path config = state.resolve("prometheus.yml");
        Files.writeString(config, scrapeConfig());
        int port = freePort();
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
    static void stopEverything() throws Exception {
        if (prometheus != null && prometheus.isAlive()) {
            prometheus.destroy();
            if (!prometheus.waitFor(15, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (stack != null) {
            stack.close();
            try (Connection c = DriverManager.getConnection(DB_URL, "postgres", "");
                    Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
            }
        }
        if (state != null) {
            try (Stream<Path> paths = Files.walk(state)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void everyDashboardQueryParsesAndReturnsData() throws Exception {
        drivePushes();

        List<Query> queries = dashboardQueries(home.resolve("deploy/grafana/dashboards"));
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
     * restores it, a push that fails to render (YAML that does not parse) and one that repairs it, and a forged
     * webhook.
     */
    static void drivePushes() throws Exception {
        HttpResponse<String> forged = HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.environment().get("DRIFTLESS_WEBHOOK_URL") + "/hooks/github"))
                        .header("Content-Type", "application/json")
                        .header("X-GitHub-Event", "push")
                        .header("X-GitHub-Delivery", "forged-" + UUID.randomUUID())
                        .header("X-Hub-Signature-256", "sha256=" + "0".repeat(64))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"ref\":\"refs/heads/main\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).as("a forged webhook").isEqualTo(401);

        Path clone = state.resolve("clone");
        try (Git git = Git.cloneRepository()
                .setURI(stack.environment().get("DRIFTLESS_DEMO_REPO"))
                .setDirectory(clone.toFile())
                .call()) {
            Path configMap = clone.resolve("apps/demo/configmap.yaml");
            Files.writeString(
                    configMap,
                    Files.readString(configMap).replace("Hello from Driftless", "Hello from the dashboards"));
            awaitOutcome(push(git, "Change the message"), "sync", "Succeeded");

            Files.writeString(
                    clone.resolve("apps/demo/elsewhere.yaml"),
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: elsewhere\n  namespace: elsewhere\n"
                            + "data:\n  where: not the application's namespace\n");
            awaitOutcome(push(git, "Add an object outside the namespace"), "sync", "Failed");

            Files.delete(clone.resolve("apps/demo/elsewhere.yaml"));
            awaitOutcome(push(git, "Remove it again"), "sync", "Succeeded");

            Files.writeString(clone.resolve("apps/demo/broken.yaml"), "kind: [this is not YAML\n");
            awaitOutcome(push(git, "Add a manifest that does not parse"), "render", "Failed");

            Files.delete(clone.resolve("apps/demo/broken.yaml"));
            Files.writeString(configMap, Files.readString(configMap).replace("from the dashboards", "again"));
            awaitOutcome(push(git, "Repair the manifests"), "sync", "Succeeded");
        }
    }

    static RevCommit push(Git git, String message) throws Exception {
        git.add().addFilepattern(".").call();
        git.add().setUpdate(true).addFilepattern(".").call();
        RevCommit commit = git.commit()
                .setMessage(message)
                .setAuthor("Dana", "dana@example.com")
                .setCommitter("Dana", "dana@example.com")
                .call();
        git.push().call();
        return commit;
    }

    /** Waits until the audit trace of the commit shows the application's render or sync with that status. */
    static void awaitOutcome(RevCommit commit, String step, String status) {
        String url = stack.environment().get("DRIFTLESS_AUDIT_URL") + "/api/commits/" + commit.name();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .alias(step + " of " + commit.getShortMessage() + " is " + status)
                .until(() -> {
                    JsonNode trace = get(url, "Bearer " + stack.environment().get("DRIFTLESS_API_TOKEN"));
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
            URI url = URI.create(stack.environment().get(variable));
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
        JsonNode targets = get(prometheusUrl + "/api/v1/targets?state=active", null);
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

    static JsonNode get(String url, String authorization) {
        try {
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The checkout: {@code driftless.home} (set by the build), else the first parent holding the dashboards. */
    static Path repositoryRoot() {
        String configured = System.getProperty("driftless.home");
        if (configured != null && Files.isDirectory(Path.of(configured, "deploy/grafana/dashboards"))) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("deploy/grafana/dashboards"))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "no deploy/grafana/dashboards above " + Path.of("").toAbsolutePath());
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

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
