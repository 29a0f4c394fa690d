package dev.driftless.audit.domain;

import dev.driftless.events.EventType;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Commit statuses reported back to the Git provider: which status an event means for its commit ({@code pending}
 * when rendered, {@code success} or {@code failure} when synced, {@code failure} when the render failed), and the
 * exact request each provider's statuses API documents. Pure: the caller sends the request.
 */
public final class CommitStatus {

    /** The providers whose statuses APIs are supported. */
    public enum Provider {
        github,
        gitlab,
        gitea
    }

    /** The outcome to report. */
    public enum State {
        pending,
        success,
        failure
    }

    /**
     * A status for one application at one commit.
     *
     * @param commit the commit SHA
     * @param context the status name, {@code driftless/<application>}
     * @param state the outcome
     * @param description a line for people
     */
    public record Update(String commit, String context, State state, String description) {}

    /** An HTTP request to a provider's API. */
    public record Request(String method, URI uri, Map<String, String> headers, String body) {}

    private CommitStatus() {}

    /** The status an event means, if it means one. */
    public static Optional<Update> of(ChangeEntry entry) {
        if (entry.rejected() || entry.application() == null || entry.commit() == null) {
            return Optional.empty();
        }
        String context = "driftless/" + entry.application();
        String type = entry.type();
        if (EventType.RENDER_SUCCEEDED.type().equals(type)) {
            return Optional.of(new Update(entry.commit(), context, State.pending, "Rendered; syncing"));
        }
        if (EventType.RENDER_FAILED.type().equals(type)) {
            return Optional.of(new Update(entry.commit(), context, State.failure, "Render failed: " + entry.reason()));
        }
        if (EventType.SYNC_SUCCEEDED.type().equals(type)) {
            return Optional.of(new Update(entry.commit(), context, State.success, "Synced to the cluster"));
        }
        if (EventType.SYNC_FAILED.type().equals(type)) {
            return Optional.of(new Update(entry.commit(), context, State.failure, "Sync failed: " + entry.reason()));
        }
        return Optional.empty();
    }

    /** Whether a repository URL matches a pattern: an exact normalised URL, or a glob with {@code *}. */
    public static boolean matches(String pattern, String repository) {
        String regex = Pattern.quote(pattern).replace("*", "\\E.*\\Q");
        return repository != null && Pattern.matches(regex, repository);
    }

    /**
     * The request that reports an update.
     *
     * @param apiUrl the provider API's base URL, e.g. {@code https://api.github.com},
     *     {@code https://gitlab.com/api/v4}, {@code https://gitea.example.com/api/v1}
     * @param repositoryPath the repository's path on the provider, e.g. {@code acme/deploy}
     * @param targetUrl where the status links to
     */
    public static Request request(
            Provider provider, String apiUrl, String repositoryPath, String token, Update update, String targetUrl) {
        String base = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        String description = update.description().length() > 140
                ? update.description().substring(0, 139) + "…"
                : update.description();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("target_url", targetUrl);
        body.put("description", description);
        String path;
        switch (provider) {
            case github -> {
                headers.put("Accept", "application/vnd.github+json");
                headers.put("Authorization", "Bearer " + token);
                headers.put("X-GitHub-Api-Version", "2022-11-28");
                body.put("state", update.state().name());
                body.put("context", update.context());
                path = "/repos/" + repositoryPath;
            }
            case gitea -> {
                headers.put("Authorization", "token " + token);
                body.put("state", update.state().name());
                body.put("context", update.context());
                path = "/repos/" + repositoryPath;
            }
            case gitlab -> {
                headers.put("PRIVATE-TOKEN", token);
                body.put(
                        "state",
                        update.state() == State.failure
                                ? "failed"
                                : update.state().name());
                body.put("name", update.context());
                path = "/projects/" + URLEncoder.encode(repositoryPath, StandardCharsets.UTF_8);
            }
            default -> throw new IllegalArgumentException("unsupported provider " + provider);
        }
        return new Request(
                "POST", URI.create(base + path + "/statuses/" + update.commit()), headers, Canonical.value(body));
    }

    /** The repository's path on its provider: the normalised URL's path without the leading slash. */
    public static String repositoryPath(String repository) {
        String path = URI.create(repository).getPath();
        return path.startsWith("/") ? path.substring(1) : path;
    }
}
