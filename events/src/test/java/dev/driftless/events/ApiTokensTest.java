package dev.driftless.events;

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
    void aTokenMayNotTakeTheNameOfAServiceWhoseOwnCommandsAreTrustedDifferently() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> ApiTokens.parse(List.of("sync-service:write:0123456789abcdef")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reserved");
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

    @Test
    void aTokenMayBeLimitedToApplicationsOrProjects() {
        ApiTokens tokens = ApiTokens.parse(List.of(
                "shop-ci:write:shop-token-0123456789:applications=shop|shop-jobs|team-a.api",
                "team-a:read:team-token-0123456789:projects=team-a",
                "admin:write:admin-token-0123456789"));

        ApiTokens.Caller shop =
                tokens.authenticate("Bearer shop-token-0123456789").orElseThrow();
        assertThat(shop.sees("shop", "anything")).isTrue();
        assertThat(shop.sees("billing", "team-a")).isFalse();
        assertThat(shop.sees("team-a.api", "team-a"))
                .as("an application of a team's namespace, by its name in Driftless")
                .isTrue();
        ApiTokens.Caller team =
                tokens.authenticate("Bearer team-token-0123456789").orElseThrow();
        assertThat(team.sees("billing", "team-a")).isTrue();
        assertThat(team.sees("billing", "team-b")).isFalse();
        assertThat(team.sees("billing", null))
                .as("an application of no known project")
                .isFalse();
        assertThat(tokens.authenticate("Bearer admin-token-0123456789")
                        .orElseThrow()
                        .sees("billing", null))
                .isTrue();
        assertThat(tokens.authenticate("Bearer shop-token-0123456789:applications=shop|shop-jobs"))
                .as("the scope is not part of the token")
                .isEmpty();
    }
}
