package dev.driftless.render;

import dev.driftless.devstack.git.GitServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real devstack Git server, an empty catalog directory and a mirror cache directory for render-service tests, and
 * the kustomize and helm built with the control plane (devstack's build.sh, cached), so the Kustomize and Helm
 * renderers run the real binaries wherever the tests run.
 */
public class GitAndCatalog implements QuarkusTestResourceLifecycleManager {

    private GitServer git;

    @Override
    public Map<String, String> start() {
        try {
            Path root = Files.createTempDirectory("render-it");
            String password = java.util.UUID.randomUUID().toString();
            git = GitServer.start(0, root.resolve("repos"), null, password);
            Path catalog = Files.createDirectories(root.resolve("catalog"));
            Path passwordFile = Files.writeString(root.resolve("git-password"), password + "\n");
            Path ssh = Files.createDirectories(root.resolve("ssh"));
            Map<String, String> config = new java.util.HashMap<>();
            config.put("test.git.base-url", git.baseUrl());
            config.put("test.git.private-password", password);
            config.put("test.git.ssh-dir", ssh.toString());
            config.put("test.git.root", root.resolve("repos").toString());
            config.put("driftless.render.catalog-dir", catalog.toString());
            config.put("driftless.render.cache-dir", root.resolve("cache").toString());
            config.put("driftless.render.catalog-poll-interval", "200ms");
            config.put(
                    "driftless.render.kustomize.command",
                    dev.driftless.devstack.kube.ControlPlaneBinaries.resolve()
                                    .resolve("kustomize")
                                    .toString()
                            + ",build");
            config.put(
                    "driftless.render.helm.command",
                    dev.driftless.devstack.kube.ControlPlaneBinaries.resolve()
                            .resolve("helm")
                            .toString());
            // only private/allowed-* repositories have a credential; other private ones are refused
            config.put("driftless.render.git.credentials.ci.url-prefix", git.baseUrl() + "/private/allowed-");
            config.put("driftless.render.git.credentials.ci.username", GitServer.PRIVATE_USER);
            config.put("driftless.render.git.credentials.ci.password-file", passwordFile.toString());
            // the SSH test writes the key and the known hosts here once its server runs
            config.put("driftless.render.git.credentials.ssh.url-prefix", "ssh://");
            config.put(
                    "driftless.render.git.credentials.ssh.ssh-private-key-file",
                    ssh.resolve("id_rsa").toString());
            config.put(
                    "driftless.render.git.credentials.ssh.ssh-known-hosts-file",
                    ssh.resolve("known_hosts").toString());
            Path trust = Files.createDirectories(root.resolve("trust"));
            config.put("test.trust-dir", trust.toString());
            config.put(
                    "driftless.render.trusted-signers.team.gpg-public-keys-file",
                    trust.resolve("team.asc").toString());
            config.put(
                    "driftless.render.trusted-signers.team.ssh-allowed-signers-file",
                    trust.resolve("allowed_signers").toString());
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (git != null) {
            git.close();
        }
    }

    /** Publishes the {@code commit.pushed} that webhook-service would for a push of {@code main}. */
    public static void sendPush(
            dev.driftless.devstack.kafka.EventProbe probe,
            String repoUrl,
            String before,
            String after,
            String deliveryId) {
        sendPush(probe, repoUrl, "refs/heads/main", before, after, deliveryId);
    }

    /** webhook-service's key in tests: render-service trusts its public half (application.properties, %test). */
    public static final dev.driftless.events.EventSignatures.Signer PUSH_SIGNER = pushSigner();

    private static dev.driftless.events.EventSignatures.Signer pushSigner() {
        try {
            return dev.driftless.events.EventSignatures.Signer.read(
                    java.nio.file.Path.of("src/test/resources/signing/push-signer.pem"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Publishes the {@code commit.pushed} that webhook-service would for a push of a ref, signed as it signs. */
    public static void sendPush(
            dev.driftless.devstack.kafka.EventProbe probe,
            String repoUrl,
            String ref,
            String before,
            String after,
            String deliveryId) {
        sendPush(probe, repoUrl, ref, before, after, deliveryId, PUSH_SIGNER);
    }

    /** Publishes a signed {@code commit.pushed} received by webhook-service at {@code receivedAt}. */
    public static void sendPushReceivedAt(
            dev.driftless.devstack.kafka.EventProbe probe,
            String repoUrl,
            String ref,
            String before,
            String after,
            String deliveryId,
            java.time.Instant receivedAt) {
        sendPush(probe, repoUrl, ref, before, after, deliveryId, PUSH_SIGNER, receivedAt);
    }

    /** Publishes a {@code commit.pushed} signed by {@code signer} (unsigned when {@code null}). */
    public static void sendPush(
            dev.driftless.devstack.kafka.EventProbe probe,
            String repoUrl,
            String ref,
            String before,
            String after,
            String deliveryId,
            dev.driftless.events.EventSignatures.Signer signer) {
        sendPush(probe, repoUrl, ref, before, after, deliveryId, signer, java.time.Instant.now());
    }

    static void sendPush(
            dev.driftless.devstack.kafka.EventProbe probe,
            String repoUrl,
            String ref,
            String before,
            String after,
            String deliveryId,
            dev.driftless.events.EventSignatures.Signer signer,
            java.time.Instant receivedAt) {
        dev.driftless.events.CommitPushed push = new dev.driftless.events.CommitPushed(
                dev.driftless.events.RepositoryUrls.normalise(repoUrl),
                ref,
                before,
                after,
                "alice",
                "github",
                deliveryId,
                java.util.List.of(),
                receivedAt,
                true);
        probe.send(
                new dev.driftless.events.Envelope(
                        dev.driftless.events.EventType.COMMIT_PUSHED,
                        java.util.UUID.randomUUID().toString(),
                        push.repository(),
                        java.time.Instant.now(),
                        Map.of()),
                push,
                push.repository(),
                "urn:test",
                signer);
    }
}
