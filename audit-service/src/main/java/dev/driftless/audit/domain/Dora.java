package dev.driftless.audit.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The four DORA metrics of one application over a window, from its events in log order, as {@link DoraTally} defines
 * them (the meters count the same): deployments and their frequency per day, lead time for changes (to synced and to
 * first Healthy), change failure rate (failures over deployments and failures), time to restore.
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
     * Computes the metrics with {@link DoraTally}'s definition, over the events since {@code since}; the events
     * before it are replayed uncounted, so the first sync in the window is a deployment only if its commit differs
     * from the one deployed before (as the meters, which see every event, count it).
     *
     * @param events the application's events, oldest first
     * @param pushedAt when each commit's push was first received (of each commit synced or reported Healthy)
     * @param since the window's start
     * @param window the period the frequency is over
     */
    public static Dora of(List<StoredEvent> events, Map<String, Instant> pushedAt, Instant since, Duration window) {
        DoraTally tally = new DoraTally();
        int deployments = 0;
        int failures = 0;
        List<Long> leadTimes = new ArrayList<>();
        List<Long> healthyLeadTimes = new ArrayList<>();
        List<Long> restores = new ArrayList<>();
        for (StoredEvent e : events) {
            DoraTally.Counted counted =
                    tally.add(DoraTally.Event.of(e), commit -> Optional.ofNullable(pushedAt.get(commit)));
            if (e.recordedAt().isBefore(since)) {
                continue;
            }
            deployments += counted.deployment() ? 1 : 0;
            failures += counted.failure() ? 1 : 0;
            if (counted.leadTime() != null) {
                leadTimes.add(counted.leadTime().toMillis());
            }
            if (counted.healthyLeadTime() != null) {
                healthyLeadTimes.add(counted.healthyLeadTime().toMillis());
            }
            if (counted.restore() != null) {
                restores.add(counted.restore().toMillis());
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
}
