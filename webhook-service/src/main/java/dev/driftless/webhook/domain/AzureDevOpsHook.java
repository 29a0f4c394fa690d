package dev.driftless.webhook.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.events.CommitPushed;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Azure DevOps service hooks: HTTP Basic credentials (any user name, the secret as password), the event in the
 * payload's {@code eventType} ({@code git.push}), the delivery in its {@code id}. Each pushed ref is one entry of
 * {@code resource.refUpdates}; the payload lists no changed files, so render-service asks Git.
 */
final class AzureDevOpsHook implements ProviderHook {

    @Override
    public String name() {
        return "azure-devops";
    }

    @Override
    public void verify(HookRequest request, String secret) {
        String authorization = request.header("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            HmacSignature.verifyToken(null, "Authorization (Basic)", secret);
            return;
        }
        String decoded;
        try {
            decoded = new String(
                    Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new WebhookRejected(Reason.SignatureInvalid, "the Basic credentials are not base64");
        }
        int colon = decoded.indexOf(':');
        HmacSignature.verifyToken(colon < 0 ? null : decoded.substring(colon + 1), "Basic password", secret);
    }

    @Override
    public HookEvent parse(HookRequest request, ObjectMapper json) {
        JsonNode root = PushPayloads.object(json, request.body());
        String event = root.path("eventType").asText("");
        if (event.isEmpty()) {
            throw new WebhookRejected(Reason.PayloadMalformed, "eventType is missing");
        }
        if (!event.equals("git.push")) {
            return new HookEvent.Ignored(event);
        }
        JsonNode resource = root.path("resource");
        String repository = PushPayloads.repository(resource.path("repository"), "resource.repository", "remoteUrl");
        String pusher = PushPayloads.first(
                resource.path("pushedBy").path("uniqueName").asText(null),
                resource.path("pushedBy").path("displayName").asText(null));
        JsonNode updates = resource.path("refUpdates");
        if (!updates.isArray() || updates.isEmpty()) {
            throw new WebhookRejected(Reason.PayloadMalformed, "resource.refUpdates is missing or empty");
        }
        String delivery = root.path("id").asText(null);
        List<CommitPushed> pushes = new ArrayList<>();
        for (JsonNode update : updates) {
            String ref = PushPayloads.text(update, "name");
            if (!ref.startsWith("refs/")) {
                throw new WebhookRejected(Reason.PayloadMalformed, "refUpdates[].name must be a full ref name");
            }
            String after = PushPayloads.sha(update, "newObjectId");
            pushes.add(PushPayloads.push(
                    repository,
                    ref,
                    PushPayloads.sha(update, "oldObjectId"),
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
