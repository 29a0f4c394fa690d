package dev.driftless.render.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class PushFetchTest {

    static final Instant RECEIVED = Instant.parse("2026-11-30T22:00:00Z");

    @Test
    void aPushAFetchBegunAfterItBroughtSharesThatFetch() {
        assertThat(PushFetch.alreadyFetched(RECEIVED.plusSeconds(2), RECEIVED)).isTrue();
    }

    @Test
    void aPushNoFetchHasSeenFetches() {
        assertThat(PushFetch.alreadyFetched(null, RECEIVED)).isFalse();
        assertThat(PushFetch.alreadyFetched(RECEIVED.minusSeconds(5), RECEIVED)).isFalse();
        assertThat(PushFetch.alreadyFetched(RECEIVED.plusSeconds(2), null)).isFalse();
    }

    @Test
    void aFetchThatBeganWithinTheClockMarginOfThePushDoesNotCount() {
        assertThat(PushFetch.alreadyFetched(RECEIVED.plusMillis(500), RECEIVED)).isFalse();
        assertThat(PushFetch.alreadyFetched(RECEIVED.plus(PushFetch.CLOCK_MARGIN), RECEIVED))
                .isFalse();
    }
}
