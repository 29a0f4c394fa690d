package dev.driftless.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.devstack.local.LocalStack;
import dev.driftless.devstack.local.StackOptions;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
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
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The one stack every end-to-end class shares, started as {@code ./driftless up} starts it (each service its own
 * process, a real broker, Git server, PostgreSQL schema and Kubernetes control plane) by the first class that asks for
 * it and stopped when the whole test run ends. A stack takes half a minute to start on two cores; the classes leave it
 * as they found it (the demo application deployed from a repository whose head renders and syncs).
 *
 * <p>A test class declares {@code @ExtendWith(SharedStack.Extension.class)} and takes it as a parameter of its
 * {@code @BeforeAll} method.
 */
final class SharedStack implements ExtensionContext.Store.CloseableResource {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final String DB_URL = "jdbc:postgresql://127.0.0.1:5432/test";

    final Path home;
    final Path state;
    final String schema;
    final LocalStack stack;
    final KubernetesClient cluster;

    private SharedStack(Path home, Path state, String schema, LocalStack stack) {
        this.home = home;
        this.state = state;
        this.schema = schema;
        this.stack = stack;
        this.cluster = stack.clusterAdmin();
    }

    static SharedStack start() throws Exception {
        Path home = repositoryRoot();
        Path state = Files.createTempDirectory("driftless-e2e");
        // sync-service's age key is the test key a SOPS file in the test resources was encrypted for (by sops 3.13.3)
        Path keys = Files.createDirectories(state.resolve("keys"));
        for (String[] file : new String[][] {
            {"current.agekey", "sync-service.agekey"}, {"current.recipients", "render-service.recipients"}
        }) {
            try (var in = SharedStack.class.getResourceAsStream("/sops/" + file[0])) {
                Files.copy(in, keys.resolve(file[1]));
            }
        }
        String schema = "e2e_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        StackOptions options = StackOptions.onFreePorts(
                home,
                state,
                "e2e-secret-" + UUID.randomUUID(),
                new StackOptions.Database(DB_URL, "postgres", schema),
                "256m");
        return new SharedStack(home, state, schema, LocalStack.start(options, System.out));
    }

    /** A variable of the stack's environment ({@code .driftless/env}), e.g. {@code DRIFTLESS_AUDIT_URL}. */
    String env(String name) {
        return stack.environment().get(name);
    }

    /** The JSON of a GET with the stack's API token, or {@code null} unless it answers 200. */
    JsonNode get(String url) {
        return get(url, env("DRIFTLESS_API_TOKEN"));
    }

    /** The JSON of a GET with that token, or {@code null} unless it answers 200. */
    JsonNode get(String url, String token) {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(10))
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Whether the service at this URL answers its readiness check with 200. */
    static boolean ready(String url) {
        try {
            return HTTP.send(
                                    HttpRequest.newBuilder(URI.create(url + "/q/health/ready"))
                                            .timeout(Duration.ofSeconds(10))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A fresh clone of the demo repository in a directory of its own under the stack's state. */
    Git cloneDemo(String name) throws Exception {
        return Git.cloneRepository()
                .setURI(env("DRIFTLESS_DEMO_REPO"))
                .setDirectory(Files.createTempDirectory(state, name).toFile())
                .call();
    }

    /** The demo application's ConfigMap as the cluster has it, {@code null} before it is applied. */
    io.fabric8.kubernetes.api.model.ConfigMap demoConfig() {
        return cluster.configMaps().inNamespace("demo").withName("demo-config").get();
    }

    /** Pushes a commit that sets the demo ConfigMap's message, from a fresh clone. */
    RevCommit pushDemoMessage(String message, String subject, String author) throws Exception {
        try (Git git = cloneDemo("message")) {
            Path file = git.getRepository().getWorkTree().toPath().resolve("apps/demo/configmap.yaml");
            Files.writeString(file, Files.readString(file).replaceAll("message: .*", "message: \"" + message + "\""));
            return commitAndPush(git, subject, author);
        }
    }

    /** Commits everything in the work tree, additions and deletions, as the given author, and pushes it. */
    static RevCommit commitAndPush(Git git, String message, String author) throws Exception {
        git.add().addFilepattern(".").call();
        git.add().setUpdate(true).addFilepattern(".").call();
        RevCommit commit = git.commit()
                .setMessage(message)
                .setAuthor(author, author.toLowerCase() + "@example.com")
                .setCommitter(author, author.toLowerCase() + "@example.com")
                .call();
        git.push().call();
        return commit;
    }

    @Override
    public void close() throws Exception {
        cluster.close();
        stack.close();
        keepLogs();
        try (Connection c = DriverManager.getConnection(DB_URL, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
        try (Stream<Path> paths = Files.walk(state)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Copies the services' logs to {@code target/stack-logs}, to read after a failed run; the state is deleted. */
    private void keepLogs() throws java.io.IOException {
        Path logs = state.resolve("logs");
        Path kept = home.resolve("e2e-tests/target/stack-logs");
        if (!Files.isDirectory(logs) || !Files.isDirectory(kept.getParent())) {
            return;
        }
        Files.createDirectories(kept);
        try (Stream<Path> files = Files.list(logs)) {
            for (Path log : files.toList()) {
                Files.copy(log, kept.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
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

    /**
     * Starts the stack once per test run, in JUnit's root store (which closes it when the run ends), and hands it to
     * the {@code @BeforeAll} methods that take a {@link SharedStack}.
     */
    static final class Extension implements BeforeAllCallback, ParameterResolver {

        @Override
        public void beforeAll(ExtensionContext context) {
            shared(context);
        }

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == SharedStack.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return shared(context);
        }

        private static SharedStack shared(ExtensionContext context) {
            return context.getRoot()
                    .getStore(ExtensionContext.Namespace.GLOBAL)
                    .getOrComputeIfAbsent(
                            SharedStack.class,
                            key -> {
                                try {
                                    return start();
                                } catch (Exception e) {
                                    throw new IllegalStateException("the end-to-end stack did not start", e);
                                }
                            },
                            SharedStack.class);
        }
    }
}
