package dev.driftless.audit.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class SecretValuesTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aSealedSecretKeepsItsKeysAndDigestsAndLosesItsPayloadAndClearValuesAreRedacted() throws Exception {
        JsonNode data = JSON.readTree(
                """
                {"application": "shop", "manifests": [
                  {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sealed"},
                   "data": {"password": "hmac-sha256:0a1b"},
                   "driftless.dev/sealed": {"recipients": ["k1"], "age": "YWdlLWVuY3J5cHRpb24="}},
                  {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "old",
                     "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\\"data\\": \\"c2VjcmV0\\"}"}},
                   "data": {"token": "c2VjcmV0"}, "stringData": {"user": "secret"}},
                  {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"token": "c2VjcmV0"}}
                ]}""");

        JsonNode stored = SecretValues.redacted(data);

        String text = stored.toString();
        assertThat(text).doesNotContain("YWdlLWVuY3J5cHRpb24=", "\"secret\"", "last-applied");
        assertThat(text.split("c2VjcmV0", -1))
                .as("only the ConfigMap keeps its value")
                .hasSize(2);
        assertThat(stored.at("/manifests/0/data/password").asText()).isEqualTo("hmac-sha256:0a1b");
        assertThat(stored.at("/manifests/0").has("driftless.dev/sealed")).isFalse();
        assertThat(stored.at("/manifests/1/data/token").asText()).isEqualTo(SecretValues.REDACTED);
        assertThat(stored.at("/manifests/1/stringData/user").asText()).isEqualTo(SecretValues.REDACTED);
        assertThat(stored.at("/manifests/2/data/token").asText())
                .as("a ConfigMap is not a Secret")
                .isEqualTo("c2VjcmV0");
        assertThat(data.at("/manifests/0").has("driftless.dev/sealed"))
                .as("the event itself is not changed")
                .isTrue();
    }
}
