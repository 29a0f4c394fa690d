package dev.driftless.webhook.domain;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.webhook.ProviderSample;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Arbitrary bytes, correctly signed, through every provider's authentication and parser: the only way out is a
 * {@link WebhookRejected} (a 4xx) or an accepted result, never another exception (a 5xx). {@code verify} replays the
 * corpus under {@code ProviderHooksFuzzTestInputs}; {@code JAZZER_FUZZ=1 ./mvnw test -pl webhook-service
 * -Dtest=ProviderHooksFuzzTest} fuzzes for new inputs.
 */
class ProviderHooksFuzzTest {

    static final String SECRET = "fuzz-secret";
    static final ObjectMapper JSON = new ObjectMapper();
    static final SecretPolicy POLICY = new SecretPolicy(
            Optional.of(SECRET),
            Map.of(),
            List.of(new RepositorySecret(
                    "unsigned",
                    List.of(new RepositoryPattern("https://git.example.com/*")),
                    Optional.empty(),
                    Optional.empty(),
                    true)));
    static final List<String> EVENT_HEADERS = List.of(
            "X-GitHub-Event",
            "X-Gitlab-Event",
            "X-Gitea-Event",
            "X-Gogs-Event",
            "X-Event-Key",
            "X-GitHub-Delivery",
            "X-Request-UUID",
            "webhook-id",
            "webhook-timestamp",
            "webhook-signature");
    static final List<String> EVENTS = List.of(
            "push", "ping", "Push Hook", "Tag Push Hook", "repo:push", "repo:refs_changed", "diagnostics:ping", "");

    @FuzzTest(maxDuration = "30s")
    void anySignedBodyIsAcceptedOrRefusedWithAReason(FuzzedDataProvider data) {
        ProviderSample sample = data.pickValue(ProviderSample.values());
        Map<String, String> headers = new HashMap<>();
        int extra = data.consumeInt(0, 4);
        for (int i = 0; i < extra; i++) {
            headers.put(
                    data.pickValue(EVENT_HEADERS),
                    data.consumeBoolean() ? data.pickValue(EVENTS) : data.consumeString(64));
        }
        boolean signed = data.consumeBoolean();
        String body = data.consumeBoolean()
                ? data.consumeRemainingAsString()
                // the provider's own payload with fuzzed values spliced in, to get past the JSON shape
                : sample.body(new ProviderSample.Push(
                        data.consumeBoolean() ? "https://git.example.com/a/b" : data.consumeString(80),
                        data.consumeBoolean() ? "refs/heads/main" : data.consumeString(40),
                        data.consumeBoolean() ? ProviderSample.ZERO : data.consumeString(64),
                        data.consumeString(64),
                        data.consumeRemainingAsString()));
        if (signed) {
            headers.putAll(sample.authentication(SECRET, body));
        }
        HookRequest request = new HookRequest(headers, body.getBytes(StandardCharsets.UTF_8), Instant.now());
        ProviderHook hook = Providers.named(sample.provider).orElseThrow();
        try {
            SecretPolicy.Authentication authentication = POLICY.authenticate(hook, request);
            if (hook.parse(request, JSON) instanceof HookEvent.Push push) {
                POLICY.authorize(sample.provider, authentication, push.commits())
                        .forEach(commit -> {
                            if (commit.repository() == null || commit.ref() == null || commit.deliveryId() == null) {
                                throw new IllegalStateException("an accepted push lacks a field: " + commit);
                            }
                        });
            }
        } catch (WebhookRejected expected) {
            // a 4xx with its reason
        }
    }
}
