package dev.driftless.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SealedSecretsTest {

    static final String CANARY = "canary-7f3a9c-value";
    static final byte[] DIGEST_KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    static Map<String, Object> secret() {
        return Map.of(
                "apiVersion", "v1",
                "kind", "Secret",
                "metadata",
                        Map.of(
                                "name",
                                "db",
                                "annotations",
                                Map.of(
                                        "kubectl.kubernetes.io/last-applied-configuration",
                                        "{\"data\":{\"password\":\"" + CANARY + "\"}}")),
                "data", Map.of("password", Base64.getEncoder().encodeToString(CANARY.getBytes(StandardCharsets.UTF_8))),
                "stringData", Map.of("user", "admin-" + CANARY));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSealedSecretHoldsNoValueInClearOrBase64AndOpensToTheValuesWithTheIdentity() throws Exception {
        SealedSecrets.AgeKey key = SealedSecrets.generate();
        assertThat(key.identity()).startsWith("AGE-SECRET-KEY-1");
        assertThat(key.recipient()).startsWith("age1");

        Map<String, Object> sealed =
                SealedSecrets.seal(secret(), new SealedSecrets.SealingKey(List.of(key.recipient()), DIGEST_KEY));

        String serialised = EventCodec.mapper().writeValueAsString(sealed);
        assertThat(serialised)
                .doesNotContain(CANARY)
                .doesNotContain(Base64.getEncoder().encodeToString(CANARY.getBytes(StandardCharsets.UTF_8)))
                .doesNotContain("Y2FuYXJ5") // "canary" in base64, at any alignment of the first three bytes
                .doesNotContain("last-applied-configuration");
        assertThat(sealed.get("data")).isInstanceOf(Map.class);
        assertThat(((Map<String, Object>) sealed.get("data")).keySet()).containsExactlyInAnyOrder("password", "user");
        assertThat(sealed).doesNotContainKey("stringData");

        Map<String, Object> open = SealedSecrets.open(sealed, new SealedSecrets.OpeningKey(List.of(key.identity())));
        assertThat(open).doesNotContainKey(SealedSecrets.FIELD);
        assertThat((Map<String, Object>) open.get("data"))
                .containsEntry("password", Base64.getEncoder().encodeToString(CANARY.getBytes(StandardCharsets.UTF_8)))
                .containsEntry(
                        "user",
                        Base64.getEncoder().encodeToString(("admin-" + CANARY).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void digestsAreKeyedStableAndChangeWithTheValue() throws Exception {
        SealedSecrets.AgeKey key = SealedSecrets.generate();
        var sealing = new SealedSecrets.SealingKey(List.of(key.recipient()), DIGEST_KEY);
        Object first = SealedSecrets.seal(secret(), sealing).get("data");
        Object again = SealedSecrets.seal(secret(), sealing).get("data");
        assertThat(again)
                .as("same values, same digests, so the same bundle digest")
                .isEqualTo(first);

        var otherKey = new SealedSecrets.SealingKey(
                List.of(key.recipient()), "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII));
        assertThat(SealedSecrets.seal(secret(), otherKey).get("data")).isNotEqualTo(first);

        Map<String, Object> changed = new java.util.LinkedHashMap<>(secret());
        changed.put("stringData", Map.of("user", "someone-else"));
        Map<?, ?> changedDigests =
                (Map<?, ?>) SealedSecrets.seal(changed, sealing).get("data");
        assertThat(changedDigests.get("password")).isEqualTo(((Map<?, ?>) first).get("password"));
        assertThat(changedDigests.get("user")).isNotEqualTo(((Map<?, ?>) first).get("user"));
    }

    @Test
    void duringARotationBothIdentitiesOpenAndAfterItTheOldBundleIsUndecryptableNamingTheKey() throws Exception {
        SealedSecrets.AgeKey old = SealedSecrets.generate();
        SealedSecrets.AgeKey current = SealedSecrets.generate();
        Map<String, Object> sealedToOld =
                SealedSecrets.seal(secret(), new SealedSecrets.SealingKey(List.of(old.recipient()), DIGEST_KEY));

        assertThat(SealedSecrets.open(
                        sealedToOld, new SealedSecrets.OpeningKey(List.of(current.identity(), old.identity()))))
                .containsKey("data");
        assertThatThrownBy(() ->
                        SealedSecrets.open(sealedToOld, new SealedSecrets.OpeningKey(List.of(current.identity()))))
                .isInstanceOfSatisfying(SealedSecrets.SecretException.class, e -> {
                    assertThat(e.reason()).isEqualTo("SecretUndecryptable");
                    assertThat(e.getMessage())
                            .contains(SealedSecrets.keyId(old.recipient()))
                            .doesNotContain(CANARY);
                });
    }

    @Test
    void alteredCiphertextOrKeysAreRefused() throws Exception {
        SealedSecrets.AgeKey key = SealedSecrets.generate();
        Map<String, Object> sealed =
                SealedSecrets.seal(secret(), new SealedSecrets.SealingKey(List.of(key.recipient()), DIGEST_KEY));
        var opening = new SealedSecrets.OpeningKey(List.of(key.identity()));

        @SuppressWarnings("unchecked")
        Map<String, Object> envelope =
                new java.util.LinkedHashMap<>((Map<String, Object>) sealed.get(SealedSecrets.FIELD));
        byte[] age = Base64.getDecoder().decode((String) envelope.get("age"));
        age[age.length - 5] ^= 1;
        envelope.put("age", Base64.getEncoder().encodeToString(age));
        Map<String, Object> tampered = new java.util.LinkedHashMap<>(sealed);
        tampered.put(SealedSecrets.FIELD, envelope);
        assertThatThrownBy(() -> SealedSecrets.open(tampered, opening))
                .hasFieldOrPropertyWithValue("reason", "SecretUndecryptable");

        Map<String, Object> renamed = new java.util.LinkedHashMap<>(sealed);
        renamed.put("data", Map.of("password", "x"));
        assertThatThrownBy(() -> SealedSecrets.open(renamed, opening))
                .hasFieldOrPropertyWithValue("reason", "SecretUndecryptable");
    }

    @Test
    void aValueThatIsNotBase64IsSecretInvalidNamingTheKeyNotTheValue() {
        Map<String, Object> bad = Map.of(
                "apiVersion",
                "v1",
                "kind",
                "Secret",
                "metadata",
                Map.of("name", "db"),
                "data",
                Map.of("token", "%%" + CANARY));
        assertThatThrownBy(() -> SealedSecrets.seal(
                        bad,
                        new SealedSecrets.SealingKey(
                                List.of(SealedSecrets.generate().recipient()), DIGEST_KEY)))
                .isInstanceOfSatisfying(SealedSecrets.SecretException.class, e -> {
                    assertThat(e.reason()).isEqualTo("SecretInvalid");
                    assertThat(e.getMessage())
                            .contains("data.token", "not base64")
                            .doesNotContain(CANARY);
                });
    }

    @Test
    void keyFilesAreReadAsAgeKeygenWritesThemAndMissingOnesSaySo(@TempDir Path dir) throws Exception {
        SealedSecrets.AgeKey key = SealedSecrets.generate();
        Path identities = Files.writeString(
                dir.resolve("keys.txt"),
                "# created: 2026-11-30\n# public key: " + key.recipient() + "\n" + key.identity() + "\n");
        Path recipients = Files.writeString(dir.resolve("recipients.txt"), key.recipient() + "\n");
        Path digest =
                Files.writeString(dir.resolve("digest.key"), Base64.getEncoder().encodeToString(DIGEST_KEY));

        assertThat(SealedSecrets.OpeningKey.read(identities).identities()).containsExactly(key.identity());
        assertThat(SealedSecrets.SealingKey.read(recipients, digest).recipients())
                .containsExactly(key.recipient());
        assertThat(SealedSecrets.OpeningKey.read(identities).toString()).doesNotContain(key.identity());
        assertThatThrownBy(() -> SealedSecrets.OpeningKey.read(dir.resolve("missing")))
                .hasFieldOrPropertyWithValue("reason", "SecretKeyMissing");
        assertThatThrownBy(
                        () -> SealedSecrets.SealingKey.read(recipients, Files.writeString(dir.resolve("short"), "abc")))
                .hasFieldOrPropertyWithValue("reason", "SecretKeyMissing");
        assertThatThrownBy(() -> SealedSecrets.OpeningKey.read(recipients))
                .hasMessageNotContaining(key.recipient())
                .hasFieldOrPropertyWithValue("reason", "SecretKeyMissing");
    }
}
