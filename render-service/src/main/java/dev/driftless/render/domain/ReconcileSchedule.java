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
 * tenth either way so a thousand repositories do not fetch at the same instant; the applications of one repository
 * are compared together ({@link #dueBySource}). A webhook makes a change fast; this
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

    /**
     * The applications (of those in the catalog now) whose source is due for a comparison at {@code now}. The
     * applications of one repository on one interval come due together, so their repository is fetched once an
     * interval: scheduled one by one, a monorepo's thousand applications spread over the jitter and kept one coming
     * due at nearly every catalog scan, a fetch of the same repository every few seconds for ever.
     */
    public List<Application> dueBySource(Collection<Application> applications, Instant now) {
        Map<String, List<Application>> bySource = new java.util.LinkedHashMap<>();
        Map<String, Duration> own = new HashMap<>();
        for (Application app : applications) {
            Duration every = app.reconcileInterval();
            String source = app.repository() + (every == null ? "" : " every " + every);
            bySource.computeIfAbsent(source, key -> new ArrayList<>()).add(app);
            if (every != null) {
                own.put(source, every);
            }
        }
        List<Application> due = new ArrayList<>();
        due(bySource.keySet(), own::get, now).forEach(source -> due.addAll(bySource.get(source)));
        return due;
    }

    private Duration jittered(Duration interval) {
        double factor = 0.9 + 0.2 * random.getAsDouble();
        return Duration.ofMillis(Math.max(1, Math.round(interval.toMillis() * factor)));
    }
}
