package dev.driftless.render.domain;

import java.util.HashMap;
import java.util.Map;

/**
 * Which applications to quarantine after a restart: those that were being rendered when the service died, at the
 * same commit, at two deaths in a row. One death mid-render is forgiven (the service may have been killed from
 * outside, a node drained); the second at the same render is a crash loop that render would cause again at every
 * start, so it is not rendered again at that commit ({@code RenderQuarantined}) until a new commit or a resync. Pure: decides, keeps nothing.
 */
public final class CrashStrikes {

    /** Deaths mid-render at one commit that quarantine an application. */
    public static final int QUARANTINE_AT = 2;

    private CrashStrikes() {}

    /** An application's strikes: the commit being rendered at the deaths, and how many deaths in a row. */
    public record Strike(String commit, int count) {

        /** Whether the application is quarantined at that commit. */
        public boolean quarantines() {
            return count >= QUARANTINE_AT;
        }
    }

    /**
     * The strikes after a restart.
     *
     * @param inFlight the renders that were running when the service died: application to commit
     * @param before the strikes recorded before that death
     */
    public static Map<String, Strike> afterRestart(Map<String, String> inFlight, Map<String, Strike> before) {
        Map<String, Strike> after = new HashMap<>(before);
        inFlight.forEach((application, commit) -> {
            Strike previous = before.get(application);
            after.put(
                    application,
                    previous != null && previous.commit().equals(commit)
                            ? new Strike(commit, previous.count() + 1)
                            : new Strike(commit, 1));
        });
        return after;
    }
}
