package dev.driftless.render.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.devstack.git.GitFixture;
import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.events.ApplicationRemoved;
import dev.driftless.events.DeadLetter;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventCodec;
import dev.driftless.events.EventType;
import dev.driftless.events.RenderFailed;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.RepositoryUrls;
import dev.driftless.events.ResyncRequested;
import dev.driftless.events.RollbackRequested;
import dev.driftless.events.Topics;
import dev.driftless.render.GitAndCatalog;
import dev.driftless.render.RenderConfig;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * render-service through a real broker and real Git transport: a catalog entry is rendered at once, a push renders
 * the pushed commit, bad manifests fail with a reason naming the file, and an unreadable event is dead-lettered
 * without stopping the consumer.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(GitAndCatalog.class)
class RenderPipelineIT {

    static final Duration WAIT = Duration.ofSeconds(30);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.git.base-url")
    String gitBase;

    @Inject
    RenderConfig config;

    @Inject
    dev.driftless.render.catalog.CatalogDirectory catalog;

    @TempDir
    Path work;

    EventProbe probe;
    String app;
    String repoUrl;
    GitFixture repo;

    @BeforeEach
    void setUp() throws Exception {
        probe = new EventProbe(bootstrap);
        app = "web-" + UUID.randomUUID().toString().substring(0, 8);
        repoUrl = gitBase + "/" + app + ".git";
        repo = GitFixture.create(work.resolve("repo"), repoUrl);
    }

    @AfterEach
    void tearDown() {
        probe.close();
        repo.close();
    }

    void declare() throws Exception {
        Files.writeString(
                config.catalogDir().resolve(app + ".yaml"),
                """
                apiVersion: driftless.dev/v1alpha1
                kind: Application
                metadata: { name: %s }
                spec:
                  source: { repoURL: %s, targetRevision: main, path: apps/web }
                  destination: { namespace: web }
                  syncPolicy: { prune: true, selfHeal: true, createNamespace: true }
                """
                        .formatted(app, repoUrl));
    }

    void pushed(RevCommit before, RevCommit after, String deliveryId) {
        GitAndCatalog.sendPush(probe, repoUrl, before.name(), after.name(), deliveryId);
    }

    EventProbe.Received render(String commit) {
        List<EventProbe.Received> found =
                probe.read(Topics.RENDERS, r -> app.equals(r.key()) && commit.equals(r.ce("commit")), 1, WAIT);
        assertThat(found).as("a render of %s at %s", app, commit).hasSize(1);
        return found.get(0);
    }

    static final String CONFIG_MAP =
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: { name: web-config }
            data: { message: "%s" }
            """;
    static final String DEPLOYMENT_AND_SERVICE =
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: web }
            spec: { replicas: 1 }
            ---
            apiVersion: v1
            kind: Service
            metadata: { name: web }
            spec: { ports: [ { port: 80 } ] }
            """;

    @Test
    void aNewApplicationIsRenderedAtOnceAndAPushRendersThePushedCommit() throws Exception {
        RevCommit first = repo.commitAndPush(
                "first",
                Map.of(
                        "apps/web/config.yaml",
                        CONFIG_MAP.formatted("hello"),
                        "apps/web/workload.yaml",
                        DEPLOYMENT_AND_SERVICE,
                        "README.md",
                        "not a manifest"));
        declare();

        EventProbe.Received initial = render(first.name());
        assertThat(initial.ce("type")).isEqualTo(EventType.RENDER_SUCCEEDED.type());
        RenderSucceeded bundle = EventCodec.decode(RenderSucceeded.class, initial.value());
        assertThat(bundle.manifests())
                .extracting(m -> m.get("kind"))
                .containsExactly("ConfigMap", "Deployment", "Service");
        assertThat(bundle.target().namespace()).isEqualTo("web");
        assertThat(bundle.digest()).startsWith("sha256:");

        RevCommit second =
                repo.commitAndPush("change", Map.of("apps/web/config.yaml", CONFIG_MAP.formatted("changed")));
        pushed(first, second, "d-" + UUID.randomUUID());

        RenderSucceeded next =
                EventCodec.decode(RenderSucceeded.class, render(second.name()).value());
        assertThat(next.manifests().get(0)).extracting("data").isEqualTo(Map.of("message", "changed"));
        assertThat(next.digest()).isNotEqualTo(bundle.digest());
    }

    @ConfigProperty(name = "test.git.root")
    Path gitRoot;

    @Test
    void pushesAFetchBegunAfterThemBroughtShareItAndAPushThatMovesTheBranchBackFetches() throws Exception {
        java.time.Instant longAgo = java.time.Instant.now().minusSeconds(60);
        RevCommit first = repo.commitAndPush("first", Map.of("apps/web/cm.yaml", CONFIG_MAP.formatted("one")));
        declare();
        render(first.name());
        RevCommit second = repo.commitAndPush("second", Map.of("apps/web/cm.yaml", CONFIG_MAP.formatted("two")));
        RevCommit third = repo.commitAndPush("third", Map.of("apps/web/cm.yaml", CONFIG_MAP.formatted("three")));
        pushed(second, third, "d-third");
        render(third.name());

        // the branch moved back by force: the mirror has the older commit, but only a fetch knows the branch moved
        repo.resetAndForcePush(second);
        pushed(third, second, "d-back");
        render(second.name());

        // the repository goes away: a push received before the last fetch began is rendered from the mirror (nothing
        // fails), one received now must fetch, fails, and is the barrier (one partition, in order)
        Files.move(gitRoot.resolve(app + ".git"), gitRoot.resolve(app + ".gone"));
        GitAndCatalog.sendPushReceivedAt(
                probe, repoUrl, "refs/heads/main", first.name(), second.name(), "d-stale", longAgo);
        pushed(second, third, "d-unreachable");
        List<EventProbe.Received> failed = probe.read(
                Topics.RENDERS,
                r -> app.equals(r.key()) && EventType.RENDER_FAILED.type().equals(r.ce("type")),
                1,
                WAIT);
        assertThat(failed).hasSize(1);
        assertThat(EventCodec.decode(
                                dev.driftless.events.RenderFailed.class,
                                failed.get(0).value())
                        .commit())
                .as("the first push that failed to fetch is the one received after the last fetch began")
                .isEqualTo(third.name());
        assertThat(probe.readToEnd(
                        Topics.RENDERS,
                        r -> app.equals(r.key())
                                && EventType.RENDER_FAILED.type().equals(r.ce("type"))))
                .hasSize(1);
    }

    @Test
    void aRemovedApplicationIsAnnouncedButNotWhileTheCatalogHasErrors() throws Exception {
        RevCommit first = repo.commitAndPush("first", Map.of("apps/web/config.yaml", CONFIG_MAP.formatted("ok")));
        declare();
        render(first.name());
        Path broken = config.catalogDir().resolve(app + "-broken.yaml");
        Files.writeString(broken, "apiVersion: driftless.dev/v1alpha1\nkind: Application\nmetadata: {name: [\n");
        Files.delete(config.catalogDir().resolve(app + ".yaml"));
        org.awaitility.Awaitility.await()
                .atMost(WAIT)
                .until(() -> catalog.errors().stream().anyMatch(e -> e.contains(app + "-broken.yaml"))
                        && catalog.applications().stream()
                                .noneMatch(a -> a.name().equals(app)));
        assertThat(probe.readToEnd(
                        Topics.RENDERS,
                        r -> app.equals(r.key())
                                && EventType.APPLICATION_REMOVED.type().equals(r.ce("type"))))
                .as("a catalog with errors announces no removal")
                .isEmpty();

        Files.delete(broken);
        List<EventProbe.Received> removed = probe.read(
                Topics.RENDERS,
                r -> app.equals(r.key()) && EventType.APPLICATION_REMOVED.type().equals(r.ce("type")),
                1,
                WAIT);
        assertThat(removed).hasSize(1);
        ApplicationRemoved announcement =
                EventCodec.decode(ApplicationRemoved.class, removed.get(0).value());
        assertThat(announcement.target().prune()).isTrue();
        assertThat(announcement.source()).isEqualTo(app + ".yaml");
    }

    /**
     * Every file under the limit of one file, all of them over the render's budget (4 MB in tests): the render fails
     * with RenderTooLarge instead of reading them all.
     */
    @Test
    void filesThatTogetherExceedTheRendersByteBudgetFailItWithRenderTooLarge() throws Exception {
        String padding = "x".repeat(1_500_000);
        Map<String, String> files = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            files.put(
                    "apps/web/big-" + i + ".yaml",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big-" + i + "}\ndata: {pad: " + padding + "}\n");
        }
        RevCommit big = repo.commitAndPush("three files of 1.5 MB", files);
        declare();

        EventProbe.Received failed = render(big.name());

        assertThat(failed.ce("type")).isEqualTo(EventType.RENDER_FAILED.type());
        RenderFailed failure = EventCodec.decode(RenderFailed.class, failed.value());
        assertThat(failure.reason()).isEqualTo("RenderTooLarge");
        assertThat(failure.message()).contains("max-render-bytes");
    }

    /** A large render (CRDs of 1.4 MB here) travels compressed, well under the topic's message size. */
    @Test
    void aBundleOverTheInlineSizeTravelsCompressed() throws Exception {
        Map<String, String> files = new java.util.LinkedHashMap<>();
        for (String kind : List.of("Alpha", "Bravo")) {
            StringBuilder fields = new StringBuilder();
            for (int i = 0; i < 4_000; i++) {
                fields.append(i == 0 ? "" : ",")
                        .append("\"field")
                        .append(i)
                        .append("\": {\"type\": \"string\", \"description\": \"Field ")
                        .append(i)
                        .append(" of the spec, described as the Prometheus operator describes every field.\"}");
            }
            files.put(
                    "apps/web/" + kind.toLowerCase() + ".json",
                    "{\"apiVersion\": \"apiextensions.k8s.io/v1\", \"kind\": \"CustomResourceDefinition\","
                            + " \"metadata\": {\"name\": \"" + kind.toLowerCase() + "s.example.com\"},"
                            + " \"spec\": {\"group\": \"example.com\", \"scope\": \"Namespaced\","
                            + " \"names\": {\"kind\": \"" + kind + "\", \"plural\": \"" + kind.toLowerCase()
                            + "s\"}, \"versions\": [{\"name\": \"v1\", \"served\": true, \"storage\": true,"
                            + " \"schema\": {\"openAPIV3Schema\": {\"type\": \"object\", \"properties\": {"
                            + fields + "}}}}]}}");
        }
        RevCommit big = repo.commitAndPush("CRDs of 1.4 MB", files);
        declare();

        EventProbe.Received rendered = render(big.name());

        assertThat(rendered.ce("type")).isEqualTo(EventType.RENDER_SUCCEEDED.type());
        assertThat(rendered.value().length()).as("as it travels").isLessThan(300_000);
        RenderSucceeded render = EventCodec.decode(RenderSucceeded.class, rendered.value());
        assertThat(render.manifests()).isEmpty();
        assertThat(render.objects())
                .extracting(o -> String.valueOf(((Map<?, ?>) o.get("metadata")).get("name")))
                .containsExactly("alphas.example.com", "bravos.example.com");
    }

    @Inject
    dev.driftless.render.RenderQuarantine quarantine;

    /** audit-service's key in tests: render-service trusts its public half (application.properties, %test). */
    static final dev.driftless.events.EventSignatures.Signer COMMAND_SIGNER = commandSigner();

    static dev.driftless.events.EventSignatures.Signer commandSigner() {
        try {
            return dev.driftless.events.EventSignatures.Signer.read(
                    Path.of("src/test/resources/signing/command-signer.pem"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A push published straight to the broker, unsigned: set aside (PushUnsigned), nothing rendered for it. */
    @Test
    void anUnsignedPushIsSetAsideAndNothingIsRenderedForIt() throws Exception {
        RevCommit first = repo.commitAndPush("first", Map.of("apps/web/config.yaml", CONFIG_MAP.formatted("v1")));
        declare();
        render(first.name());
        RevCommit second = repo.commitAndPush("second", Map.of("apps/web/config.yaml", CONFIG_MAP.formatted("v2")));

        GitAndCatalog.sendPush(probe, repoUrl, "refs/heads/main", first.name(), second.name(), "forged-" + app, null);

        String repository = dev.driftless.events.RepositoryUrls.normalise(repoUrl);
        List<EventProbe.Received> letters = probe.read(
                Topics.DEADLETTER,
                r -> repository.equals(r.key())
                        && EventCodec.decode(DeadLetter.class, r.value())
                                .reason()
                                .equals("PushUnsigned"),
                1,
                WAIT);
        assertThat(letters).hasSize(1);
        assertThat(EventCodec.decode(DeadLetter.class, letters.get(0).value()).message())
                .contains("no signature");
        assertThat(probe.readToEnd(
                        Topics.RENDERS,
                        r -> app.equals(r.key()) && second.name().equals(r.ce("commit"))))
                .as("the pushed commit was not rendered")
                .isEmpty();

        pushed(first, second, "signed-" + app);
        render(second.name());
    }

    /** A rollback published straight to the broker, unsigned: set aside (CommandUnsigned), nothing rendered for it. */
    @Test
    void anUnsignedCommandIsSetAsideAndNothingIsRenderedForIt() throws Exception {
        RevCommit first = repo.commitAndPush("first", Map.of("apps/web/config.yaml", CONFIG_MAP.formatted("v1")));
        declare();
        render(first.name());
        RevCommit second = repo.commitAndPush("second", Map.of("apps/web/config.yaml", CONFIG_MAP.formatted("v2")));
        pushed(first, second, "d-" + UUID.randomUUID());
        render(second.name());

        probe.send(
                new Envelope(
                        EventType.COMMAND_ROLLBACK, "forged-" + app, app, Instant.now(), Map.of("application", app)),
                new RollbackRequested(app, first.name(), "mallory", "forged", Instant.now()),
                app,
                "urn:test");

        List<EventProbe.Received> letters = probe.read(Topics.DEADLETTER, r -> app.equals(r.key()), 1, WAIT);
        assertThat(letters).hasSize(1);
        DeadLetter letter = EventCodec.decode(DeadLetter.class, letters.get(0).value());
        assertThat(letter.reason()).isEqualTo("CommandUnsigned");
        assertThat(letter.message()).contains("no signature");
        assertThat(probe.readToEnd(
                        Topics.RENDERS, r -> app.equals(r.key()) && first.name().equals(r.ce("commit"))))
                .as("the first commit was not rendered again")
                .hasSize(1);
    }

    /**
     * A render the service died in twice (as after an out-of-memory kill, simulated here by the markers such a death
     * leaves and a restart's recovery): it is not rendered at that commit again (RenderQuarantined) until a resync.
     */
    @Test
    void anApplicationTheServiceDiedRenderingTwiceIsQuarantinedAtThatCommitUntilAResync() throws Exception {
        RevCommit fatal = repo.commitAndPush("the commit", Map.of("apps/web/config.yaml", CONFIG_MAP.formatted("x")));
        Path dir = config.cacheDir().resolve("quarantine");
        Files.createDirectories(dir.resolve("rendering"));
        Files.createDirectories(dir.resolve("strikes"));
        Files.writeString(dir.resolve("rendering").resolve(app), fatal.name());
        Files.writeString(dir.resolve("strikes").resolve(app), fatal.name() + "\n1");
        quarantine.recover();
        declare();

        EventProbe.Received refused = render(fatal.name());

        assertThat(refused.ce("type")).isEqualTo(EventType.RENDER_FAILED.type());
        RenderFailed failure = EventCodec.decode(RenderFailed.class, refused.value());
        assertThat(failure.reason()).isEqualTo("RenderQuarantined");
        assertThat(failure.message()).contains("died 2 times", "resync");

        probe.send(
                new Envelope(EventType.COMMAND_RESYNC, "rq-" + app, app, Instant.now(), Map.of("application", app)),
                new ResyncRequested(app, "operator", "the chart is fixed upstream", Instant.now()),
                app,
                "urn:test",
                COMMAND_SIGNER);
        List<EventProbe.Received> after = probe.read(
                Topics.RENDERS, r -> app.equals(r.key()) && fatal.name().equals(r.ce("commit")), 2, WAIT);
        assertThat(after).hasSize(2);
        assertThat(after.get(1).ce("type"))
                .as("rendered after the resync")
                .isEqualTo(EventType.RENDER_SUCCEEDED.type());
        assertThat(dir.resolve("strikes").resolve(app)).doesNotExist();
    }

    @Test
    void unparseableYamlAndAnObjectWithoutKindFailWithAReasonNamingTheFile() throws Exception {
        RevCommit first = repo.commitAndPush("first", Map.of("apps/web/config.yaml", CONFIG_MAP.formatted("ok")));
        declare();
        render(first.name());

        RevCommit broken = repo.commitAndPush("broken", Map.of("apps/web/broken.yaml", "kind: [unclosed\n"));
        pushed(first, broken, "d-" + UUID.randomUUID());
        EventProbe.Received failed = render(broken.name());
        assertThat(failed.ce("type")).isEqualTo(EventType.RENDER_FAILED.type());
        RenderFailed failure = EventCodec.decode(RenderFailed.class, failed.value());
        assertThat(failure.reason()).isEqualTo("ManifestInvalid");
        assertThat(failure.message()).contains("broken.yaml").contains("line");

        RevCommit noKind = repo.commitAndPush(
                "no kind", Map.of("apps/web/broken.yaml", "apiVersion: v1\nmetadata: { name: x }\n"));
        pushed(broken, noKind, "d-" + UUID.randomUUID());
        RenderFailed missingKind =
                EventCodec.decode(RenderFailed.class, render(noKind.name()).value());
        assertThat(missingKind.reason()).isEqualTo("ManifestInvalid");
        assertThat(missingKind.message()).isEqualTo("broken.yaml (document 1): kind is missing");
    }

    /**
     * This service runs without the keys that seal Secrets (none are configured in tests): a render that has a Secret
     * fails with {@code SecretKeyMissing}, and the failure names neither value.
     */
    @Test
    void aSecretWithNoKeyToSealItWithFailsTheRenderAndNothingIsPublishedInClear() throws Exception {
        String canary = "canary-" + UUID.randomUUID();
        RevCommit first = repo.commitAndPush(
                "first",
                Map.of(
                        "apps/web/config.yaml",
                        CONFIG_MAP.formatted("ok"),
                        "apps/web/secret.yaml",
                        "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: " + canary
                                + "}\n"));
        declare();

        EventProbe.Received failed = render(first.name());

        assertThat(failed.ce("type")).isEqualTo(EventType.RENDER_FAILED.type());
        RenderFailed failure = EventCodec.decode(RenderFailed.class, failed.value());
        assertThat(failure.reason()).isEqualTo("SecretKeyMissing");
        assertThat(failure.message()).contains("driftless.render.secrets.recipients-file");
        assertThat(failed.value()).doesNotContain(canary);
    }

    @Test
    void anUnreadableEventIsDeadLetteredAndTheNextOneIsStillRendered() throws Exception {
        RevCommit first = repo.commitAndPush("first", Map.of("apps/web/config.yaml", CONFIG_MAP.formatted("a")));
        declare();
        render(first.name());
        String key = RepositoryUrls.normalise(repoUrl);

        probe.sendRaw(
                Topics.COMMITS,
                key,
                "{this is not json",
                EventProbe.cloudEventHeaders("garbage-" + app, EventType.COMMIT_PUSHED.type()));
        RevCommit second = repo.commitAndPush("second", Map.of("apps/web/config.yaml", CONFIG_MAP.formatted("b")));
        pushed(first, second, "d-" + UUID.randomUUID());

        render(second.name());
        List<EventProbe.Received> letters = probe.read(Topics.DEADLETTER, r -> key.equals(r.key()), 1, WAIT);
        assertThat(letters).hasSize(1);
        DeadLetter letter = EventCodec.decode(DeadLetter.class, letters.get(0).value());
        assertThat(letter.reason()).isEqualTo("EventMalformed");
        assertThat(letter.originalId()).isEqualTo("garbage-" + app);
        assertThat(letter.payload()).isEqualTo("{this is not json");
        assertThat(letter.service()).isEqualTo("render-service");
    }

    @Test
    void aPushWithoutItsRequiredFieldsIsDeadLetteredAndTheNextOneIsStillRendered() throws Exception {
        RevCommit first = repo.commitAndPush("first", Map.of("apps/web/config.yaml", CONFIG_MAP.formatted("a")));
        declare();
        render(first.name());
        String key = RepositoryUrls.normalise(repoUrl);

        // parseable, but no ref, commits or provider: it once failed inside the consumer, again on every redelivery
        probe.sendRaw(
                Topics.COMMITS,
                key,
                "{\"repository\":\"" + repoUrl + "\"}",
                EventProbe.cloudEventHeaders("incomplete-" + app, EventType.COMMIT_PUSHED.type()));
        RevCommit second = repo.commitAndPush("second", Map.of("apps/web/config.yaml", CONFIG_MAP.formatted("b")));
        pushed(first, second, "d-" + UUID.randomUUID());

        render(second.name());
        List<EventProbe.Received> letters = probe.read(
                Topics.DEADLETTER,
                r -> ("incomplete-" + app).equals(decodeLetter(r).originalId()),
                1,
                WAIT);
        assertThat(letters).hasSize(1);
        DeadLetter letter = decodeLetter(letters.get(0));
        assertThat(letter.reason()).isEqualTo("EventMalformed");
        assertThat(letter.message()).contains("schema").contains("ref");
        assertThat(letter.service()).isEqualTo("render-service");
    }

    static DeadLetter decodeLetter(EventProbe.Received record) {
        return EventCodec.decode(DeadLetter.class, record.value());
    }

    @Test
    void aRollbackRendersTheOlderCommitAndAResyncRendersTheHeadAgain() throws Exception {
        RevCommit first = repo.commitAndPush("first", Map.of("apps/web/config.yaml", CONFIG_MAP.formatted("v1")));
        declare();
        render(first.name());
        RevCommit second = repo.commitAndPush("second", Map.of("apps/web/config.yaml", CONFIG_MAP.formatted("v2")));
        pushed(first, second, "d-" + UUID.randomUUID());
        render(second.name());

        probe.send(
                new Envelope(EventType.COMMAND_ROLLBACK, "rb-" + app, app, Instant.now(), Map.of("application", app)),
                new RollbackRequested(app, first.name(), "alice", "bad release", Instant.now()),
                app,
                "urn:test",
                COMMAND_SIGNER);
        List<EventProbe.Received> rolledBack = probe.read(
                Topics.RENDERS, r -> app.equals(r.key()) && first.name().equals(r.ce("commit")), 2, WAIT);
        assertThat(rolledBack)
                .as("the first commit rendered again, for the rollback")
                .hasSize(2);
        RenderSucceeded rollbackRender =
                EventCodec.decode(RenderSucceeded.class, rolledBack.get(1).value());
        assertThat(rollbackRender.triggeredBy()).isEqualTo("rb-" + app);
        assertThat(rollbackRender.requestedBy())
                .as("a person's rollback is a sync by hand")
                .isEqualTo("alice");
        assertThat(EventCodec.decode(RenderSucceeded.class, rolledBack.get(0).value())
                        .requestedBy())
                .as("the first commit's push render")
                .isNull();
        io.restassured.RestAssured.given()
                .auth()
                .oauth2("test-token-0123456789")
                .get("/api/applications/{name}", app)
                .then()
                .statusCode(200)
                .body("pinnedTo", org.hamcrest.Matchers.equalTo(first.name()));

        // sync-service's own resync (after a restart or a rebalance) keeps the rollback: the pinned commit again
        probe.send(
                new Envelope(EventType.COMMAND_RESYNC, "own-" + app, app, Instant.now(), Map.of("application", app)),
                new ResyncRequested(app, "sync-service", "rebuilds its state", Instant.now()),
                app,
                "urn:test",
                COMMAND_SIGNER);
        List<EventProbe.Received> own = probe.read(
                Topics.RENDERS, r -> app.equals(r.key()) && first.name().equals(r.ce("commit")), 3, WAIT);
        assertThat(own)
                .as("sync-service's resync renders the commit the application was rolled back to")
                .hasSize(3);
        assertThat(EventCodec.decode(RenderSucceeded.class, own.get(2).value()).requestedBy())
                .as("sync-service's own resync is no person's")
                .isNull();

        probe.send(
                new Envelope(EventType.COMMAND_RESYNC, "rs-" + app, app, Instant.now(), Map.of("application", app)),
                new ResyncRequested(app, "bob", null, Instant.now()),
                app,
                "urn:test",
                COMMAND_SIGNER);
        List<EventProbe.Received> resynced = probe.read(
                Topics.RENDERS, r -> app.equals(r.key()) && second.name().equals(r.ce("commit")), 2, WAIT);
        assertThat(resynced).as("the head rendered again, for the resync").hasSize(2);
        assertThat(EventCodec.decode(RenderSucceeded.class, resynced.get(1).value())
                        .requestedBy())
                .isEqualTo("bob");
    }

    @Test
    void aSuspendedApplicationRendersOnlyTheChangeThatSuspendedItAndRefusesAResync() throws Exception {
        RevCommit first = repo.commitAndPush("first", Map.of("apps/web/config.yaml", CONFIG_MAP.formatted("v1")));
        declare();
        render(first.name());
        // a twin of it, never suspended: a push renders it, which shows the push was handled
        String twin = app + "-twin";
        Files.writeString(
                config.catalogDir().resolve(twin + ".yaml"),
                Files.readString(config.catalogDir().resolve(app + ".yaml")).replace("name: " + app, "name: " + twin));
        assertThat(probe.read(
                        Topics.RENDERS,
                        r -> twin.equals(r.key()) && first.name().equals(r.ce("commit")),
                        1,
                        WAIT))
                .hasSize(1);
        Files.writeString(
                config.catalogDir().resolve(app + ".yaml"),
                Files.readString(config.catalogDir().resolve(app + ".yaml"))
                        .replace("spec:\n", "spec:\n  suspend: true\n"));
        List<EventProbe.Received> suspending = probe.read(
                Topics.RENDERS, r -> app.equals(r.key()) && first.name().equals(r.ce("commit")), 2, WAIT);
        assertThat(suspending).hasSize(2);
        assertThat(EventCodec.decode(RenderSucceeded.class, suspending.get(1).value())
                        .target()
                        .suspended())
                .as("the catalog change is rendered, so sync-service lets go of the application")
                .isTrue();

        RevCommit second = repo.commitAndPush("second", Map.of("apps/web/config.yaml", CONFIG_MAP.formatted("v2")));
        pushed(first, second, "d-" + UUID.randomUUID());
        assertThat(probe.read(
                        Topics.RENDERS,
                        r -> twin.equals(r.key()) && second.name().equals(r.ce("commit")),
                        1,
                        WAIT))
                .as("the push rendered the twin")
                .hasSize(1);
        assertThat(probe.readToEnd(
                        Topics.RENDERS,
                        r -> app.equals(r.key()) && second.name().equals(r.ce("commit"))))
                .as("and not the suspended application")
                .isEmpty();

        probe.send(
                new Envelope(EventType.COMMAND_RESYNC, "rs-" + app, app, Instant.now(), Map.of("application", app)),
                new ResyncRequested(app, "bob", null, Instant.now()),
                app,
                "urn:test",
                COMMAND_SIGNER);
        EventProbe.Received refused = render(second.name());
        assertThat(refused.ce("type")).isEqualTo(EventType.RENDER_FAILED.type());
        assertThat(EventCodec.decode(dev.driftless.events.RenderFailed.class, refused.value())
                        .reason())
                .isEqualTo("ApplicationSuspended");
        Files.delete(config.catalogDir().resolve(twin + ".yaml"));
    }

    @Test
    void aPushOfACommitThatIsNoLongerTheHeadRendersTheHeadAndNeverGoesBack() throws Exception {
        RevCommit first = repo.commitAndPush("first", Map.of("apps/web/config.yaml", CONFIG_MAP.formatted("1")));
        declare();
        render(first.name());
        RevCommit second = repo.commitAndPush("second", Map.of("apps/web/config.yaml", CONFIG_MAP.formatted("2")));
        RevCommit third = repo.commitAndPush("third", Map.of("apps/web/config.yaml", CONFIG_MAP.formatted("3")));

        pushed(first, second, "late-" + UUID.randomUUID());

        assertThat(EventCodec.decode(RenderSucceeded.class, render(third.name()).value())
                        .manifests()
                        .get(0))
                .extracting("data")
                .isEqualTo(Map.of("message", "3"));
        pushed(second, third, "d-" + UUID.randomUUID());
        pushed(first, second, "replayed-" + UUID.randomUUID());
        // a sentinel push after them, on the same key: once it is rendered, every push before it was handled
        RevCommit fourth = repo.commitAndPush("fourth", Map.of("apps/web/config.yaml", CONFIG_MAP.formatted("4")));
        pushed(third, fourth, "sentinel-" + UUID.randomUUID());
        render(fourth.name());

        List<String> rendered = probe.readToEnd(Topics.RENDERS, r -> app.equals(r.key())).stream()
                .map(r -> r.ce("commit"))
                .toList();
        assertThat(rendered.subList(rendered.indexOf(third.name()), rendered.size()))
                .as("the older commit is never rendered after the newer one")
                .doesNotContain(second.name());
        assertThat(rendered)
                .as("the head is rendered once, however often it is announced")
                .containsOnlyOnce(third.name());
    }
}
