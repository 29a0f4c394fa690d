package dev.driftless.render.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.devstack.git.GitFixture;
import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.events.Topics;
import dev.driftless.render.GitAndCatalog;
import dev.driftless.render.RenderConfig;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A monorepo of a hundred applications, through a real broker and real Git transport: a push renders only the
 * applications whose files it changed, and a redelivered push or one that changes no application's files renders
 * nothing, whatever the payload says.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(GitAndCatalog.class)
class MonorepoRenderIT {

    static final int APPLICATIONS = 100;
    static final Duration WAIT = Duration.ofSeconds(60);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.git.base-url")
    String gitBase;

    @Inject
    RenderConfig config;

    @TempDir
    Path work;

    static String configMap(String name, String message) {
        return """
                apiVersion: v1
                kind: ConfigMap
                metadata: { name: %s }
                data: { message: "%s" }
                """
                .formatted(name, message);
    }

    @Test
    void aPushRendersExactlyTheApplicationsItChanged() throws Exception {
        String prefix = "m" + UUID.randomUUID().toString().substring(0, 6) + "-";
        String repoUrl = gitBase + "/" + prefix + "monorepo.git";
        try (GitFixture repo = GitFixture.create(work.resolve("repo"), repoUrl);
                EventProbe probe = new EventProbe(bootstrap)) {
            Map<String, String> files = new HashMap<>();
            for (int i = 0; i < APPLICATIONS; i++) {
                files.put("apps/%s%03d/cm.yaml".formatted(prefix, i), configMap("cm", "v1"));
            }
            files.put("README.md", "a monorepo");
            RevCommit first = repo.commitAndPush("a hundred applications", files);
            for (int i = 0; i < APPLICATIONS; i++) {
                String name = "%s%03d".formatted(prefix, i);
                Files.writeString(
                        config.catalogDir().resolve(name + ".yaml"),
                        """
                        apiVersion: driftless.dev/v1alpha1
                        kind: Application
                        metadata: { name: %s }
                        spec:
                          source: { repoURL: %s, targetRevision: main, path: apps/%s }
                          destination: { namespace: %s }
                        """
                                .formatted(name, repoUrl, name, name));
            }
            assertThat(probe.read(
                            Topics.RENDERS,
                            r -> r.key().startsWith(prefix) && first.name().equals(r.ce("commit")),
                            APPLICATIONS,
                            WAIT))
                    .as("every application rendered once when declared")
                    .hasSize(APPLICATIONS);

            RevCommit one = repo.commitAndPush(
                    "change one application and the README",
                    Map.of("apps/%s042/cm.yaml".formatted(prefix), configMap("cm", "v2"), "README.md", "changed"));
            pushed(probe, repoUrl, first.name(), one.name(), "d-1");
            awaitRender(probe, prefix + "042", one.name());
            pushed(probe, repoUrl, first.name(), one.name(), "d-1-redelivered-by-another-replica");

            RevCommit readme = repo.commitAndPush("only the README", Map.of("README.md", "changed again"));
            pushed(probe, repoUrl, "1234567890123456789012345678901234567890", readme.name(), "d-2");

            RevCommit other = repo.commitAndPush(
                    "change another application",
                    Map.of("apps/%s007/cm.yaml".formatted(prefix), configMap("cm", "v2")));
            pushed(probe, repoUrl, readme.name(), other.name(), "d-3");
            awaitRender(probe, prefix + "007", other.name());

            List<EventProbe.Received> afterDeclaring = probe.readToEnd(
                    Topics.RENDERS,
                    r -> r.key().startsWith(prefix) && !first.name().equals(r.ce("commit")));
            assertThat(afterDeclaring)
                    .as("one render per changed application; none for the redelivery, the README or an unknown before")
                    .extracting(EventProbe.Received::key)
                    .containsExactlyInAnyOrder(prefix + "042", prefix + "007");
        }
    }

    void awaitRender(EventProbe probe, String app, String commit) {
        assertThat(probe.read(Topics.RENDERS, r -> app.equals(r.key()) && commit.equals(r.ce("commit")), 1, WAIT))
                .as("a render of %s at %s", app, commit)
                .hasSize(1);
    }

    static void pushed(EventProbe probe, String repoUrl, String before, String after, String deliveryId) {
        GitAndCatalog.sendPush(probe, repoUrl, before, after, deliveryId);
    }
}
