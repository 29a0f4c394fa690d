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

/**
 * What a verified GitHub webhook asks of us: a push to publish, a ping to answer, or an event kind we ignore. Pure:
 * parses the body it is given and decides, with no I/O.
 */
public sealed interface GithubEvent {

    /** A push of one ref. */
    record Push(CommitPushed commit) implements GithubEvent {}

    /** GitHub's ping, sent when a hook is created. */
    record Ping() implements GithubEvent {}

    /** An event kind Driftless does not act on. */
    record Ignored(String event) implements GithubEvent {}

    Pattern SHA = Pattern.compile("^[0-9a-f]{40}([0-9a-f]{24})?$");

    /**
     * Reads a GitHub webhook.
     *
     * @param event the {@code X-GitHub-Event} header
     * @param deliveryId the {@code X-GitHub-Delivery} header
     * @param body the raw body, already verified
     * @throws WebhookRejected with {@link Reason#PayloadMalformed} when a push body is not a push
     */
    static GithubEvent parse(
            ObjectMapper json, String event, String deliveryId, byte[] body, Instant receivedAt, boolean verified) {
        if (event == null || event.isBlank()) {
            throw new WebhookRejected(Reason.PayloadMalformed, "the X-GitHub-Event header is missing");
        }
        if (event.equals("ping")) {
            return new Ping();
        }
        if (!event.equals("push")) {
            return new Ignored(event);
        }
        if (deliveryId == null || deliveryId.isBlank()) {
            throw new WebhookRejected(Reason.PayloadMalformed, "the X-GitHub-Delivery header is missing");
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            throw new WebhookRejected(Reason.PayloadMalformed, "the body is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new WebhookRejected(Reason.PayloadMalformed, "the body is not a JSON object");
        }
        String ref = text(root, "ref");
        if (!ref.startsWith("refs/")) {
            throw new WebhookRejected(Reason.PayloadMalformed, "ref must be a full ref name such as refs/heads/main");
        }
        String before = sha(root, "before");
        String after = sha(root, "after");
        String url = root.path("repository").path("clone_url").asText("");
        if (url.isEmpty()) {
            url = root.path("repository").path("html_url").asText("");
        }
        String repository;
        try {
            repository = RepositoryUrls.normalise(url);
        } catch (IllegalArgumentException e) {
            throw new WebhookRejected(Reason.PayloadMalformed, "repository.clone_url: " + e.getMessage());
        }
        String pusher = root.path("pusher").path("name").asText(null);
        if (pusher == null) {
            pusher = root.path("sender").path("login").asText(null);
        }
        return new Push(new CommitPushed(
                repository,
                ref,
                before,
                after,
                pusher,
                "github",
                deliveryId,
                changedPaths(root.path("commits")),
                receivedAt,
                verified));
    }

    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual()) {
            throw new WebhookRejected(Reason.PayloadMalformed, field + " is missing or not a string");
        }
        return node.asText();
    }

    private static String sha(JsonNode root, String field) {
        String value = text(root, field);
        if (!SHA.matcher(value).matches()) {
            throw new WebhookRejected(Reason.PayloadMalformed, field + " is not a commit SHA");
        }
        return value;
    }

    private static List<String> changedPaths(JsonNode commits) {
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
}
