package dev.driftless.webhook.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.events.CommitPushed;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RefMovesTest {

    static final String A = "a".repeat(40);
    static final String B = "b".repeat(40);
    static final List<String> WATCHED = List.of("refs/heads/main", "refs/tags/v1");

    @Test
    void theFirstPollAnnouncesTheHeadOfEachWatchedRefThatExistsTheSameWayEveryTime() {
        List<CommitPushed> first =
                RefMoves.between("https://h/r", WATCHED, null, Map.of("refs/heads/main", A), Instant.now());
        assertThat(first).singleElement().satisfies(push -> {
            assertThat(push.ref()).isEqualTo("refs/heads/main");
            assertThat(push.before()).isEqualTo(CommitPushed.ZERO_SHA);
            assertThat(push.after()).isEqualTo(A);
        });
        assertThat(RefMoves.between("https://h/r", WATCHED, null, Map.of("refs/heads/main", A), Instant.now())
                        .get(0)
                        .deliveryId())
                .as("announced again after a restart: the same delivery")
                .isEqualTo(first.get(0).deliveryId());
    }

    @Test
    void movedCreatedAndDeletedWatchedRefsArePushesAndOthersAreNot() {
        List<CommitPushed> moves = RefMoves.between(
                "https://h/r",
                WATCHED,
                Map.of("refs/heads/main", A, "refs/tags/v1", A),
                Map.of("refs/heads/main", B, "refs/heads/other", B),
                Instant.now());

        assertThat(moves).extracting(CommitPushed::ref).containsExactly("refs/heads/main", "refs/tags/v1");
        assertThat(moves.get(0).before()).isEqualTo(A);
        assertThat(moves.get(0).after()).isEqualTo(B);
        assertThat(moves.get(0).provider()).isEqualTo("poll");
        assertThat(moves.get(1).deletesRef()).isTrue();
        assertThat(moves.get(0).deliveryId())
                .as("the same move polled twice is the same delivery")
                .isEqualTo(RefMoves.between(
                                "https://h/r",
                                WATCHED,
                                Map.of("refs/heads/main", A),
                                Map.of("refs/heads/main", B),
                                Instant.now())
                        .get(0)
                        .deliveryId());
    }
}
