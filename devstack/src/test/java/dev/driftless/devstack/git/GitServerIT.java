package dev.driftless.devstack.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The devstack Git server over real smart HTTP, sending signed push webhooks to a real HTTP receiver. */
class GitServerIT {

    static final String SECRET = "it-secret";

    record Received(Map<String, String> headers, byte[] body) {}

    @TempDir
    Path tmp;

    HttpServer receiver;
    List<Received> received = new CopyOnWriteArrayList<>();
    GitServer git;
    PushWebhookSender sender;

    @BeforeEach
    void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hooks/github", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(
                    Map.of(
                            "event", exchange.getRequestHeaders().getFirst("X-GitHub-Event"),
                            "delivery", exchange.getRequestHeaders().getFirst("X-GitHub-Delivery"),
                            "signature", exchange.getRequestHeaders().getFirst("X-Hub-Signature-256")),
                    body));
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        receiver.start();
        sender = new PushWebhookSender(
                URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/github"), SECRET);
        git = GitServer.start(0, tmp.resolve("repos"), sender);
    }

    @AfterEach
    void stop() {
        git.close();
        sender.close();
        receiver.stop(0);
    }

    @Test
    void aPushToANewNameCreatesTheRepositoryAndSendsASignedGithubPushWebhook() throws Exception {
        Path work = tmp.resolve("work");
        RevCommit commit;
        try (Git local =
                Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            Files.createDirectories(work.resolve("apps/demo"));
            Files.writeString(work.resolve("apps/demo/cm.yaml"), "kind: ConfigMap\n");
            local.add().addFilepattern(".").call();
            commit = local.commit()
                    .setMessage("first")
                    .setAuthor("alice", "alice@example.com")
                    .setCommitter("alice", "alice@example.com")
                    .call();
            local.push().setRemote(git.repositoryUrl("team/shop")).add("main").call();
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        Received hook = received.get(0);
        assertThat(hook.headers()).containsEntry("event", "push");
        assertThat(hook.headers().get("delivery")).isNotBlank();
        assertThat(hook.headers().get("signature"))
                .isEqualTo("sha256=" + PushWebhookSender.sign(SECRET.getBytes(StandardCharsets.UTF_8), hook.body()));

        JsonNode payload = new ObjectMapper().readTree(hook.body());
        assertThat(payload.get("ref").asText()).isEqualTo("refs/heads/main");
        assertThat(payload.get("before").asText()).isEqualTo("0".repeat(40));
        assertThat(payload.get("after").asText()).isEqualTo(commit.name());
        assertThat(payload.get("created").asBoolean()).isTrue();
        assertThat(payload.at("/repository/clone_url").asText()).isEqualTo(git.repositoryUrl("team/shop"));
        assertThat(payload.at("/pusher/name").asText()).isEqualTo("alice");
        assertThat(payload.at("/head_commit/added/0").asText()).isEqualTo("apps/demo/cm.yaml");

        Path clone = tmp.resolve("clone");
        assertThat(git.fetches("team/shop")).as("a push is not a fetch").isZero();
        try (Git cloned = Git.cloneRepository()
                .setURI(git.repositoryUrl("team/shop"))
                .setDirectory(clone.toFile())
                .call()) {
            assertThat(clone.resolve("apps/demo/cm.yaml")).hasContent("kind: ConfigMap");
            cloned.fetch().call();
        }
        // what the benchmarks count: each clone or fetch once, whatever it had to send
        assertThat(git.fetches("team/shop")).isEqualTo(2);
    }

    @Test
    void aSecondPushListsOnlyWhatItChanged() throws Exception {
        Path work = tmp.resolve("work2");
        try (Git local =
                Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            Files.writeString(work.resolve("a.yaml"), "a: 1\n");
            Files.writeString(work.resolve("b.yaml"), "b: 1\n");
            local.add().addFilepattern(".").call();
            RevCommit first = local.commit().setMessage("first").call();
            local.push().setRemote(git.repositoryUrl("demo")).add("main").call();
            Files.writeString(work.resolve("b.yaml"), "b: 2\n");
            local.add().addFilepattern(".").call();
            RevCommit second = local.commit().setMessage("second").call();
            local.push().setRemote(git.repositoryUrl("demo")).add("main").call();

            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
            JsonNode payload = new ObjectMapper().readTree(received.get(1).body());
            assertThat(payload.get("before").asText()).isEqualTo(first.name());
            assertThat(payload.get("after").asText()).isEqualTo(second.name());
            assertThat(payload.get("commits")).hasSize(1);
            assertThat(payload.at("/commits/0/modified/0").asText()).isEqualTo("b.yaml");
        }
        assertThat(sender.deliveries())
                .extracting(PushWebhookSender.Delivery::status)
                .containsOnly(202);
    }

    @Test
    void repositoryNamesCannotLeaveTheRoot() {
        assertThatThrownBy(() -> Git.cloneRepository()
                        .setURI(git.baseUrl() + "/../../etc.git")
                        .setDirectory(tmp.resolve("evil").toFile())
                        .call())
                .isInstanceOf(TransportException.class);
        assertThatThrownBy(() -> git.repositoryDirectory("../outside")).isInstanceOf(IllegalArgumentException.class);
        assertThat(tmp.resolve("outside.git")).doesNotExist();
    }

    @Test
    void cloningARepositoryThatDoesNotExistFailsWithoutCreatingIt() {
        assertThatThrownBy(() -> Git.cloneRepository()
                        .setURI(git.repositoryUrl("nothing-here"))
                        .setDirectory(tmp.resolve("none").toFile())
                        .call())
                .isInstanceOf(GitAPIException.class);
        assertThat(tmp.resolve("repos/nothing-here.git")).doesNotExist();
    }
}
