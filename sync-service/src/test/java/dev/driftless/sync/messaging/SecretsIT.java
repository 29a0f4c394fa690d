package dev.driftless.sync.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.devstack.kube.ControlPlaneTestResource;
import dev.driftless.events.SealedSecrets;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Target;
import dev.driftless.events.Topics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sealed Secrets on a real control plane: sync-service opens them with its identities, in memory, and applies the
 * values; the records on the topics hold none of them; a drifted Secret is healed and reported without its value; and
 * a key rotation, done by rewriting the identity file while the service runs, keeps old bundles syncing while both
 * identities are held and refuses them ({@code SecretUndecryptable}, nothing applied) once the old one is gone.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(ControlPlaneTestResource.class)
class SecretsIT {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final Path KEYS = Path.of("src/test/resources/secrets");
    static final Path IDENTITY_FILE = Path.of("target/test-secrets/identity.agekey");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.cluster.admin-kubeconfig", defaultValue = "unset: only with the control plane")
    Path adminKubeconfig;

    KubernetesClient cluster;
    EventProbe probe;
    String app;
    String canary;

    @BeforeEach
    void setUp() throws Exception {
        probe = new EventProbe(bootstrap);
        app = "vault-" + UUID.randomUUID().toString().substring(0, 8);
        canary = "canary-" + UUID.randomUUID();
        cluster = dev.driftless.devstack.kube.ControlPlaneTestResource.client(adminKubeconfig);
        holdIdentities("current.agekey");
    }

    @AfterEach
    void tearDown() throws Exception {
        holdIdentities("current.agekey");
        probe.close();
        cluster.close();
    }

    static void holdIdentities(String... files) throws Exception {
        StringBuilder identities = new StringBuilder();
        for (String file : files) {
            identities.append(Files.readString(KEYS.resolve(file)));
        }
        Files.createDirectories(IDENTITY_FILE.getParent());
        Path partial = IDENTITY_FILE.resolveSibling("identity.partial");
        Files.writeString(partial, identities);
        Files.move(partial, IDENTITY_FILE, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    Map<String, Object> sealed(String value, String recipients) throws Exception {
        Map<String, Object> secret = Map.of(
                "apiVersion",
                "v1",
                "kind",
                "Secret",
                "metadata",
                Map.of("name", "db"),
                "stringData",
                Map.of("password", value));
        return SealedSecrets.seal(
                secret, SealedSecrets.SealingKey.read(KEYS.resolve(recipients), KEYS.resolve("digest.key")));
    }

    String password() {
        var secret = cluster.secrets().inNamespace(app).withName("db").get();
        return secret == null
                ? null
                : new String(Base64.getDecoder().decode(secret.getData().get("password")), StandardCharsets.UTF_8);
    }

    void assertNoRecordHoldsTheCanary() {
        String base64 = Base64.getEncoder().encodeToString(canary.getBytes(StandardCharsets.UTF_8));
        for (String topic : List.of(Topics.RENDERS, Topics.SYNCS)) {
            assertThat(probe.readToEnd(topic, r -> app.equals(r.key())))
                    .as("records on %s", topic)
                    .isNotEmpty()
                    .allSatisfy(
                            r -> assertThat(r.value()).doesNotContain(canary).doesNotContain(base64));
        }
    }

    @Test
    void aSealedSecretIsAppliedWithItsValueWhichNoRecordHoldsAndItsDriftIsHealedWithoutIt() throws Exception {
        Target target = new Target("default", app, true, true, false, true);

        SyncReport report =
                RenderDriver.syncThrough(probe, app, List.of(sealed(canary, "current.recipients")), target, WAIT);

        assertThat(report.status()).as(String.valueOf(report)).isEqualTo("Succeeded");
        assertThat(password()).isEqualTo(canary);

        // someone edits the Secret behind Driftless's back: healed, and the drift event says which key, not the value
        var edited = cluster.secrets().inNamespace(app).withName("db").get();
        edited.getData()
                .put("password", Base64.getEncoder().encodeToString("tampered".getBytes(StandardCharsets.UTF_8)));
        edited.getMetadata().setManagedFields(null);
        cluster.secrets().inNamespace(app).resource(edited).update();
        Awaitility.await().atMost(WAIT).until(() -> canary.equals(password()));
        assertThat(probe.read(
                        Topics.SYNCS,
                        r -> app.equals(r.key())
                                && dev.driftless.events.EventType.DRIFT_DETECTED
                                        .type()
                                        .equals(r.ce("type")),
                        1,
                        WAIT))
                .singleElement()
                .satisfies(r -> assertThat(r.value()).contains("/data/password").doesNotContain("tampered"));

        assertNoRecordHoldsTheCanary();

        // Secrets are not watched everywhere (deploy/'s RBAC): the namespace's deployer watches them there, until no
        // application followed here uses that namespace any more
        String watch = "default v1/Secret in " + app;
        assertThat(drift.watches()).contains(watch).doesNotContain("default v1/Secret");
        probe.send(
                new dev.driftless.events.Envelope(
                        dev.driftless.events.EventType.APPLICATION_REMOVED,
                        UUID.randomUUID().toString(),
                        app,
                        java.time.Instant.now(),
                        java.util.Map.of()),
                new dev.driftless.events.ApplicationRemoved(
                        app, "https://h/r", target, "catalog", java.time.Instant.now()),
                app,
                "urn:test",
                RenderDriver.RENDER_SERVICE);
        Awaitility.await().atMost(WAIT).until(() -> !drift.watches().contains(watch));
    }

    @jakarta.inject.Inject
    dev.driftless.sync.drift.DriftWatcher drift;

    @Test
    void duringARotationAnOldBundleStillSyncsAndAfterItIsRefusedNamingTheKeyWithNothingApplied() throws Exception {
        Target target = new Target("default", app, true, true, false, true);
        holdIdentities("current.agekey", "retired.agekey");

        SyncReport during =
                RenderDriver.syncThrough(probe, app, List.of(sealed(canary, "retired.recipients")), target, WAIT);
        assertThat(during.status()).as(String.valueOf(during)).isEqualTo("Succeeded");
        assertThat(password()).isEqualTo(canary);

        holdIdentities("current.agekey");
        SyncReport after = RenderDriver.syncThrough(
                probe, app, List.of(sealed("next-" + canary, "retired.recipients")), target, WAIT);
        assertThat(after.status()).isEqualTo("Failed");
        assertThat(after.reason()).isEqualTo("SecretUndecryptable");
        String retiredId = SealedSecrets.keyId(
                Files.readString(KEYS.resolve("retired.recipients")).strip());
        assertThat(after.message()).contains(retiredId, "nothing was applied").doesNotContain(canary);
        assertThat(password()).as("the Secret keeps the value applied before").isEqualTo(canary);

        SyncReport current = RenderDriver.syncThrough(
                probe, app, List.of(sealed("next-" + canary, "current.recipients")), target, WAIT);
        assertThat(current.status()).isEqualTo("Succeeded");
        assertThat(password()).isEqualTo("next-" + canary);
        assertNoRecordHoldsTheCanary();
    }
}
