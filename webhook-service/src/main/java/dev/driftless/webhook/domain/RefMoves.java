package dev.driftless.webhook.domain;

import dev.driftless.events.CommitPushed;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a poll of a repository's refs means: the watched refs that moved since the previous poll, as pushes from
 * provider {@code poll}. The first poll of a repository (after a start, or when a replica starts leading) announces
 * each watched ref's head as a push from nothing ({@link CommitPushed#ZERO_SHA}): a move made while no poller ran is
 * not lost, and one that was already rendered is not rendered again (render-service renders a head once). Delivery
 * ids are derived from the move, so the same move polled twice, or announced after every restart, is the same
 * delivery.
 */
public final class RefMoves {

    private RefMoves() {}

    /**
     * The pushes between two polls.
     *
     * @param previous the watched refs' commits at the previous poll, or {@code null} for the first poll (every
     *     watched ref that exists is announced)
     * @param current the watched refs' commits now (a missing ref has been deleted)
     */
    public static List<CommitPushed> between(
            String repository,
            List<String> watched,
            Map<String, String> previous,
            Map<String, String> current,
            Instant now) {
        List<CommitPushed> moves = new ArrayList<>();
        for (String ref : watched) {
            String after = current.getOrDefault(ref, CommitPushed.ZERO_SHA);
            String before =
                    previous == null ? CommitPushed.ZERO_SHA : previous.getOrDefault(ref, CommitPushed.ZERO_SHA);
            if (!before.equals(after)) {
                moves.add(PushPayloads.push(repository, ref, before, after, null, "poll", null, List.of(), now));
            }
        }
        return moves;
    }
}
