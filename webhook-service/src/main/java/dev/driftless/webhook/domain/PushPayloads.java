package dev.driftless.webhook.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.events.CommitPushed;
import dev.driftless.events.RepositoryUrls;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Reading push payloads: the parts every provider's format shares. */
final class PushPayloads {

    private static final Pattern SHA = Pattern.compile("^[0-9a-f]{40}([0-9a-f]{24})?$");

    private PushPayloads() {}

    static JsonNode object(ObjectMapper json, byte[] body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            throw new WebhookRejected(Reason.PayloadMalformed, "the body is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new WebhookRejected(Reason.PayloadMalformed, "the body is not a JSON object");
        }
        return root;
    }

    static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual()) {
            throw new WebhookRejected(Reason.PayloadMalformed, field + " is missing or not a string");
        }
        return node.asText();
    }

    static String ref(JsonNode root) {
        String ref = text(root, "ref");
        if (!ref.startsWith("refs/")) {
            throw new WebhookRejected(Reason.PayloadMalformed, "ref must be a full ref name such as refs/heads/main");
        }
        return ref;
    }

    static String sha(JsonNode root, String field) {
        String value = text(root, field);
        if (!SHA.matcher(value).matches()) {
            throw new WebhookRejected(Reason.PayloadMalformed, field + " is not a commit SHA");
        }
        return value;
    }

    /** The normalised repository URL from the first of the given fields that holds one. */
    static String repository(JsonNode repository, String where, String... fields) {
        for (String field : fields) {
            String url = repository.path(field).asText("");
            if (!url.isEmpty()) {
                try {
                    return RepositoryUrls.normalise(url);
                } catch (IllegalArgumentException e) {
                    throw new WebhookRejected(Reason.PayloadMalformed, where + "." + field + ": " + e.getMessage());
                }
            }
        }
        throw new WebhookRejected(Reason.PayloadMalformed, where + " has no repository URL");
    }

    /** The paths the payload's commits list as added, removed or modified; a hint only. */
    static List<String> changedPaths(JsonNode commits) {
        Set<String> paths = new LinkedHashSet<>();
        for (JsonNode commit : commits) {
            for (String kind : List.of("added", "removed", "modified")) {
                for (JsonNode path : commit.path(kind)) {
                    if (path.isTextual()) {
                        paths.add(path.asText());
                    }
                }
            }
        }
        return List.copyOf(paths);
    }

    /** The first non-empty text among the candidates, or {@code null}. */
    static String first(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null && !candidate.isEmpty()) {
                return candidate;
            }
        }
        return null;
    }

    /** A delivery id for providers that send none: the same push always gets the same one. */
    static String derivedDeliveryId(String repository, String ref, String after) {
        return "derived:" + repository + "@" + ref + "@" + after;
    }

    /** A verified push; a {@code null} delivery id is derived from the push, so the same push gets the same one. */
    static CommitPushed push(
            String repository,
            String ref,
            String before,
            String after,
            String pusher,
            String provider,
            String deliveryId,
            List<String> changedPaths,
            Instant receivedAt) {
        return new CommitPushed(
                repository,
                ref,
                before,
                after,
                pusher,
                provider,
                deliveryId == null ? derivedDeliveryId(repository, ref, after) : deliveryId,
                changedPaths,
                receivedAt,
                true);
    }

    /**
     * What a Bitbucket-style {@code X-Event-Key} means before the body is read: a ping, an event kind to ignore, or
     * (empty) the push event to parse.
     */
    static java.util.Optional<HookEvent> byEventKey(HookRequest request, String pushKey) {
        String event = request.header("X-Event-Key");
        if (event == null) {
            throw new WebhookRejected(Reason.PayloadMalformed, "the X-Event-Key header is missing");
        }
        if (event.equals("diagnostics:ping")) {
            return java.util.Optional.of(new HookEvent.Ping());
        }
        return event.equals(pushKey) ? java.util.Optional.empty() : java.util.Optional.of(new HookEvent.Ignored(event));
    }
}
