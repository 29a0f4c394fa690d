package dev.driftless.webhook.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.events.CommitPushed;
import java.util.ArrayList;
import java.util.List;

/**
 * Bitbucket Server and Data Center: {@code X-Hub-Signature: sha256=<hex HMAC-SHA256>}, the event in
 * {@code X-Event-Key} ({@code repo:refs_changed}, {@code diagnostics:ping}), the delivery in {@code X-Request-Id}.
 * Each changed ref is one entry of {@code changes} with {@code refId}, {@code fromHash} and {@code toHash}.
 */
final class BitbucketServerHook implements ProviderHook {

    @Override
    public String name() {
        return "bitbucket-server";
    }

    @Override
    public void verify(HookRequest request, String secret) {
        HmacSignature.verify(request.header("X-Hub-Signature"), "X-Hub-Signature", request.body(), secret);
    }

    @Override
    public HookEvent parse(HookRequest request, ObjectMapper json) {
        var notAPush = PushPayloads.byEventKey(request, "repo:refs_changed");
        if (notAPush.isPresent()) {
            return notAPush.get();
        }
        JsonNode root = PushPayloads.object(json, request.body());
        String repository = null;
        for (JsonNode clone : root.path("repository").path("links").path("clone")) {
            if ("http".equals(clone.path("name").asText()) || repository == null) {
                repository = PushPayloads.repository(clone, "repository.links.clone[]", "href");
            }
        }
        if (repository == null) {
            throw new WebhookRejected(Reason.PayloadMalformed, "repository.links.clone has no URL");
        }
        String pusher = PushPayloads.first(
                root.path("actor").path("name").asText(null),
                root.path("actor").path("displayName").asText(null));
        JsonNode changes = root.path("changes");
        if (!changes.isArray() || changes.isEmpty()) {
            throw new WebhookRejected(Reason.PayloadMalformed, "changes is missing or empty");
        }
        List<CommitPushed> pushes = new ArrayList<>();
        for (JsonNode change : changes) {
            String ref = PushPayloads.first(
                    change.path("refId").asText(null),
                    change.path("ref").path("id").asText(null));
            if (ref == null || !ref.startsWith("refs/")) {
                throw new WebhookRejected(Reason.PayloadMalformed, "changes[].refId must be a full ref name");
            }
            String after = PushPayloads.sha(change, "toHash");
            String delivery = request.header("X-Request-Id");
            pushes.add(PushPayloads.push(
                    repository,
                    ref,
                    PushPayloads.sha(change, "fromHash"),
                    after,
                    pusher,
                    name(),
                    delivery,
                    List.of(),
                    request.receivedAt()));
        }
        return new HookEvent.Push(pushes);
    }
}
