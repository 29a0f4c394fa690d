package dev.driftless.audit.domain;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.driftless.events.DriftDetected;
import dev.driftless.events.HealthChanged;
import dev.driftless.events.SyncReport;
import java.time.Instant;
import java.util.Optional;

/**
 * Something worth telling people about an application, decided from one event: a failed sync, health gone
 * {@code Degraded}, or drift detected. Each is rendered as a generic JSON body, a Slack-compatible message or a
 * Microsoft Teams-compatible one, with a link to the commit's trace in the console when its address is known.
 *
 * @param eventId the CloudEvent id it comes from (one notice per event and endpoint)
 * @param kind what happened
 * @param application the application
 * @param commit the commit concerned, if any
 * @param summary one line for people
 * @param detail the reason word and message, or the objects that drifted
 * @param at when it happened
 */
public record Notice(
        String eventId, Kind kind, String application, String commit, String summary, String detail, Instant at) {

    /** What a notice is about; the word endpoints subscribe to ({@code driftless.notify.endpoints.<n>.events}). */
    public enum Kind {
        /** A sync failed. */
        SyncFailed("sync-failed"),
        /** The application's health became Degraded. */
        HealthDegraded("health-degraded"),
        /** The cluster differs from Git. */
        DriftDetected("drift-detected"),
        /** A commit was rendered and has not been applied for longer than {@code out-of-sync-after}. */
        OutOfSync("out-of-sync");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        /** The word configuration names it by. */
        public String word() {
            return word;
        }
    }

    /** The notice an event makes, if it is one people want to hear about. */
    public static Optional<Notice> of(String eventId, Record data, Instant at) {
        if (data instanceof SyncReport report && SyncReport.FAILED.equals(report.status())) {
            return Optional.of(new Notice(
                    eventId,
                    Kind.SyncFailed,
                    report.application(),
                    report.commit(),
                    "Sync of " + report.application() + " at " + shortSha(report.commit()) + " failed",
                    report.reason() + (report.message() == null ? "" : ": " + report.message()),
                    report.finishedAt() == null ? at : report.finishedAt()));
        }
        if (data instanceof HealthChanged health && "Degraded".equals(health.current())) {
            return Optional.of(new Notice(
                    eventId,
                    Kind.HealthDegraded,
                    health.application(),
                    health.commit(),
                    health.application() + " is Degraded at " + shortSha(health.commit()),
                    "health went from " + health.previous() + " to Degraded",
                    health.changedAt() == null ? at : health.changedAt()));
        }
        if (data instanceof DriftDetected drift) {
            return Optional.of(new Notice(
                    eventId,
                    Kind.DriftDetected,
                    drift.application(),
                    drift.commit(),
                    drift.application() + " drifted from " + shortSha(drift.commit())
                            + (drift.healing() ? " (healing)" : " (not healed)"),
                    String.join(", ", drift.resources()),
                    drift.detectedAt() == null ? at : drift.detectedAt()));
        }
        return Optional.empty();
    }

    /**
     * The notice of an application whose newest render, made {@code since}, is still not applied at {@code now}: one
     * per such stretch (its id names the application and since when).
     */
    public static Notice outOfSync(String application, String commit, Instant since, Instant now) {
        long minutes = java.time.Duration.between(since, now).toMinutes();
        return new Notice(
                "out-of-sync-" + application + "-" + since.toEpochMilli(),
                Kind.OutOfSync,
                application,
                commit,
                application + " has been out of sync for " + minutes + " min",
                shortSha(commit) + " was rendered at " + since + " and is not applied",
                now);
    }

    /** The address of this notice's commit trace in the console at {@code consoleUrl}, if both are known. */
    public Optional<String> link(Optional<String> consoleUrl) {
        if (commit == null || consoleUrl.isEmpty()) {
            return Optional.empty();
        }
        String base = consoleUrl.get().endsWith("/") ? consoleUrl.get() : consoleUrl.get() + "/";
        return Optional.of(base + "#/commits/" + commit);
    }

    /** The body to send in a format: {@code json} (generic), {@code slack} or {@code teams}. */
    public String body(String format, Optional<String> consoleUrl) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        Optional<String> link = link(consoleUrl);
        ObjectNode body = f.objectNode();
        switch (format) {
            case "slack" -> {
                body.put(
                        "text",
                        "*" + summary + "*\n" + detail
                                + link.map(l -> "\n<" + l + "|Trace of the commit>")
                                        .orElse(""));
            }
            case "teams" -> {
                body.put("@type", "MessageCard");
                body.put("@context", "https://schema.org/extensions");
                body.put("summary", summary);
                body.put("themeColor", kind == Kind.DriftDetected ? "FFA500" : "D70000");
                body.put("title", summary);
                body.put("text", detail);
                link.ifPresent(l -> {
                    ObjectNode action = body.putArray("potentialAction").addObject();
                    action.put("@type", "OpenUri");
                    action.put("name", "Trace of the commit");
                    action.putArray("targets").addObject().put("os", "default").put("uri", l);
                });
            }
            default -> {
                body.put("eventId", eventId);
                body.put("kind", kind.word());
                body.put("application", application);
                body.put("commit", commit);
                body.put("summary", summary);
                body.put("detail", detail);
                body.put("at", at.toString());
                link.ifPresent(l -> body.put("link", l));
            }
        }
        return body.toString();
    }

    private static String shortSha(String sha) {
        return sha == null ? "?" : sha.length() > 7 ? sha.substring(0, 7) : sha;
    }
}
