package dev.driftless.webhook.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;

/**
 * GitLab: the secret token itself in {@code X-Gitlab-Token}, compared in constant time, and, when the hook has a
 * signing token, a Standard Webhooks {@code webhook-signature} over the body with a timestamp tolerance; the event in
 * {@code X-Gitlab-Event} ({@code Push Hook}, {@code Tag Push Hook}); the delivery in {@code X-Gitlab-Event-UUID}
 * (or {@code Idempotency-Key}). The project's URLs are under {@code project}, the pusher is {@code user_username}.
 */
final class GitlabHook implements ProviderHook {

    @Override
    public String name() {
        return "gitlab";
    }

    /** How far GitLab's {@code webhook-timestamp} may be from our clock: the Standard Webhooks recommendation. */
    static final Duration TIMESTAMP_TOLERANCE = Duration.ofMinutes(5);

    /**
     * The secret is GitLab's secret token, its signing token, or both (set either or both to it in the hook's
     * settings): every one of them that the request carries must match, and it must carry at least one.
     */
    @Override
    public void verify(HookRequest request, String secret) {
        String token = request.header("X-Gitlab-Token");
        boolean signed = request.header("webhook-signature") != null;
        if (token != null || !signed) {
            HmacSignature.verifyToken(token, "X-Gitlab-Token", secret);
        }
        if (signed) {
            HmacSignature.verifyStandardWebhook(request, secret, TIMESTAMP_TOLERANCE);
        }
    }

    @Override
    public HookEvent parse(HookRequest request, ObjectMapper json) {
        String event = request.header("X-Gitlab-Event");
        if (event == null) {
            throw new WebhookRejected(Reason.PayloadMalformed, "the X-Gitlab-Event header is missing");
        }
        if (!event.equals("Push Hook") && !event.equals("Tag Push Hook")) {
            return new HookEvent.Ignored(event);
        }
        JsonNode root = PushPayloads.object(json, request.body());
        String ref = PushPayloads.ref(root);
        String before = PushPayloads.sha(root, "before");
        String after = PushPayloads.sha(root, "after");
        String repository =
                PushPayloads.repository(root.path("project"), "project", "git_http_url", "web_url", "git_ssh_url");
        String delivery = PushPayloads.first(
                request.header("X-Gitlab-Event-UUID"), request.header("Idempotency-Key"), request.header("webhook-id"));
        return new HookEvent.Push(PushPayloads.push(
                repository,
                ref,
                before,
                after,
                PushPayloads.first(
                        root.path("user_username").asText(null),
                        root.path("user_name").asText(null)),
                name(),
                delivery,
                PushPayloads.changedPaths(root.path("commits")),
                request.receivedAt()));
    }
}
