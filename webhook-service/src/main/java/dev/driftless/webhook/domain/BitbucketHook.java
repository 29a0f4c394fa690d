package dev.driftless.webhook.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.events.CommitPushed;
import java.util.ArrayList;
import java.util.List;

/**
 * Bitbucket Cloud: {@code X-Hub-Signature: sha256=<hex HMAC-SHA256>} (webhooks with a secret), the event in
 * {@code X-Event-Key} ({@code repo:push}, {@code diagnostics:ping}), the delivery in {@code X-Request-UUID}. One
 * push reports each changed branch or tag under {@code push.changes}, with {@code old}/{@code new} null for a
 * created/deleted ref.
 */
final class BitbucketHook implements ProviderHook {

    @Override
    public String name() {
        return "bitbucket";
    }

    @Override
    public void verify(HookRequest request, String secret) {
        HmacSignature.verify(request.header("X-Hub-Signature"), "X-Hub-Signature", request.body(), secret);
    }

    @Override
    public HookEvent parse(HookRequest request, ObjectMapper json) {
        var notAPush = PushPayloads.byEventKey(request, "repo:push");
        if (notAPush.isPresent()) {
            return notAPush.get();
        }
        JsonNode root = PushPayloads.object(json, request.body());
        String repository = PushPayloads.repository(
                root.path("repository").path("links").path("html"), "repository.links.html", "href");
        String pusher = PushPayloads.first(
                root.path("actor").path("nickname").asText(null),
                root.path("actor").path("display_name").asText(null));
        JsonNode changes = root.path("push").path("changes");
        if (!changes.isArray() || changes.isEmpty()) {
            throw new WebhookRejected(Reason.PayloadMalformed, "push.changes is missing or empty");
        }
        List<CommitPushed> pushes = new ArrayList<>();
        for (JsonNode change : changes) {
            JsonNode side = change.hasNonNull("new") ? change.get("new") : change.path("old");
            String kind = side.path("type").asText();
            String name = side.path("name").asText("");
            if (name.isEmpty() || !(kind.equals("branch") || kind.equals("tag"))) {
                throw new WebhookRejected(Reason.PayloadMalformed, "push.changes[].new/old needs a branch or tag name");
            }
            String ref = (kind.equals("tag") ? "refs/tags/" : "refs/heads/") + name;
            String before = hash(change.get("old"));
            String after = hash(change.get("new"));
            String delivery = request.header("X-Request-UUID");
            pushes.add(PushPayloads.push(
                    repository, ref, before, after, pusher, name(), delivery, List.of(), request.receivedAt()));
        }
        return new HookEvent.Push(pushes);
    }

    private static String hash(JsonNode side) {
        if (side == null || side.isNull()) {
            return CommitPushed.ZERO_SHA;
        }
        return PushPayloads.sha(side.path("target"), "hash");
    }
}
