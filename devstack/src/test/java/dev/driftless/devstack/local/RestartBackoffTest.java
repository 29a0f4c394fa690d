package dev.driftless.devstack.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {

    static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

    @Test
    void aCrashLoopWaitsLongerEachTimeUpToThirtySecondsAndAServiceThatRanAMinuteStartsOver() {
        RestartBackoff backoff = new RestartBackoff(T0);
        Instant t = T0.plusSeconds(5);
        for (long expected : new long[] {1, 2, 4, 8, 16, 30, 30}) {
            assertThat(backoff.died(t)).isEqualTo(Duration.ofSeconds(expected));
            t = t.plusSeconds(expected);
            backoff.restarted(t);
            t = t.plusSeconds(2);
        }
        backoff.restarted(t);
        assertThat(backoff.died(t.plus(RestartBackoff.STABLE))).isEqualTo(RestartBackoff.FIRST);
    }
}
