package dev.driftless.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Decides, entry by entry of the change feed, how a resync or rollback of one application ended: its next render,
 * the sync of that render, then the health of that commit. Pure; {@code sync --wait} and {@code rollback --wait} feed
 * it what the stream brings.
 */
final class SyncWait {

    /** How it ended: the exit code and a line for people. */
    record Outcome(int exitCode, String message) {}

    private final String application;
    private final String expectedCommit;
    private String commit;
    private boolean synced;
    private final java.util.Map<String, String> healthAt = new java.util.HashMap<>();

    /**
     * @param application the application acted on
     * @param expectedCommit the commit a rollback asked for ({@code null} for a resync: whatever the head is)
     */
    SyncWait(String application, String expectedCommit) {
        this.application = application;
        this.expectedCommit = expectedCommit;
    }

    /** A progress line for this entry, if it is one of the application's steps. */
    Optional<String> progress(JsonNode entry) {
        if (!application.equals(entry.path("application").asText())) {
            return Optional.empty();
        }
        return Optional.of(Render.word(entry.path("type").asText()) + " "
                + Render.shortSha(entry.path("commit").asText(""))
                + (entry.hasNonNull("reason") ? " " + entry.get("reason").asText() : "")
                + (entry.path("event").path("data").hasNonNull("current")
                        ? " " + entry.path("event").path("data").get("current").asText()
                        : ""));
    }

    /** Whether the sync of the render it waits for succeeded: what is left is the health of that commit. */
    boolean synced() {
        return synced;
    }

    /** The outcome, once the health of the synced commit is one that decides (Healthy, Degraded, Missing). */
    Optional<Outcome> health(String at, String health) {
        if (!synced || at == null || !at.equals(commit)) {
            return Optional.empty();
        }
        if (health.equals("Healthy")) {
            return Optional.of(
                    new Outcome(Exit.OK, application + " is at " + Render.shortSha(at) + ": Succeeded, Healthy"));
        }
        if (health.equals("Degraded") || health.equals("Missing")) {
            return Optional.of(new Outcome(
                    Exit.BAD_NEWS, application + " is at " + Render.shortSha(at) + ": Succeeded, but " + health));
        }
        return Optional.empty();
    }

    /** The outcome once this entry decides it; empty while it is still under way. */
    Optional<Outcome> next(JsonNode entry) {
        if (!application.equals(entry.path("application").asText())) {
            return Optional.empty();
        }
        String type = Render.word(entry.path("type").asText());
        String at = entry.path("commit").asText(null);
        String why = entry.path("reason").asText("") + " "
                + entry.path("event").path("data").path("message").asText("");
        switch (type) {
            case "render.failed" -> {
                if (expectedCommit == null || expectedCommit.equals(at)) { // not a concurrent push's failure
                    return Optional.of(new Outcome(Exit.BAD_NEWS, application + ": render failed: " + why.trim()));
                }
            }
            case "render.succeeded" -> {
                if (expectedCommit == null || expectedCommit.equals(at)) {
                    commit = at;
                    synced = false;
                }
            }
            case "sync.failed" -> {
                if (commit != null && commit.equals(at)) {
                    return Optional.of(new Outcome(
                            Exit.BAD_NEWS,
                            application + ": sync of " + Render.shortSha(at) + " failed: " + why.trim()));
                }
            }
            case "sync.succeeded" -> {
                synced = commit != null && commit.equals(at);
                if (synced && healthAt.containsKey(at)) { // its health may be recorded before its sync
                    return health(at, healthAt.get(at));
                }
            }
            case "health.changed" -> {
                if (at != null) {
                    healthAt.put(
                            at, entry.path("event").path("data").path("current").asText(""));
                    if (synced && at.equals(commit)) {
                        return health(at, healthAt.get(at));
                    }
                }
            }
            default -> {
                // other entries (drift, commands) do not decide
            }
        }
        return Optional.empty();
    }
}
