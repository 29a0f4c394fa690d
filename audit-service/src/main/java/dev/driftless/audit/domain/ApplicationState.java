package dev.driftless.audit.domain;

import dev.driftless.events.EventType;
import java.time.Instant;
import java.util.List;

/**
 * An application's current state, derived from its events in log order: the commit it runs, its last sync and
 * health, its last change and its last failure.
 *
 * @param name application name
 * @param currentCommit the commit of its last successful sync
 * @param syncStatus status of its last sync ({@code Succeeded}, {@code Failed}) or {@code Unknown}
 * @param health its last reported health, or {@code Unknown}
 * @param lastChange its most recent event
 * @param lastFailure its most recent failed render or sync, if any
 * @param drift {@code Drifted} when drift was detected after its last successful sync, {@code InSync} when a sync
 *     succeeded after any drift, {@code Unknown} before its first sync
 */
public record ApplicationState(
        String name,
        String currentCommit,
        String syncStatus,
        String health,
        Change lastChange,
        Change lastFailure,
        String drift) {

    /** One event, summarised. */
    public record Change(String type, String commit, String reason, String message, Instant at, String actor) {}

    /** The state after the given events of one application, oldest first. */
    public static ApplicationState of(String name, List<StoredEvent> events) {
        String commit = null;
        String sync = "Unknown";
        String health = "Unknown";
        Change last = null;
        Change failure = null;
        String drift = "Unknown";
        for (StoredEvent e : events) {
            Change change = new Change(
                    e.type(),
                    e.commit(),
                    e.reason(),
                    e.data().hasNonNull("message") ? e.data().get("message").asText() : null,
                    e.eventTime() == null ? e.recordedAt() : e.eventTime(),
                    e.actor());
            last = change;
            if (EventType.SYNC_SUCCEEDED.type().equals(e.type())) {
                commit = e.commit();
                sync = "Succeeded";
                drift = "InSync";
            } else if (EventType.SYNC_FAILED.type().equals(e.type())) {
                sync = "Failed";
                failure = change;
            } else if (EventType.RENDER_FAILED.type().equals(e.type())) {
                failure = change;
            } else if (EventType.DRIFT_DETECTED.type().equals(e.type())) {
                drift = "Drifted";
            } else if (EventType.HEALTH_CHANGED.type().equals(e.type())
                    && e.data().hasNonNull("current")) {
                health = e.data().get("current").asText();
            }
        }
        return new ApplicationState(name, commit, sync, health, last, failure, drift);
    }
}
