package dev.driftless.audit.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ApiTokensTest {

    static final ApiTokens TOKENS =
            ApiTokens.parse(List.of("grafana:read:0123456789abcdef", "alice:write:fedcba9876543210"));

    @Test
    void aKnownBearerTokenIdentifiesItsCallerAndRole() {
        assertThat(TOKENS.authenticate("Bearer fedcba9876543210"))
                .hasValue(new ApiTokens.Caller("alice", ApiTokens.Role.write));
        assertThat(TOKENS.authenticate("bearer 0123456789abcdef").orElseThrow().may(ApiTokens.Role.write))
                .isFalse();
        assertThat(TOKENS.authenticate("Bearer 0123456789abcdef").orElseThrow().may(ApiTokens.Role.read))
                .isTrue();
    }

    @Test
    void missingUnknownOrNonBearerCredentialsIdentifyNobody() {
        assertThat(TOKENS.authenticate(null)).isEmpty();
        assertThat(TOKENS.authenticate("Bearer nope")).isEmpty();
        assertThat(TOKENS.authenticate("Basic YWxpY2U6eA==")).isEmpty();
    }

    @Test
    void aMalformedEntryIsRefusedWithoutEchoingTheToken() {
        assertThatThrownBy(() -> ApiTokens.parse(List.of("bob:admin:supersecretvalue123")))
                .hasMessageContaining("role must be read or write")
                .hasMessageNotContaining("supersecretvalue123");
        assertThatThrownBy(() -> ApiTokens.parse(List.of("bob:read:short")))
                .hasMessageContaining("at least 16 characters")
                .hasMessageNotContaining("short");
    }
}
