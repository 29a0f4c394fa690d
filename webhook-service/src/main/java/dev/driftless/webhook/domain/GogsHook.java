package dev.driftless.webhook.domain;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Gogs: {@code X-Gogs-Signature}, the hex HMAC-SHA256 of the body; the event in {@code X-Gogs-Event}; the delivery in
 * {@code X-Gogs-Delivery}. The push payload has GitHub's shape.
 */
final class GogsHook implements ProviderHook {

    @Override
    public String name() {
        return "gogs";
    }

    @Override
    public void verify(HookRequest request, String secret) {
        HmacSignature.verifyHex(request.header("X-Gogs-Signature"), "X-Gogs-Signature", request.body(), secret);
    }

    @Override
    public HookEvent parse(HookRequest request, ObjectMapper json) {
        String event = request.header("X-Gogs-Event");
        if (event == null) {
            throw new WebhookRejected(Reason.PayloadMalformed, "the X-Gogs-Event header is missing");
        }
        if (!event.equals("push")) {
            return new HookEvent.Ignored(event);
        }
        return GiteaHook.githubStylePush(json, request, name(), request.header("X-Gogs-Delivery"));
    }
}
