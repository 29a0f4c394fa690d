package dev.driftless.audit.domain;

import dev.driftless.events.EventType;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The one definition of the DORA metrics, applied to one application's events in log order, one event at a time.
 * The API's figures over a window ({@link Dora}) and the Prometheus meters (audit-service's {@code DoraMeters}) both
 * count with it, so they agree:
 *
 * <ul>
 *   <li>a <b>deployment</b> is a successful sync that brought another commit than the last one deployed (a resync of
 *       the same commit is not one);
 *   <li>a <b>failure</b> is a failed sync, or the application's health going Degraded;
 *   <li>the <b>lead time</b> of a deployment is push received → synced; the <b>healthy lead time</b> of a commit is
 *       push received → the application first reported Healthy at it;
 *   <li>a <b>restore</b> is the time from the first failure after a good state to the next successful sync or
 *       Healthy.
 * </ul>
 */
public final class DoraTally {

    /** What the tally needs of an event. */
    public record Event(String type, String commit, String health, Instant at, Instant changedAt) {

        /** From an event as the API reads it. */
        public static Event of(StoredEvent e) {
            return new Event(
                    e.type(),
                    e.commit(),
                    e.data().path("current").asText(null),
                    e.eventTime() == null ? e.recordedAt() : e.eventTime(),
                    instant(e.data().path("changedAt").asText("")).orElse(null));
        }

        static Optional<Instant> instant(String value) {
            try {
                return value == null || value.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(value));
            } catch (java.time.format.DateTimeParseException e) {
                return Optional.empty();
            }
        }
    }

    /**
     * What one event counted.
     *
     * @param deployment it was a deployment
     * @param failure it was a failure
     * @param leadTime the deployment's lead time, when its push is known
     * @param healthyLeadTime push → first Healthy at its commit, when this was that first Healthy and the push is known
     * @param restore the time to restore this event ended
     */
    public record Counted(
            boolean deployment, boolean failure, Duration leadTime, Duration healthyLeadTime, Duration restore) {}

    private String deployed;
    private Instant brokenSince;
    private final Set<String> healthyCommits = new HashSet<>();
    private final java.util.function.Predicate<String> healthyBefore;

    /** A tally of an application's whole history, from its first event. */
    public DoraTally() {
        this(null, null, commit -> false);
    }

    private DoraTally(String deployed, Instant brokenSince, java.util.function.Predicate<String> healthyBefore) {
        this.deployed = deployed;
        this.brokenSince = brokenSince;
        this.healthyBefore = healthyBefore;
    }

    /**
     * A tally picked up where the events before it left one, counting from there exactly as a tally of the whole
     * history would: what that history left is all it needs (no event is replayed).
     *
     * @param deployed the commit of the last successful sync before, if any
     * @param brokenSince when the first failure after the last good state (a successful sync or Healthy) was, if the
     *     application was still failing
     * @param healthyBefore whether a commit was reported Healthy before (asked once per commit, when it first is again)
     */
    public static DoraTally resumed(
            String deployed, Instant brokenSince, java.util.function.Predicate<String> healthyBefore) {
        return new DoraTally(deployed, brokenSince, healthyBefore);
    }

    /**
     * Counts one event.
     *
     * @param pushedAt when a commit's push was first received, if it was
     */
    public Counted add(Event e, Function<String, Optional<Instant>> pushedAt) {
        boolean succeeded = EventType.SYNC_SUCCEEDED.type().equals(e.type());
        boolean health = EventType.HEALTH_CHANGED.type().equals(e.type());
        boolean failure = EventType.SYNC_FAILED.type().equals(e.type()) || (health && "Degraded".equals(e.health()));
        boolean healthy = health && "Healthy".equals(e.health());
        boolean deployment = false;
        Duration leadTime = null;
        Duration healthyLeadTime = null;
        Duration restore = null;
        if (succeeded && e.commit() != null && !e.commit().equals(deployed)) {
            deployment = true;
            deployed = e.commit();
            leadTime = pushedAt.apply(e.commit())
                    .filter(pushed -> !e.at().isBefore(pushed))
                    .map(pushed -> Duration.between(pushed, e.at()))
                    .orElse(null);
        }
        if (healthy && e.commit() != null && healthyCommits.add(e.commit()) && !healthyBefore.test(e.commit())) {
            Instant healthyAt = e.changedAt() == null ? e.at() : e.changedAt();
            healthyLeadTime = pushedAt.apply(e.commit())
                    .filter(pushed -> !healthyAt.isBefore(pushed))
                    .map(pushed -> Duration.between(pushed, healthyAt))
                    .orElse(null);
        }
        if (failure) {
            if (brokenSince == null) {
                brokenSince = e.at();
            }
        } else if ((succeeded || healthy) && brokenSince != null) {
            restore = Duration.between(brokenSince, e.at());
            brokenSince = null;
        }
        return new Counted(deployment, failure, leadTime, healthyLeadTime, restore);
    }
}
