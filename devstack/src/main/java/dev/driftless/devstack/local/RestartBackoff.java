package dev.driftless.devstack.local;

import java.time.Duration;
import java.time.Instant;

/**
 * How long to wait before starting a service that died again, as Kubernetes does for a crash-looping container: 1 s,
 * then doubling up to 30 s, back to 1 s once it has stayed up for a minute. Pure: the caller gives the times.
 */
final class RestartBackoff {

    static final Duration FIRST = Duration.ofSeconds(1);
    static final Duration MOST = Duration.ofSeconds(30);
    static final Duration STABLE = Duration.ofMinutes(1);

    private Duration next = FIRST;
    private Instant startedAt;

    RestartBackoff(Instant startedAt) {
        this.startedAt = startedAt;
    }

    /** The wait before restarting a service that died at {@code diedAt}; the next one doubles unless it ran long. */
    Duration died(Instant diedAt) {
        if (Duration.between(startedAt, diedAt).compareTo(STABLE) >= 0) {
            next = FIRST;
        }
        Duration wait = next;
        next = next.multipliedBy(2).compareTo(MOST) > 0 ? MOST : next.multipliedBy(2);
        return wait;
    }

    /** The service was started again at {@code at}. */
    void restarted(Instant at) {
        startedAt = at;
    }
}
