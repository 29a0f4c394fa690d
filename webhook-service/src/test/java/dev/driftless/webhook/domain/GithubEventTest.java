package dev.driftless.webhook.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.webhook.Signing;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GithubEventTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

    static GithubEvent parse(String event, String body) {
        return GithubEvent.parse(JSON, event, "delivery-1", body.getBytes(StandardCharsets.UTF_8), NOW, true);
    }

    @Test
    void aPushBecomesOneCommitPushedWithTheNormalisedRepositoryAndTheListedPaths() {
        GithubEvent event = parse("push", Signing.push("https://GitHub.com/acme/deploy.git", "b".repeat(40)));

        assertThat(event).isInstanceOfSatisfying(GithubEvent.Push.class, push -> {
            assertThat(push.commit().repository()).isEqualTo("https://github.com/acme/deploy");
            assertThat(push.commit().ref()).isEqualTo("refs/heads/main");
            assertThat(push.commit().after()).isEqualTo("b".repeat(40));
            assertThat(push.commit().pusher()).isEqualTo("alice");
            assertThat(push.commit().deliveryId()).isEqualTo("delivery-1");
            assertThat(push.commit().changedPaths()).containsExactly("apps/demo/new.yaml", "apps/demo/cm.yaml");
            assertThat(push.commit().verified()).isTrue();
        });
    }

    @Test
    void aPingIsAnsweredAndOtherKindsAreIgnored() {
        assertThat(parse("ping", "{}")).isInstanceOf(GithubEvent.Ping.class);
        assertThat(parse("issues", "{}")).isEqualTo(new GithubEvent.Ignored("issues"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{not json",
                "[]",
                "{}",
                "{\"ref\":\"main\",\"before\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"after\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}",
                "{\"ref\":\"refs/heads/main\",\"before\":\"x\",\"after\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}",
                "{\"ref\":\"refs/heads/main\",\"before\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"after\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\"repository\":{}}",
                "{\"ref\":42}"
            })
    void aBodyThatIsNotAPushIsMalformed(String body) {
        assertThatThrownBy(() -> parse("push", body))
                .isInstanceOfSatisfying(
                        WebhookRejected.class, e -> assertThat(e.reason()).isEqualTo(Reason.PayloadMalformed));
    }

    @Test
    void aPushWithoutADeliveryIdIsMalformed() {
        assertThatThrownBy(() -> GithubEvent.parse(
                        JSON,
                        "push",
                        null,
                        Signing.push("https://github.com/a/b", "b".repeat(40)).getBytes(),
                        NOW,
                        true))
                .isInstanceOf(WebhookRejected.class)
                .hasMessageContaining("X-GitHub-Delivery");
    }
}
