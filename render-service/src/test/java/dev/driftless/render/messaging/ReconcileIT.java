package dev.driftless.render.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.driftless.devstack.git.GitFixture;
import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.events.EventCodec;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.Topics;
import dev.driftless.render.GitAndCatalog;
import dev.driftless.render.RenderConfig;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Continuous reconciliation: a push whose webhook never arrived (nothing on the commits topic) is still rendered,
 * because every application is compared with the head of its source on an interval (here 2 s instead of 3 min).
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = GitAndCatalog.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = ReconcileIT.ShortInterval.class, restrictToAnnotatedClass = true)
class ReconcileIT {

    static final Duration WAIT = Duration.ofSeconds(30);

    /**
     * No service-wide reconcile interval: only applications that set their own ({@code syncPolicy.interval}, here
     * the shortest allowed, 10 s) are compared with their source on a timer.
     */
    public static class ShortInterval implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            return Map.of("driftless.render.reconcile-interval", "0");
        }

        @Override
        public void stop() {}
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.git.base-url")
    String gitBase;

    @Inject
    RenderConfig config;

    @TempDir
    Path work;

    @Test
    void aPushWhoseWebhookWasLostIsRenderedByTheNextComparisonWithTheHead() throws Exception {
        String app = "lost-" + UUID.randomUUID().toString().substring(0, 8);
        String repoUrl = gitBase + "/" + app + ".git";
        try (EventProbe probe = new EventProbe(bootstrap);
                GitFixture repo = GitFixture.create(work.resolve("repo"), repoUrl)) {
            RevCommit first = repo.commitAndPush(
                    "first", Map.of("apps/web/config.yaml", RenderPipelineIT.CONFIG_MAP.formatted("first")));
            declare(app, repoUrl);
            assertThat(probe.read(
                            Topics.RENDERS,
                            r -> app.equals(r.key()) && first.name().equals(r.ce("commit")),
                            1,
                            WAIT))
                    .as("rendered when declared")
                    .hasSize(1);

            // pushed, but no webhook: nothing is published on the commits topic
            RevCommit second = repo.commitAndPush(
                    "second", Map.of("apps/web/config.yaml", RenderPipelineIT.CONFIG_MAP.formatted("second")));

            List<EventProbe.Received> caughtUp = probe.read(
                    Topics.RENDERS, r -> app.equals(r.key()) && second.name().equals(r.ce("commit")), 1, WAIT);
            assertThat(caughtUp).hasSize(1);
            RenderSucceeded render =
                    EventCodec.decode(RenderSucceeded.class, caughtUp.get(0).value());
            assertThat(render.triggeredBy()).isEqualTo("reconcile");
            assertThat(render.manifests()).singleElement().satisfies(m -> assertThat(m.get("data"))
                    .isEqualTo(Map.of("message", "second")));
        }
    }

    @Test
    void anApplicationWhoseSourceCannotBeReadShowsSinceWhenItIsBehindAndCatchesUpOnItsOwnOnceItCan() throws Exception {
        String app = "behind-" + UUID.randomUUID().toString().substring(0, 8);
        String repoUrl = gitBase + "/" + app + ".git";
        declare(app, repoUrl);
        // the repository does not exist yet: the render fails, and keeps failing until it does
        await().atMost(WAIT).untilAsserted(() -> {
            given().auth()
                    .oauth2("test-token-0123456789")
                    .get("/api/applications/{name}", app)
                    .then()
                    .statusCode(200)
                    .body("lastRender.outcome", equalTo("Failed"))
                    .body("behindSince", notNullValue())
                    .body("reconcileInterval", notNullValue());
            assertThat(given().get("/q/metrics").asString())
                    .contains("driftless_render_behind_seconds{application=\"" + app + "\"}");
        });

        try (EventProbe probe = new EventProbe(bootstrap);
                GitFixture repo = GitFixture.create(work.resolve("repo"), repoUrl)) {
            RevCommit pushed = repo.commitAndPush(
                    "first", Map.of("apps/web/config.yaml", RenderPipelineIT.CONFIG_MAP.formatted("first")));
            // no webhook: the next comparison with the source renders it
            assertThat(probe.read(
                            Topics.RENDERS,
                            r -> app.equals(r.key()) && pushed.name().equals(r.ce("commit")),
                            1,
                            WAIT))
                    .hasSize(1);
        }
        given().auth()
                .oauth2("test-token-0123456789")
                .get("/api/applications/{name}", app)
                .then()
                .statusCode(200)
                .body("lastRender.outcome", equalTo("Succeeded"))
                .body("behindSince", nullValue());
        // the API needs a token; one limited to another application neither sees this one nor lists it
        given().get("/api/applications").then().statusCode(401);
        given().auth()
                .oauth2("shop-token-0123456789")
                .get("/api/applications/{name}", app)
                .then()
                .statusCode(403);
        given().auth()
                .oauth2("shop-token-0123456789")
                .get("/api/applications")
                .then()
                .statusCode(200)
                .body("applications.name", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(app)))
                .body("errors", org.hamcrest.Matchers.empty());
    }

    @Test
    void aRolledBackApplicationIsNotTakenBackToTheHeadByTheComparison() throws Exception {
        String app = "pinned-" + UUID.randomUUID().toString().substring(0, 8);
        String repoUrl = gitBase + "/" + app + ".git";
        try (EventProbe probe = new EventProbe(bootstrap);
                GitFixture repo = GitFixture.create(work.resolve("repo"), repoUrl)) {
            RevCommit first = repo.commitAndPush(
                    "first", Map.of("apps/web/config.yaml", RenderPipelineIT.CONFIG_MAP.formatted("first")));
            declare(app, repoUrl);
            RevCommit second = repo.commitAndPush(
                    "second", Map.of("apps/web/config.yaml", RenderPipelineIT.CONFIG_MAP.formatted("second")));
            assertThat(probe.read(
                            Topics.RENDERS,
                            r -> app.equals(r.key()) && second.name().equals(r.ce("commit")),
                            1,
                            WAIT))
                    .as("caught up with the head by the comparison")
                    .hasSize(1);

            probe.send(
                    new dev.driftless.events.Envelope(
                            dev.driftless.events.EventType.COMMAND_ROLLBACK,
                            "rb-" + app,
                            app,
                            java.time.Instant.now(),
                            Map.of("application", app)),
                    new dev.driftless.events.RollbackRequested(
                            app, first.name(), "alice", "bad release", java.time.Instant.now()),
                    app,
                    "urn:test",
                    RenderPipelineIT.COMMAND_SIGNER);
            assertThat(probe.read(
                            Topics.RENDERS,
                            r -> app.equals(r.key())
                                    && first.name().equals(r.ce("commit"))
                                    && r.value().contains("\"triggeredBy\":\"rb-" + app + "\""),
                            1,
                            WAIT))
                    .as("rendered for the rollback")
                    .hasSize(1);
            // two comparisons with the head (every 10 s) pass and leave it where it was rolled back to
            org.awaitility.Awaitility.await()
                    .during(java.time.Duration.ofSeconds(22))
                    .atMost(java.time.Duration.ofSeconds(40))
                    .until(() -> probe.read(
                                            Topics.RENDERS,
                                            r -> app.equals(r.key())
                                                    && second.name().equals(r.ce("commit")),
                                            2,
                                            java.time.Duration.ofMillis(500))
                                    .size()
                            == 1);
        }
    }

    /** Declares an application of {@code apps/web} in the repository, compared with its source every 10 s. */
    void declare(String app, String repoUrl) throws java.io.IOException {
        Files.writeString(
                config.catalogDir().resolve(app + ".yaml"),
                """
                apiVersion: driftless.dev/v1alpha1
                kind: Application
                metadata: { name: %s }
                spec:
                  source: { repoURL: %s, targetRevision: main, path: apps/web }
                  destination: { namespace: web }
                  syncPolicy: { interval: 10s }
                """
                        .formatted(app, repoUrl));
    }
}
