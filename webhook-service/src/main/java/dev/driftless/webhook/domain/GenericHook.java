package dev.driftless.webhook.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Any other Git server or CI job: {@code X-Signature: sha256=<hex HMAC-SHA256 of the body>} and a small JSON body
 * {@code {"repository": url, "ref": "refs/heads/main", "before": sha, "after": sha, "pusher": name,
 * "changedPaths": [..], "deliveryId": id}} ({@code pusher}, {@code changedPaths} and {@code deliveryId} optional).
 */
final class GenericHook implements ProviderHook {

    @Override
    public String name() {
        return "generic";
    }

    @Override
    public void verify(HookRequest request, String secret) {
        HmacSignature.verify(request.header("X-Signature"), "X-Signature", request.body(), secret);
    }

    @Override
    public HookEvent parse(HookRequest request, ObjectMapper json) {
        JsonNode root = PushPayloads.object(json, request.body());
        String repository = PushPayloads.repository(root, "body", "repository");
        String ref = PushPayloads.ref(root);
        String after = PushPayloads.sha(root, "after");
        String delivery = PushPayloads.first(root.path("deliveryId").asText(null), request.header("X-Delivery"));
        java.util.List<String> paths = new java.util.ArrayList<>();
        root.path("changedPaths").forEach(p -> paths.add(p.asText()));
        return new HookEvent.Push(PushPayloads.push(
                repository,
                ref,
                PushPayloads.sha(root, "before"),
                after,
                root.path("pusher").asText(null),
                name(),
                delivery,
                paths,
                request.receivedAt()));
    }
}
