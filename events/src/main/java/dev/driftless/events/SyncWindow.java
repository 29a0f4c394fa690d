package dev.driftless.events;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A time in which a project's applications may, or may not, sync on their own ({@code spec.syncWindows} of a Project,
 * as Argo CD users write them). While a {@code deny} window is open, or outside every {@code allow} window when a
 * project has any, automatic syncs and self-heal wait; a sync a person asks for goes through when the window allows
 * {@code manualSync}.
 *
 * @param kind {@code allow} or {@code deny}
 * @param schedule when it opens: a five-field cron expression ({@code 0 22 * * *})
 * @param duration how long it stays open once opened: {@code 1h}, {@code 30m}, {@code 1h30m}, {@code 90s}
 * @param applications the applications it covers, by name or glob ({@code *} any run of characters); all when empty
 * @param manualSync whether a sync a person asks for goes through while it holds automatic ones
 * @param timeZone the zone the schedule is read in ({@code Europe/Paris}); {@code UTC} when {@code null}
 */
public record SyncWindow(
        String kind, String schedule, String duration, List<String> applications, boolean manualSync, String timeZone) {

    private static final Pattern LENGTH = Pattern.compile("^(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?$");

    public SyncWindow {
        applications = applications == null ? List.of() : List.copyOf(applications);
        timeZone = timeZone == null || timeZone.isBlank() ? "UTC" : timeZone;
    }

    /** Whether it holds syncs while open (a {@code deny} window) rather than letting them through. */
    public boolean denies() {
        return "deny".equals(kind);
    }

    /**
     * How long it stays open.
     *
     * @throws IllegalArgumentException when {@code duration} is not {@code 1h30m}-style (or ISO-8601) and positive
     */
    public Duration length() {
        String text = duration == null ? "" : duration.strip();
        Duration length;
        Matcher m = LENGTH.matcher(text);
        if (!text.isEmpty() && m.matches()) {
            length = Duration.ofHours(m.group(1) == null ? 0 : Long.parseLong(m.group(1)))
                    .plusMinutes(m.group(2) == null ? 0 : Long.parseLong(m.group(2)))
                    .plusSeconds(m.group(3) == null ? 0 : Long.parseLong(m.group(3)));
        } else {
            try {
                length = Duration.parse(text);
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("duration " + duration + " is not a duration (1h, 30m, 1h30m, 90s)");
            }
        }
        if (length.isZero() || length.isNegative()) {
            throw new IllegalArgumentException("duration " + duration + " must be longer than nothing");
        }
        return length;
    }

    /** Whether it covers an application, by name or glob. */
    public boolean covers(String application) {
        return applications.isEmpty()
                || applications.stream()
                        .anyMatch(glob -> application.matches(java.util.Arrays.stream(glob.split("\\*", -1))
                                .map(Pattern::quote)
                                .reduce((a, b) -> a + ".*" + b)
                                .orElse("")));
    }
}
