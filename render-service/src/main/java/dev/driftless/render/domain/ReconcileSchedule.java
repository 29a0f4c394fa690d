package dev.driftless.render.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

/**
 * When each application is next compared with the head of its source: every {@code interval}, jittered by up to a
 * tenth either way so a thousand applications do not fetch at the same instant. A webhook makes a change fast; this
 * rhythm makes it certain, so a lost webhook or a failed fetch heals without another push. An application may set its
 * own interval ({@code syncPolicy.interval}). Pure: the clock and the randomness are the caller's.
 */
public final class ReconcileSchedule {

    private final Duration interval;
    private final DoubleSupplier random;
    private final Map<String, Instant> next = new HashMap<>();

    /**
     * @param interval how often each application is compared; zero or negative turns the comparison off
     * @param random numbers in [0, 1) for the jitter
     */
    public ReconcileSchedule(Duration interval, DoubleSupplier random) {
        this.interval = interval;
        this.random = random;
    }

    /**
     * The applications (of those in the catalog now) whose comparison is due at {@code now}, each then scheduled
     * again one jittered interval later. An application seen for the first time is due one jittered interval from
     * now (it was just rendered as new); one no longer in the catalog is forgotten.
     */
    public List<String> due(Collection<String> applications, Instant now) {
        return due(applications, app -> null, now);
    }

    /**
     * As {@link #due(Collection, Instant)}, each application on its own interval ({@code syncPolicy.interval}) where
     * {@code intervalOf} gives one, else on the schedule's; a zero interval never comes due.
     */
    public List<String> due(Collection<String> applications, Function<String, Duration> intervalOf, Instant now) {
        // looked up in a set: retainAll asks its argument about every key, and a list of thousands of applications
        // answers each by walking it (a million comparisons every catalog scan at 1,000 applications)
        next.keySet().retainAll(applications instanceof Set<?> ? applications : new HashSet<>(applications));
        List<String> due = new ArrayList<>();
        for (String app : applications) {
            Duration own = intervalOf.apply(app);
            Duration every = own != null ? own : interval;
            if (every.isZero() || every.isNegative()) {
                next.remove(app);
                continue;
            }
            Instant at = next.get(app);
            if (at == null) {
                next.put(app, now.plus(jittered(every)));
            } else if (!at.isAfter(now)) {
                due.add(app);
                next.put(app, now.plus(jittered(every)));
            }
        }
        return due;
    }

    private Duration jittered(Duration interval) {
        double factor = 0.9 + 0.2 * random.getAsDouble();
        return Duration.ofMillis(Math.max(1, Math.round(interval.toMillis() * factor)));
    }
}
