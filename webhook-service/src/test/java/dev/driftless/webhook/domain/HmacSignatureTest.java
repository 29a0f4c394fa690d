package dev.driftless.webhook.domain;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.driftless.webhook.Signing;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class HmacSignatureTest {

    static final String BODY = "{\"ref\":\"refs/heads/main\"}";

    static byte[] body() {
        return BODY.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theRightSignatureIsAccepted() {
        assertThatCode(() -> HmacSignature.verify(Signing.sign(BODY), body(), Signing.SECRET))
                .doesNotThrowAnyException();
    }

    @Test
    void upperCaseHexIsTheSameSignature() {
        String upper = "sha256=" + Signing.sign(BODY).substring(7).toUpperCase();
        assertThatCode(() -> HmacSignature.verify(upper, body(), Signing.SECRET))
                .doesNotThrowAnyException();
    }

    @Test
    void aSignatureWithAnotherSecretIsRefused() {
        assertThatThrownBy(() -> HmacSignature.verify(Signing.sign("other", BODY), body(), Signing.SECRET))
                .isInstanceOfSatisfying(
                        WebhookRejected.class, e -> org.assertj.core.api.Assertions.assertThat(e.reason())
                                .isEqualTo(Reason.SignatureInvalid));
    }

    @Test
    void aChangedBodyIsRefused() {
        assertThatThrownBy(() -> HmacSignature.verify(
                        Signing.sign(BODY), (BODY + " ").getBytes(StandardCharsets.UTF_8), Signing.SECRET))
                .isInstanceOf(WebhookRejected.class)
                .hasMessageContaining("does not match");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"sha1=abcd", "sha256=", "sha256=zz", "sha256=abc"})
    void missingOrMalformedSignaturesAreRefused(String header) {
        assertThatThrownBy(() -> HmacSignature.verify(header, body(), Signing.SECRET))
                .isInstanceOf(WebhookRejected.class);
    }

    @Test
    void withoutASecretEverythingIsRefused() {
        assertThatThrownBy(() -> HmacSignature.verify(Signing.sign("anything", BODY), body(), ""))
                .isInstanceOfSatisfying(
                        WebhookRejected.class, e -> org.assertj.core.api.Assertions.assertThat(e.reason())
                                .isEqualTo(Reason.SecretNotConfigured));
    }
}
