package dev.driftless.sync.domain;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.driftless.events.SyncWindow;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;

/**
 * Whether a project's sync windows let an application sync now. A {@code deny} window that is open holds it; when
 * any {@code allow} window covers it, it syncs only while one is open. A sync a person asks for goes through when
 * every window holding it allows {@code manualSync}. An application no window covers always syncs.
 */
public final class SyncWindows {

    private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private SyncWindows() {}

    /** What the windows decide: whether it may sync, and if not, why and until when, for people. */
    public record Decision(boolean allowed, String reason) {

        static final Decision ALLOWED = new Decision(true, null);
    }

    /** The decision for an application at {@code now}; {@code manual}: a person asked for this sync. */
    public static Decision decide(List<SyncWindow> windows, String application, Instant now, boolean manual) {
        List<SyncWindow> covering =
                windows.stream().filter(w -> w.covers(application)).toList();
        if (covering.isEmpty()) {
            return Decision.ALLOWED;
        }
        List<SyncWindow> denying = covering.stream()
                .filter(SyncWindow::denies)
                .filter(w -> openUntil(w, now).isPresent())
                .toList();
        if (!denying.isEmpty()) {
            if (manual && denying.stream().allMatch(SyncWindow::manualSync)) {
                return Decision.ALLOWED;
            }
            SyncWindow first = denying.get(0);
            return new Decision(
                    false,
                    "sync window: deny '" + first.schedule() + "' for " + first.duration() + " is open until "
                            + openUntil(first, now).orElseThrow());
        }
        List<SyncWindow> allowing = covering.stream().filter(w -> !w.denies()).toList();
        if (allowing.isEmpty()
                || allowing.stream().anyMatch(w -> openUntil(w, now).isPresent())) {
            return Decision.ALLOWED;
        }
        if (manual && allowing.stream().anyMatch(SyncWindow::manualSync)) {
            return Decision.ALLOWED;
        }
        Instant next = allowing.stream()
                .map(w -> nextOpening(w, now))
                .flatMap(Optional::stream)
                .min(Instant::compareTo)
                .orElse(null);
        return new Decision(
                false, "sync window: outside every allow window" + (next == null ? "" : ", the next opens at " + next));
    }

    /** When an open window closes, or empty when it is closed at {@code now}. */
    static Optional<Instant> openUntil(SyncWindow window, Instant now) {
        ZonedDateTime at = now.atZone(ZoneId.of(window.timeZone()));
        // the last opening at or before now (one second on, so an opening at exactly now counts)
        return ExecutionTime.forCron(CRON.parse(window.schedule()))
                .lastExecution(at.plusSeconds(1))
                .map(opened -> opened.toInstant().plus(window.length()))
                .filter(closes -> closes.isAfter(now));
    }

    private static Optional<Instant> nextOpening(SyncWindow window, Instant now) {
        return ExecutionTime.forCron(CRON.parse(window.schedule()))
                .nextExecution(now.atZone(ZoneId.of(window.timeZone())))
                .map(ZonedDateTime::toInstant);
    }

    /**
     * Whether a schedule is a five-field cron expression this reads.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static void validate(String schedule) {
        CRON.parse(schedule).validate();
    }
}
