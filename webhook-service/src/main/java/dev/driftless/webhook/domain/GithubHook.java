package dev.driftless.webhook.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * GitHub and GitHub Enterprise: {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>}, the event in
 * {@code X-GitHub-Event} ({@code push}, {@code ping}), the delivery in {@code X-GitHub-Delivery}.
 */
final class GithubHook implements ProviderHook {

    @Override
    public String name() {
        return "github";
    }

    @Override
    public void verify(HookRequest request, String secret) {
        HmacSignature.verify(request.header("X-Hub-Signature-256"), request.body(), secret);
    }

    @Override
    public HookEvent parse(HookRequest request, ObjectMapper json) {
        String event = request.header("X-GitHub-Event");
        if (event == null || event.isBlank()) {
            throw new WebhookRejected(Reason.PayloadMalformed, "the X-GitHub-Event header is missing");
        }
        if (event.equals("ping")) {
            return new HookEvent.Ping();
        }
        if (!event.equals("push")) {
            return new HookEvent.Ignored(event);
        }
        String delivery = request.header("X-GitHub-Delivery");
        if (delivery == null || delivery.isBlank()) {
            throw new WebhookRejected(Reason.PayloadMalformed, "the X-GitHub-Delivery header is missing");
        }
        return GiteaHook.githubStylePush(json, request, name(), delivery);
    }

    static String pusher(JsonNode root) {
        return PushPayloads.first(
                root.path("pusher").path("name").asText(null),
                root.path("pusher").path("login").asText(null),
                root.path("pusher").path("username").asText(null),
                root.path("sender").path("login").asText(null));
    }
}
