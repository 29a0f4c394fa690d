package dev.driftless.audit.domain;

import dev.driftless.events.EventType;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The four DORA metrics of one application, from its events in log order:
 *
 * <ul>
 *   <li>deployments: successful syncs that brought a new commit; their frequency per day over the window;
 *   <li>lead time for changes: push received → that commit synced, per deployment; and push received → the
 *       application first reported Healthy at that commit;
 *   <li>change failure rate: failed syncs and Degraded health, over all deployment attempts;
 *   <li>time to restore: from the first failure after a good state to the next successful sync or Healthy.
 * </ul>
 *
 * @param deployments successful deployments of a new commit
 * @param failures failed deployment attempts (sync failed, or health went Degraded)
 * @param changeFailureRate failures over attempts, 0 when there were none
 * @param deploymentsPerDay deployments per day over the window
 * @param leadTimesMs lead time of each deployment whose push is in the log, oldest first
 * @param healthyLeadTimesMs push → first Healthy of each commit whose push is in the log, oldest first
 * @param restoreTimesMs each time to restore, oldest first
 */
public record Dora(
        int deployments,
        int failures,
        double changeFailureRate,
        double deploymentsPerDay,
        List<Long> leadTimesMs,
        List<Long> healthyLeadTimesMs,
        List<Long> restoreTimesMs) {

    /**
     * Computes the metrics.
     *
     * @param events the application's events, oldest first
     * @param pushedAt when each commit's push was first received (of each commit synced or reported Healthy)
     * @param window the period the frequency is over
     */
    public static Dora of(List<StoredEvent> events, Map<String, Instant> pushedAt, Duration window) {
        int deployments = 0;
        int failures = 0;
        String deployed = null;
        Instant brokenSince = null;
        List<Long> leadTimes = new ArrayList<>();
        List<Long> healthyLeadTimes = new ArrayList<>();
        Set<String> healthyCommits = new HashSet<>();
        List<Long> restores = new ArrayList<>();
        for (StoredEvent e : events) {
            Instant at = e.eventTime() == null ? e.recordedAt() : e.eventTime();
            boolean succeeded = EventType.SYNC_SUCCEEDED.type().equals(e.type());
            boolean failed = EventType.SYNC_FAILED.type().equals(e.type())
                    || (EventType.HEALTH_CHANGED.type().equals(e.type())
                            && "Degraded".equals(e.data().path("current").asText()));
            boolean healthy = EventType.HEALTH_CHANGED.type().equals(e.type())
                    && "Healthy".equals(e.data().path("current").asText());
            if (succeeded && e.commit() != null && !e.commit().equals(deployed)) {
                deployments++;
                deployed = e.commit();
                Instant pushed = pushedAt.get(e.commit());
                if (pushed != null && !at.isBefore(pushed)) {
                    leadTimes.add(Duration.between(pushed, at).toMillis());
                }
            }
            if (healthy && e.commit() != null && healthyCommits.add(e.commit())) {
                Instant pushed = pushedAt.get(e.commit());
                Instant healthyAt = changedAt(e).orElse(at);
                if (pushed != null && !healthyAt.isBefore(pushed)) {
                    healthyLeadTimes.add(Duration.between(pushed, healthyAt).toMillis());
                }
            }
            if (failed) {
                failures++;
                if (brokenSince == null) {
                    brokenSince = at;
                }
            } else if ((succeeded || healthy) && brokenSince != null) {
                restores.add(Duration.between(brokenSince, at).toMillis());
                brokenSince = null;
            }
        }
        int attempts = deployments + failures;
        double days = Math.max(window.toMillis() / 86_400_000.0, 1e-9);
        return new Dora(
                deployments,
                failures,
                attempts == 0 ? 0 : (double) failures / attempts,
                deployments / days,
                List.copyOf(leadTimes),
                List.copyOf(healthyLeadTimes),
                List.copyOf(restores));
    }

    private static Optional<Instant> changedAt(StoredEvent event) {
        String value = event.data().path("changedAt").asText("");
        try {
            return value.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(value));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
