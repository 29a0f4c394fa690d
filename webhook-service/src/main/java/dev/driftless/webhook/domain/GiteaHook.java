package dev.driftless.webhook.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Gitea and Forgejo: {@code X-Gitea-Signature} (or Forgejo's {@code X-Forgejo-Signature}), the hex HMAC-SHA256 of
 * the body; the event in {@code X-Gitea-Event} / {@code X-Forgejo-Event}; the delivery in {@code X-Gitea-Delivery}
 * / {@code X-Forgejo-Delivery}. The push payload has GitHub's shape.
 */
final class GiteaHook implements ProviderHook {

    @Override
    public String name() {
        return "gitea";
    }

    @Override
    public void verify(HookRequest request, String secret) {
        String forgejo = request.header("X-Forgejo-Signature");
        if (forgejo != null) {
            HmacSignature.verifyHex(forgejo, "X-Forgejo-Signature", request.body(), secret);
        } else {
            HmacSignature.verifyHex(request.header("X-Gitea-Signature"), "X-Gitea-Signature", request.body(), secret);
        }
    }

    @Override
    public HookEvent parse(HookRequest request, ObjectMapper json) {
        String event = PushPayloads.first(request.header("X-Forgejo-Event"), request.header("X-Gitea-Event"));
        if (event == null) {
            throw new WebhookRejected(Reason.PayloadMalformed, "the X-Gitea-Event header is missing");
        }
        if (!event.equals("push")) {
            return new HookEvent.Ignored(event);
        }
        return githubStylePush(
                json,
                request,
                name(),
                PushPayloads.first(request.header("X-Forgejo-Delivery"), request.header("X-Gitea-Delivery")));
    }

    /** A push in GitHub's payload shape, which Gitea, Forgejo and Gogs share. */
    static HookEvent githubStylePush(ObjectMapper json, HookRequest request, String provider, String delivery) {
        JsonNode root = PushPayloads.object(json, request.body());
        String ref = PushPayloads.ref(root);
        String before = PushPayloads.sha(root, "before");
        String after = PushPayloads.sha(root, "after");
        String repository =
                PushPayloads.repository(root.path("repository"), "repository", "clone_url", "html_url", "ssh_url");
        return new HookEvent.Push(PushPayloads.push(
                repository,
                ref,
                before,
                after,
                GithubHook.pusher(root),
                provider,
                delivery,
                PushPayloads.changedPaths(root.path("commits")),
                request.receivedAt()));
    }
}
