package dev.driftless.sync.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.driftless.events.SealedSecrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Files encrypted by the real {@code sops} 3.13.3 ({@code sops --encrypt --age <the test recipient>}), built from the
 * Go module proxy, for the test key in {@code src/test/resources/secrets/current.agekey}.
 */
class SopsTest {

    static final Path FILES = Path.of("src/test/resources");

    static Map<String, Object> read(String file) throws Exception {
        return new YAMLMapper().readValue(FILES.resolve("sops").resolve(file).toFile(), new TypeReference<>() {});
    }

    static List<String> identities(String file) throws Exception {
        return SealedSecrets.OpeningKey.read(FILES.resolve("secrets").resolve(file))
                .identities();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSecretEncryptedBySopsForAgeOpensWithTheIdentityAndLosesItsMetadata() throws Exception {
        Map<String, Object> encrypted = read("secret.sops.yaml");
        assertThat(Sops.isEncrypted(encrypted)).isTrue();

        Map<String, Object> plain = Sops.decrypt(encrypted, identities("current.agekey"), "Secret db-credentials");

        assertThat(plain).doesNotContainKey("sops");
        assertThat((Map<String, Object>) plain.get("stringData"))
                .containsEntry("password", "canary-sops-4f1e")
                .containsEntry("user", "admin");
        assertThat((Map<String, Object>) plain.get("data")).containsEntry("token", "dG9rZW4tdmFsdWU=");
        assertThat((Map<String, Object>) plain.get("metadata")).containsEntry("name", "db-credentials");
    }

    @Test
    @SuppressWarnings("unchecked")
    void typedNestedAndListValuesAllDecryptAndTheMacCoversThem() throws Exception {
        Map<String, Object> plain =
                Sops.decrypt(read("mixed.sops.yaml"), identities("current.agekey"), "ConfigMap mixed");

        Map<String, Object> spec = (Map<String, Object>) plain.get("spec");
        assertThat(spec.get("replicas")).isEqualTo(3L);
        assertThat(spec.get("enabled")).isEqualTo(true);
        assertThat(spec.get("ratio")).isEqualTo(0.5);
        assertThat(spec.get("hosts")).isEqualTo(List.of("a.example.com", "b.example.com"));
        assertThat(((Map<String, Object>) ((Map<String, Object>) spec.get("nested")).get("deep")).get("secret"))
                .isEqualTo("hidden-value");
        assertThat(plain.get("kind")).isEqualTo("ConfigMap");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aValueChangedMovedOrRemovedAfterEncryptionIsRefused() throws Exception {
        List<String> identities = identities("current.agekey");
        Map<String, Object> encrypted = read("secret.sops.yaml");

        // a value moved to another key: its path is part of what was encrypted
        Map<String, Object> moved = new LinkedHashMap<>(encrypted);
        Map<String, Object> stringData = new LinkedHashMap<>((Map<String, Object>) encrypted.get("stringData"));
        stringData.put("user", stringData.get("password"));
        moved.put("stringData", stringData);
        assertThatThrownBy(() -> Sops.decrypt(moved, identities, "Secret db-credentials"))
                .isInstanceOfSatisfying(SealedSecrets.SecretException.class, e -> {
                    assertThat(e.reason()).isEqualTo("SecretUndecryptable");
                    assertThat(e.getMessage()).contains("stringData.user").doesNotContain("canary");
                });

        // an unencrypted value changed: the MAC covers it
        Map<String, Object> retyped = new LinkedHashMap<>(encrypted);
        retyped.put("type", "kubernetes.io/tls");
        assertThatThrownBy(() -> Sops.decrypt(retyped, identities, "Secret db-credentials"))
                .hasMessageContaining("MAC does not match");

        // a value removed
        Map<String, Object> shortened = new LinkedHashMap<>(encrypted);
        shortened.remove("data");
        assertThatThrownBy(() -> Sops.decrypt(shortened, identities, "Secret db-credentials"))
                .hasMessageContaining("MAC does not match");
    }

    @Test
    void aFileForAnotherKeyIsUndecryptableNamingItsRecipient() throws Exception {
        String recipient =
                Files.readString(FILES.resolve("secrets/current.recipients")).strip();
        assertThatThrownBy(() -> Sops.decrypt(read("secret.sops.yaml"), identities("retired.agekey"), "Secret db"))
                .isInstanceOfSatisfying(SealedSecrets.SecretException.class, e -> {
                    assertThat(e.reason()).isEqualTo("SecretUndecryptable");
                    assertThat(e.getMessage()).contains(recipient, "no identity");
                });
    }

    @Test
    @SuppressWarnings("unchecked")
    void aFileSyncServiceCannotOpenIsNamedByTheFileRenderServiceReadItFrom() throws Exception {
        Map<String, Object> encrypted = new LinkedHashMap<>(read("secret.sops.yaml"));
        Map<String, Object> metadata = new LinkedHashMap<>((Map<String, Object>) encrypted.get("sops"));
        metadata.put("driftlessSource", "apps/db/secret.sops.yaml (document 1)");
        encrypted.put("sops", metadata);

        assertThat(SecretOpener.describe(encrypted))
                .isEqualTo("Secret db-credentials (apps/db/secret.sops.yaml (document 1))");
        assertThat(Sops.decrypt(encrypted, identities("current.agekey"), "x"))
                .as("the note is outside what the MAC covers")
                .doesNotContainKey("sops");
    }
}
