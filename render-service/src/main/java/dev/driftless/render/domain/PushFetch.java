package dev.driftless.render.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * Whether a push still needs a fetch, or an earlier fetch already brought what it pushed: pushes to one repository are
 * taken one after another, so while a burst waits, the first fetch brings every commit pushed so far and the pushes
 * behind it share it instead of each fetching again. A push is already fetched when a fetch of its repository that
 * succeeded began after the push was received (by more than {@link #CLOCK_MARGIN}, for the clocks of two services):
 * that fetch saw the branch as the push left it or newer, whatever order webhooks arrive in and whether some were
 * lost (a force push included). Anything else fetches.
 */
public final class PushFetch {

    /** How much later than a push's receipt a fetch must have begun to count: more than two clocks disagree by. */
    public static final Duration CLOCK_MARGIN = Duration.ofSeconds(1);

    private PushFetch() {}

    /**
     * @param lastFetchBegan when the last successful fetch of the repository began, {@code null} if none since start
     * @param pushReceived when the push was received ({@code commit.pushed}'s {@code receivedAt})
     */
    public static boolean alreadyFetched(Instant lastFetchBegan, Instant pushReceived) {
        return lastFetchBegan != null
                && pushReceived != null
                && lastFetchBegan.isAfter(pushReceived.plus(CLOCK_MARGIN));
    }
}
