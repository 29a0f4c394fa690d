package dev.driftless.render.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.devstack.git.GitFixture;
import dev.driftless.devstack.git.GitServer;
import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.events.EventCodec;
import dev.driftless.events.EventType;
import dev.driftless.events.RenderFailed;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.Topics;
import dev.driftless.render.GitAndCatalog;
import dev.driftless.render.RenderConfig;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kustomize, Helm, semver revisions and the safety limits, on real Git repositories over a real Git transport and a
 * real broker. Kustomize and Helm are the ones built with the control plane ({@link GitAndCatalog}: devstack's
 * build.sh, cached), so both renderers are tested wherever the tests run.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(GitAndCatalog.class)
class RenderersIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.git.base-url")
    String gitBase;

    @ConfigProperty(name = "test.git.private-password")
    String privatePassword;

    @ConfigProperty(name = "test.git.ssh-dir")
    Path sshDir;

    @ConfigProperty(name = "test.git.root")
    String gitRoot;

    @ConfigProperty(name = "test.trust-dir")
    Path trustDir;

    @Inject
    RenderConfig config;

    @Inject
    dev.driftless.render.git.MirrorCache mirrorCache;

    @TempDir
    Path work;

    EventProbe probe;
    String prefix;
    String repoUrl;
    GitFixture repo;

    @BeforeEach
    void setUp() {
        probe = new EventProbe(bootstrap);
        prefix = "r" + UUID.randomUUID().toString().substring(0, 6) + "-";
        repoUrl = gitBase + "/" + prefix + "repo.git";
        repo = GitFixture.create(work.resolve("repo"), repoUrl);
    }

    @AfterEach
    void tearDown() {
        probe.close();
        repo.close();
    }

    /**
     * A repository whose one fetch brings more than {@code max-fetch-bytes} fails {@code FetchTooLarge} with nothing
     * stored. The limit is set low for this test alone (the same limit the service installs at start from its
     * configuration), then set back.
     */
    @Test
    void aFetchPastItsByteBudgetFailsBeforeAnythingIsStored() throws Exception {
        repo.commitAndPush(
                "a 3 MB blob nothing compresses",
                Map.of(
                        "apps/huge/blob.txt",
                        randomText(3_000_000),
                        "apps/huge/cm.yaml",
                        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: huge}\n"));
        dev.driftless.render.git.FetchLimit.install(1_000_000);
        try {
            declare("huge", "path: apps/huge", "directory");
            List<EventProbe.Received> found =
                    probe.read(Topics.RENDERS, r -> (prefix + "huge").equals(r.key()), 1, WAIT);
            assertThat(found).hasSize(1);
            assertThat(found.get(0).ce("type")).isEqualTo(EventType.RENDER_FAILED.type());
            RenderFailed failed =
                    EventCodec.decode(RenderFailed.class, found.get(0).value());
            assertThat(failed.reason()).isEqualTo("FetchTooLarge");
            assertThat(failed.message()).contains("more than 1000000 bytes in one fetch");
        } finally {
            dev.driftless.render.git.FetchLimit.install(config.limits().maxFetchBytes());
        }
    }

    @Test
    void aSharedKustomizeBaseRendersEveryApplicationUsingItAndNothingElse() throws Exception {
        RevCommit first = repo.commitAndPush(
                "two overlays of one base, a patch outside both, and a plain directory",
                Map.of(
                        "bases/web/kustomization.yaml", "resources: [deployment.yaml]\n",
                        "bases/web/deployment.yaml", deployment("web", "nginx:1"),
                        "apps/a/kustomization.yaml", "resources: [../../bases/web]\nnamePrefix: a-\n",
                        "apps/b/kustomization.yaml",
                                "resources: [../../bases/web]\nnamePrefix: b-\ncomponents: [../../components/scaled]\n",
                        "components/scaled/kustomization.yaml",
                                "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
                                        + "patches:\n- path: replicas.yaml\n",
                        "components/scaled/replicas.yaml",
                                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n",
                        "apps/c/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n"));
        declare("a", "path: apps/a", "auto");
        declare("b", "path: apps/b", "kustomize");
        declare("c", "path: apps/c", "auto");
        RenderSucceeded a = succeeded("a", first);
        assertThat(a.manifests()).singleElement().satisfies(d -> assertThat(name(d))
                .isEqualTo("a-web"));
        RenderSucceeded b = succeeded("b", first);
        assertThat(spec(b.manifests().get(0))).containsEntry("replicas", 3);
        succeeded("c", first);

        RevCommit base = repo.commitAndPush(
                "a new image in the shared base", Map.of("bases/web/deployment.yaml", deployment("web", "nginx:2")));
        GitAndCatalog.sendPush(probe, repoUrl, first.name(), base.name(), "d-base");
        assertThat(image(succeeded("a", base))).isEqualTo("nginx:2");
        assertThat(image(succeeded("b", base))).isEqualTo("nginx:2");

        RevCommit patch = repo.commitAndPush(
                "more replicas for b only",
                Map.of(
                        "components/scaled/replicas.yaml",
                        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 5}\n"));
        GitAndCatalog.sendPush(probe, repoUrl, base.name(), patch.name(), "d-patch");
        assertThat(spec(succeeded("b", patch).manifests().get(0))).containsEntry("replicas", 5);

        assertThat(probe.readToEnd(
                        Topics.RENDERS,
                        r -> r.key().startsWith(prefix) && !first.name().equals(r.ce("commit"))))
                .as("the base change renders both overlays, the component only b, the directory application never")
                .extracting(r -> r.key().substring(prefix.length()) + "@" + r.ce("commit"))
                .containsExactlyInAnyOrder("a@" + base.name(), "b@" + base.name(), "b@" + patch.name());
    }

    static final String HELM_HOOK =
            """
            apiVersion: batch/v1
            kind: Job
            metadata:
              generateName: {{ .Release.Name }}-migrate-
              annotations:
                helm.sh/hook: pre-install,pre-upgrade
            spec:
              template:
                spec:
                  restartPolicy: Never
                  containers: [{name: migrate, image: "{{ .Values.image }}"}]
            """;

    @Test
    @SuppressWarnings("unchecked")
    void aHelmChartRendersWithValueFilesFromTheRepositoryAndInlineValues() throws Exception {
        RevCommit first = repo.commitAndPush(
                "a chart and the production values beside it",
                Map.of(
                        "charts/web/Chart.yaml",
                        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
                        "charts/web/values.yaml",
                        "replicas: 1\nimage: nginx:1\n",
                        "charts/web/templates/deployment.yaml",
                        HELM_DEPLOYMENT,
                        "charts/web/templates/migrate.yaml",
                        HELM_HOOK,
                        "environments/prod/values.yaml",
                        "replicas: 3\n",
                        "charts/needs-remote/Chart.yaml",
                        "apiVersion: v2\nname: needs-remote\nversion: 0.1.0\ndependencies:\n"
                                + "- {name: redis, version: 1.0.0, repository: https://charts.example.com}\n"));
        declare(
                "web",
                """
                path: charts/web
                  render:
                    type: auto
                    helm:
                      releaseName: shop
                      valueFiles: [../../environments/prod/values.yaml]
                      values: { image: "nginx:2" }""",
                null);
        declare("remote", "path: charts/needs-remote", "helm");

        RenderSucceeded web = succeeded("web", first);
        assertThat(web.manifests())
                .as("the chart's hooks are rendered with it (sync-service runs them in their phase)")
                .filteredOn(d -> "Job".equals(d.get("kind")))
                .singleElement()
                .satisfies(hook -> assertThat((Map<String, Object>) hook.get("metadata"))
                        .containsEntry("generateName", "shop-migrate-")
                        .containsEntry("annotations", Map.of("helm.sh/hook", "pre-install,pre-upgrade")));
        assertThat(web.manifests())
                .filteredOn(d -> "Deployment".equals(d.get("kind")))
                .singleElement()
                .satisfies(d -> {
                    assertThat(name(d)).isEqualTo("shop-web");
                    assertThat(spec(d)).containsEntry("replicas", 3);
                });
        assertThat(image(web)).isEqualTo("nginx:2");
        assertThat(failed("remote", first))
                .satisfies(f -> assertThat(f.reason()).isEqualTo("ChartDependencyRefused"))
                .satisfies(f -> assertThat(f.message()).contains("https://charts.example.com"));

        RevCommit values =
                repo.commitAndPush("production scales out", Map.of("environments/prod/values.yaml", "replicas: 4\n"));
        GitAndCatalog.sendPush(probe, repoUrl, first.name(), values.name(), "d-values");
        assertThat(spec(succeeded("web", values).manifests().stream()
                        .filter(d -> "Deployment".equals(d.get("kind")))
                        .findFirst()
                        .orElseThrow()))
                .as("a value file outside the chart is an input of its render")
                .containsEntry("replicas", 4);
    }

    @Test
    void escapesBombsAndOversizedBundlesFailEachWithItsOwnReason() throws Exception {
        Map<String, String> files = new HashMap<>();
        files.put("apps/bomb/bomb.yaml", BILLION_LAUGHS);
        files.put(
                "apps/deep/deep.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: " + "[".repeat(200) + "]".repeat(200)
                        + "\n");
        files.put(
                "apps/big/big.yaml",
                // random, so it stays over max-bundle-bytes even compressed (repetitive text would travel compressed)
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {blob: \"" + randomText(1_000_000)
                        + "\"}\n");
        files.put("apps/twice/one.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same}\n");
        files.put("apps/twice/two.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same}\n");
        files.put("apps/traversal/kustomization.yaml", "resources: [../../../../../../etc]\n");
        files.put("apps/absolute/kustomization.yaml", "resources: [/etc/passwd]\n");
        files.put("apps/remote/kustomization.yaml", "resources:\n- https://github.com/evil/base//deploy?ref=main\n");
        files.put("charts/escape/Chart.yaml", "apiVersion: v2\nname: escape\nversion: 0.1.0\n");
        files.put("apps/link/ok.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n");
        for (int i = 0; i <= 1000; i++) {
            files.put(
                    "apps/many/cm-" + i + ".yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-" + i + "}\n");
        }
        files.put("apps/huge/huge.yaml", "# " + "x".repeat(5_000_001) + "\n");
        repo.commitAndPush("attacks", files);
        repo.commitAndPush(
                "a chart", Map.of("charts/chain/Chart.yaml", "apiVersion: v2\nname: chain\nversion: 0.1.0\n"));
        repo.commitSymlinkAndPush("a link out", "apps/link/passwd.yaml", "../../../../../etc/passwd");
        // each link's text stays inside the repository; written to disk, the second leaves it through the first
        repo.commitSymlinkAndPush("up", "charts/chain/x/up", "..");
        RevCommit head = repo.commitSymlinkAndPush("leak", "charts/chain/leak", "x/up/../../../etc/passwd");
        Map<String, String> expected = new HashMap<>(Map.of(
                "bomb", "YamlAliasLimit",
                "deep", "NestingTooDeep",
                "big", "BundleTooLarge",
                "twice", "DuplicateObject",
                "traversal", "PathEscapesRepository",
                "absolute", "PathEscapesRepository",
                "remote", "RemoteBaseRefused",
                "link", "PathEscapesRepository",
                "many", "TooManyFiles",
                "huge", "FileTooLarge"));
        for (String app : expected.keySet()) {
            declare(
                    app,
                    "path: apps/" + app,
                    List.of("traversal", "absolute", "remote").contains(app) ? "kustomize" : "auto");
        }
        declare("escape", "path: charts/escape\n  render:\n    helm: { valueFiles: [../../../../etc/passwd] }", null);
        expected.put("escape", "PathEscapesRepository");
        declare("chain", "path: charts/chain", null);
        expected.put("chain", "PathEscapesRepository");

        for (var app : expected.entrySet()) {
            RenderFailed failure = failed(app.getKey(), head);
            assertThat(failure.reason())
                    .as(app.getKey() + ": " + failure.message())
                    .isEqualTo(app.getValue());
        }
        assertThat(failed("twice", head).message()).contains("one.yaml").contains("two.yaml");
        assertThat(failed("link", head).message()).contains("passwd.yaml");
        assertThat(failed("chain", head).message()).contains("leak");
    }

    @Test
    void aPrivateRepositoryIsFetchedWithItsCredentialAndRefusedWithout() throws Exception {
        String authority = "http://" + GitServer.PRIVATE_USER + ":" + privatePassword + "@";
        String allowed = gitBase + "/private/allowed-" + prefix + "repo.git";
        String other = gitBase + "/private/other-" + prefix + "repo.git";
        RevCommit head;
        try (GitFixture allowedRepo =
                        GitFixture.create(work.resolve("allowed"), allowed.replace("http://", authority));
                GitFixture otherRepo = GitFixture.create(work.resolve("other"), other.replace("http://", authority))) {
            String cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\n";
            head = allowedRepo.commitAndPush("private", Map.of("deploy/cm.yaml", cm));
            otherRepo.commitAndPush("private too", Map.of("deploy/cm.yaml", cm));
        }
        repoUrl = allowed;
        declare("allowed", "path: deploy", "auto");
        succeeded("allowed", head);

        repoUrl = other;
        declare("other", "path: deploy", "auto");
        List<EventProbe.Received> refused =
                probe.read(Topics.RENDERS, r -> (prefix + "other").equals(r.key()), 1, WAIT);
        RenderFailed failure =
                EventCodec.decode(RenderFailed.class, refused.get(0).value());
        assertThat(failure.reason()).isEqualTo("RepositoryUnreachable");
        assertThat(failure.message()).doesNotContain(privatePassword);
    }

    @Test
    void aRepositoryOverSshIsFetchedWithTheCredentialsKeyAndAKnownHost() throws Exception {
        dev.driftless.devstack.tools.RequiredTools.require("no SSH keys can be made for this test", "ssh-keygen");
        Path keys = Files.createDirectories(work.resolve("keys"));
        keygen(keys.resolve("host"));
        keygen(sshDir.resolve("id_rsa"));
        String cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\n";
        RevCommit head = repo.commitAndPush("over ssh", Map.of("deploy/cm.yaml", cm));
        Path bare = Path.of(gitRoot, prefix + "repo.git");
        try (org.eclipse.jgit.lib.Repository served = new org.eclipse.jgit.storage.file.FileRepositoryBuilder()
                .setGitDir(bare.toFile())
                .setBare()
                .build()) {
            var server = new org.eclipse.jgit.junit.ssh.SshTestGitServer(
                    "git", sshDir.resolve("id_rsa.pub"), served, Files.readAllBytes(keys.resolve("host")));
            int port = server.start();
            try {
                Files.writeString(
                        sshDir.resolve("known_hosts"),
                        "[127.0.0.1]:" + port + " " + Files.readString(keys.resolve("host.pub")));
                repoUrl = "ssh://git@127.0.0.1:" + port + "/" + prefix + "repo.git";
                declare("ssh", "path: deploy", "auto");
                succeeded("ssh", head);
            } finally {
                server.stop();
            }
        }
    }

    @Test
    void onlyCommitsSignedByATrustedKeyAreRendered() throws Exception {
        dev.driftless.devstack.tools.RequiredTools.require(
                "commits are signed as a developer would", "git", "gpg", "ssh-keygen");
        Path gnupg = Files.createDirectories(work.resolve("gnupg"));
        Files.setPosixFilePermissions(gnupg, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Map<String, String> env = Map.of("GNUPGHOME", gnupg.toString());
        Path cli = Files.createDirectories(work.resolve("cli"));
        try {
            run(
                    env,
                    work,
                    "gpg",
                    "--batch",
                    "--passphrase",
                    "",
                    "--quick-gen-key",
                    "Trusted <trusted@example.com>",
                    "ed25519",
                    "sign",
                    "never");
            run(
                    env,
                    work,
                    "gpg",
                    "--batch",
                    "--passphrase",
                    "",
                    "--quick-gen-key",
                    "Stranger <stranger@example.com>",
                    "ed25519",
                    "sign",
                    "never");
            Files.writeString(
                    trustDir.resolve("team.asc"), run(env, work, "gpg", "--armor", "--export", "trusted@example.com"));
            run(
                    env,
                    work,
                    "ssh-keygen",
                    "-q",
                    "-t",
                    "ed25519",
                    "-N",
                    "",
                    "-C",
                    "trusted@example.com",
                    "-f",
                    work.resolve("signing").toString());
            Files.writeString(
                    trustDir.resolve("allowed_signers"),
                    "trusted@example.com " + Files.readString(work.resolve("signing.pub")));

            run(env, cli, "git", "init", "-q", "-b", "main");
            run(env, cli, "git", "config", "user.name", "Trusted");
            run(env, cli, "git", "config", "user.email", "trusted@example.com");
            Files.createDirectories(cli.resolve("deploy"));
            java.util.function.Function<String, RevCommitId> commit = (String how) -> {
                try {
                    Files.writeString(
                            cli.resolve("deploy/cm.yaml"),
                            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: signed}\ndata: {how: " + how + "}\n");
                    run(env, cli, "git", "add", "-A");
                    List<String> command = new java.util.ArrayList<>(List.of("git"));
                    switch (how) {
                        case "trusted-gpg" ->
                            command.addAll(List.of("-c", "user.signingkey=trusted@example.com", "commit", "-q", "-S"));
                        case "stranger-gpg" ->
                            command.addAll(List.of("-c", "user.signingkey=stranger@example.com", "commit", "-q", "-S"));
                        case "trusted-ssh" ->
                            command.addAll(List.of(
                                    "-c",
                                    "gpg.format=ssh",
                                    "-c",
                                    "user.signingkey=" + work.resolve("signing.pub"),
                                    "commit",
                                    "-q",
                                    "-S"));
                        default -> command.addAll(List.of("commit", "-q"));
                    }
                    command.addAll(List.of("-m", how));
                    run(env, cli, command.toArray(String[]::new));
                    run(env, cli, "git", "push", "-q", repoUrl, "main");
                    return new RevCommitId(
                            run(env, cli, "git", "rev-parse", "HEAD").strip());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };

            RevCommitId unsigned = commit.apply("unsigned");
            declare("signed", "verifySignature: team\n    path: deploy", "auto");
            assertThat(failedAt("signed", unsigned.sha()).message()).contains("is not signed");

            RevCommitId trusted = commit.apply("trusted-gpg");
            GitAndCatalog.sendPush(probe, repoUrl, unsigned.sha(), trusted.sha(), "d-trusted");
            succeededAt("signed", trusted.sha());

            RevCommitId stranger = commit.apply("stranger-gpg");
            GitAndCatalog.sendPush(probe, repoUrl, trusted.sha(), stranger.sha(), "d-stranger");
            assertThat(failedAt("signed", stranger.sha()))
                    .satisfies(f -> assertThat(f.reason()).isEqualTo("SignatureUntrusted"))
                    .satisfies(f -> assertThat(f.message()).contains("does not trust"));

            RevCommitId ssh = commit.apply("trusted-ssh");
            GitAndCatalog.sendPush(probe, repoUrl, stranger.sha(), ssh.sha(), "d-ssh");
            succeededAt("signed", ssh.sha());
        } finally {
            ProcessBuilder kill = new ProcessBuilder("gpgconf", "--kill", "gpg-agent");
            kill.environment().putAll(env);
            kill.start().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    record RevCommitId(String sha) {}

    RenderFailed failedAt(String app, String sha) {
        List<EventProbe.Received> found =
                probe.read(Topics.RENDERS, r -> (prefix + app).equals(r.key()) && sha.equals(r.ce("commit")), 1, WAIT);
        assertThat(found).as("a render of %s at %s", app, sha).hasSize(1);
        assertThat(found.get(0).ce("type")).isEqualTo(EventType.RENDER_FAILED.type());
        RenderFailed failure =
                EventCodec.decode(RenderFailed.class, found.get(0).value());
        assertThat(failure.reason()).isEqualTo("SignatureUntrusted");
        return failure;
    }

    void succeededAt(String app, String sha) {
        List<EventProbe.Received> found =
                probe.read(Topics.RENDERS, r -> (prefix + app).equals(r.key()) && sha.equals(r.ce("commit")), 1, WAIT);
        assertThat(found).as("a render of %s at %s", app, sha).hasSize(1);
        assertThat(found.get(0).ce("type")).as(found.get(0).value()).isEqualTo(EventType.RENDER_SUCCEEDED.type());
    }

    static String run(Map<String, String> env, Path dir, String... command) throws Exception {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue())
                .as(String.join(" ", command) + ": " + output)
                .isZero();
        return output;
    }

    static void keygen(Path key) throws Exception {
        Process process = new ProcessBuilder(
                        "ssh-keygen", "-q", "-t", "rsa", "-b", "3072", "-m", "PEM", "-N", "", "-f", key.toString())
                .redirectErrorStream(true)
                .start();
        assertThat(process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
    }

    @Test
    void garbageCollectionLeavesOnePackAndRendersGoOn() throws Exception {
        String cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: g}\ndata: {n: \"%d\"}\n";
        RevCommit previous = repo.commitAndPush("0", Map.of("deploy/cm.yaml", cm.formatted(0)));
        declare("gc", "path: deploy", "auto");
        succeeded("gc", previous);
        for (int i = 1; i <= 4; i++) {
            RevCommit next = repo.commitAndPush(String.valueOf(i), Map.of("deploy/cm.yaml", cm.formatted(i)));
            GitAndCatalog.sendPush(probe, repoUrl, previous.name(), next.name(), "d-gc-" + i);
            succeeded("gc", next);
            previous = next;
        }
        Path mirror;
        try (Stream<Path> mirrors = Files.list(config.cacheDir())) {
            mirror = mirrors.filter(p -> p.getFileName().toString().endsWith("-" + prefix + "repo.git"))
                    .findFirst()
                    .orElseThrow();
        }
        assertThat(packs(mirror)).as("one pack per fetch").hasSizeGreaterThan(1);
        // JGit keeps replaced packs an hour for readers that still have them open; here nobody has
        try (var config = org.eclipse.jgit.storage.file.FileRepositoryBuilder.create(mirror.toFile())) {
            config.getConfig().setString("gc", null, "prunePackExpire", "now");
            config.getConfig().save();
        }

        mirrorCache.gc();

        assertThat(packs(mirror)).as("after gc").hasSize(1);
        RevCommit after = repo.commitAndPush("after gc", Map.of("deploy/cm.yaml", cm.formatted(5)));
        GitAndCatalog.sendPush(probe, repoUrl, previous.name(), after.name(), "d-gc-after");
        succeeded("gc", after);
    }

    static List<Path> packs(Path mirror) throws Exception {
        try (Stream<Path> files = Files.list(mirror.resolve("objects/pack"))) {
            return files.filter(p -> p.toString().endsWith(".pack")).toList();
        }
    }

    @Test
    void aSemverRangeFollowsTheHighestTagThatSatisfiesIt() throws Exception {
        Map<String, RevCommit> tagged = new HashMap<>();
        for (String tag : List.of("v1.0.0", "v1.2.0", "v2.0.0", "v1.3.0-rc.1")) {
            tagged.put(
                    tag,
                    repo.commitAndPush(
                            "release " + tag,
                            Map.of(
                                    "deploy/cm.yaml",
                                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: v}\ndata: {v: \"" + tag
                                            + "\"}\n")));
            repo.tagAndPush(tag);
        }
        declare("stable", "targetRevision: \">=1.0.0 <2.0.0\"\n    path: deploy", "auto");
        succeeded("stable", tagged.get("v1.2.0"));

        RevCommit next = repo.commitAndPush(
                "release v1.4.0", Map.of("deploy/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: v}\n"));
        repo.tagAndPush("v1.4.0");
        GitAndCatalog.sendPush(
                probe, repoUrl, "refs/tags/v1.4.0", "0000000000000000000000000000000000000000", next.name(), "d-tag");
        succeeded("stable", next);
    }

    /**
     * A tree crafted as Git itself never writes one, and as a server that does not check what it receives accepts
     * it: {@code apps/k} holds an entry named {@code ..} (a tree holding {@code ..}, and again), so that walking it
     * names {@code apps/k/../../../<escaped>/evil.yaml}.
     */
    @Test
    void aTreeEntryNamedDotDotIsRefusedAtFetchAndNothingIsWrittenOutsideTheWorkspace() throws Exception {
        RevCommit base = repo.commitAndPush(
                "a kustomization",
                Map.of(
                        "apps/k/kustomization.yaml", "resources: [cm.yaml]\n",
                        "apps/k/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: k}\n"));
        String escaped = prefix + "escaped";
        RevCommit crafted;
        try (org.eclipse.jgit.api.Git git =
                        org.eclipse.jgit.api.Git.open(work.resolve("repo").toFile());
                org.eclipse.jgit.lib.ObjectInserter insert = git.getRepository().newObjectInserter()) {
            org.eclipse.jgit.lib.ObjectId evil = insert.insert(
                    org.eclipse.jgit.lib.Constants.OBJ_BLOB,
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: evil}\n".getBytes(StandardCharsets.UTF_8));
            org.eclipse.jgit.lib.ObjectId up =
                    tree(insert, Map.of(escaped, tree(insert, Map.of("evil.yaml", evil), false)), true);
            for (int i = 0; i < 2; i++) {
                up = tree(insert, Map.of("..", up), true);
            }
            try (org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(git.getRepository())) {
                org.eclipse.jgit.lib.ObjectId k;
                try (org.eclipse.jgit.treewalk.TreeWalk existing = org.eclipse.jgit.treewalk.TreeWalk.forPath(
                        git.getRepository(), "apps/k", walk.parseCommit(base).getTree())) {
                    org.eclipse.jgit.lib.TreeFormatter withDotDot = new org.eclipse.jgit.lib.TreeFormatter();
                    withDotDot.append("..", org.eclipse.jgit.lib.FileMode.TREE, up);
                    try (org.eclipse.jgit.treewalk.TreeWalk files =
                            new org.eclipse.jgit.treewalk.TreeWalk(git.getRepository())) {
                        files.addTree(existing.getObjectId(0));
                        while (files.next()) {
                            withDotDot.append(files.getNameString(), files.getFileMode(0), files.getObjectId(0));
                        }
                    }
                    k = insert.insert(withDotDot);
                }
                org.eclipse.jgit.lib.ObjectId apps = tree(insert, Map.of("k", k), true);
                org.eclipse.jgit.lib.ObjectId root = tree(insert, Map.of("apps", apps), true);
                org.eclipse.jgit.lib.CommitBuilder commit = new org.eclipse.jgit.lib.CommitBuilder();
                commit.setTreeId(root);
                commit.setParentId(base);
                org.eclipse.jgit.lib.PersonIdent who = new org.eclipse.jgit.lib.PersonIdent("M", "m@x");
                commit.setAuthor(who);
                commit.setCommitter(who);
                commit.setMessage("a tree no checkout would write");
                org.eclipse.jgit.lib.ObjectId id = insert.insert(commit);
                insert.flush();
                org.eclipse.jgit.lib.RefUpdate update = git.getRepository().updateRef("refs/heads/main");
                update.setNewObjectId(id);
                update.setForceUpdate(true);
                update.update();
                crafted = walk.parseCommit(id);
            }
            git.push().setRemote(repoUrl).add("main").call();
        }
        declare("dotdot", "path: apps/k", "kustomize");

        // the fetch itself fails, before any commit of it is known: the failure names no commit
        List<EventProbe.Received> found = probe.read(
                Topics.RENDERS,
                r -> (prefix + "dotdot").equals(r.key())
                        && EventType.RENDER_FAILED.type().equals(r.ce("type")),
                1,
                WAIT);
        assertThat(found)
                .as("a failed render of dotdot (pushed %s)", crafted.name())
                .hasSize(1);
        RenderFailed failure =
                EventCodec.decode(RenderFailed.class, found.get(0).value());

        // refused at fetch by JGit's object checker; materialise's own check (MirrorCacheInsideTest) stays behind it
        assertThat(failure.reason()).isEqualTo("RepositoryInvalid");
        assertThat(failure.message()).contains("..");
        assertThat(Path.of(System.getProperty("java.io.tmpdir")).resolve(escaped))
                .as("nothing written beside the workspace")
                .doesNotExist();
    }

    /** Text that does not compress: base64 of random bytes. */
    static String randomText(int bytes) {
        byte[] random = new byte[bytes];
        new java.util.Random(42).nextBytes(random);
        return java.util.Base64.getEncoder().encodeToString(random);
    }

    /** A tree of these entries (trees when {@code trees}, else regular files), in Git's order. */
    static org.eclipse.jgit.lib.ObjectId tree(
            org.eclipse.jgit.lib.ObjectInserter insert,
            Map<String, org.eclipse.jgit.lib.ObjectId> entries,
            boolean trees)
            throws java.io.IOException {
        org.eclipse.jgit.lib.TreeFormatter tree = new org.eclipse.jgit.lib.TreeFormatter();
        new java.util.TreeMap<>(entries)
                .forEach((name, id) -> tree.append(
                        name,
                        trees ? org.eclipse.jgit.lib.FileMode.TREE : org.eclipse.jgit.lib.FileMode.REGULAR_FILE,
                        id));
        return insert.insert(tree);
    }

    void declare(String name, String source, String renderType) throws Exception {
        Files.writeString(
                config.catalogDir().resolve(prefix + name + ".yaml"),
                """
                apiVersion: driftless.dev/v1alpha1
                kind: Application
                metadata: { name: %s }
                spec:
                  source:
                    repoURL: %s
                    %s
                %s  destination: { namespace: %s }
                """
                        .formatted(
                                prefix + name,
                                repoUrl,
                                source,
                                renderType == null ? "" : "  render: { type: " + renderType + " }\n",
                                "ns"));
    }

    RenderSucceeded succeeded(String app, RevCommit commit) {
        EventProbe.Received received = render(app, commit);
        assertThat(received.ce("type"))
                .as("%s at %s: %s", app, commit.name(), received.value())
                .isEqualTo(EventType.RENDER_SUCCEEDED.type());
        return EventCodec.decode(RenderSucceeded.class, received.value());
    }

    RenderFailed failed(String app, RevCommit commit) {
        EventProbe.Received received = render(app, commit);
        assertThat(received.ce("type")).as("%s at %s", app, commit.name()).isEqualTo(EventType.RENDER_FAILED.type());
        return EventCodec.decode(RenderFailed.class, received.value());
    }

    EventProbe.Received render(String app, RevCommit commit) {
        List<EventProbe.Received> found = probe.read(
                Topics.RENDERS,
                r -> (prefix + app).equals(r.key()) && commit.name().equals(r.ce("commit")),
                1,
                WAIT);
        assertThat(found).as("a render of %s at %s", app, commit.name()).hasSize(1);
        return found.get(0);
    }

    static boolean onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }

    static String deployment(String name, String image) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: { name: %s }
                spec:
                  replicas: 1
                  selector: { matchLabels: { app: %s } }
                  template:
                    metadata: { labels: { app: %s } }
                    spec: { containers: [ { name: app, image: "%s" } ] }
                """
                .formatted(name, name, name, image);
    }

    @SuppressWarnings("unchecked")
    static String name(Map<String, Object> manifest) {
        return (String) ((Map<String, Object>) manifest.get("metadata")).get("name");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(Map<String, Object> manifest) {
        return (Map<String, Object>) manifest.get("spec");
    }

    @SuppressWarnings("unchecked")
    static String image(RenderSucceeded render) {
        Map<String, Object> template =
                (Map<String, Object>) spec(render.manifests().get(0)).get("template");
        List<Map<String, Object>> containers =
                (List<Map<String, Object>>) ((Map<String, Object>) template.get("spec")).get("containers");
        return (String) containers.get(0).get("image");
    }

    static final String HELM_DEPLOYMENT =
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: {{ .Release.Name }}-web
            spec:
              replicas: {{ .Values.replicas }}
              selector: { matchLabels: { app: web } }
              template:
                metadata: { labels: { app: web } }
                spec:
                  containers:
                    - name: web
                      image: {{ .Values.image | quote }}
            """;

    static final String BILLION_LAUGHS =
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: { name: lol }
            a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
            b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
            c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
            d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
            e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
            f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
            g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
            h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
            i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
            """;
}
