package dev.driftless.audit.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.events.EventType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DORA figures on a constructed history whose right answers are worked out by hand. */
class DoraTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    static StoredEvent event(EventType type, String commit, long minutes, String data) throws Exception {
        Instant at = T0.plus(Duration.ofMinutes(minutes));
        return new StoredEvent(
                minutes,
                type + "-" + minutes,
                type.type(),
                "shop",
                "https://h/r",
                commit,
                at,
                at,
                JSON.readTree(data),
                null,
                null,
                null,
                false,
                null,
                "t",
                null);
    }

    @Test
    void deploymentsFailuresLeadTimesAndRestoresFromAHistory() throws Exception {
        String a = "a".repeat(40);
        String b = "b".repeat(40);
        String c = "c".repeat(40);
        List<StoredEvent> history = List.of(
                event(EventType.SYNC_SUCCEEDED, a, 10, "{}"), // deployment 1, pushed at 5 → 5 min
                event(
                        EventType.HEALTH_CHANGED,
                        a,
                        12,
                        "{\"current\":\"Healthy\",\"changedAt\":\"2026-11-01T00:11:00Z\"}"), // healthy 6 min after push
                event(EventType.SYNC_SUCCEEDED, a, 20, "{}"), // same commit again: a resync, not a deployment
                event(EventType.SYNC_FAILED, b, 30, "{}"), // failure 1, broken since 30
                event(EventType.SYNC_FAILED, b, 35, "{}"), // failure 2, still broken
                event(
                        EventType.SYNC_SUCCEEDED,
                        c,
                        50,
                        "{}"), // deployment 2 (pushed at 45 → 5 min), restored after 20 min
                event(EventType.HEALTH_CHANGED, c, 60, "{\"current\":\"Degraded\"}"), // failure 3, broken since 60
                event(EventType.HEALTH_CHANGED, c, 75, "{\"current\":\"Healthy\"}"), // restored after 15 min
                event(EventType.HEALTH_CHANGED, c, 80, "{\"current\":\"Healthy\"}")); // c healthy again: not counted
        Map<String, Instant> pushed = Map.of(a, T0.plus(Duration.ofMinutes(5)), c, T0.plus(Duration.ofMinutes(45)));

        Dora dora = Dora.of(history, pushed, T0, Duration.ofDays(2));

        assertThat(dora.deployments()).isEqualTo(2);
        assertThat(dora.failures()).isEqualTo(3);
        assertThat(dora.changeFailureRate()).isEqualTo(3.0 / 5.0);
        assertThat(dora.deploymentsPerDay()).isEqualTo(1.0);
        assertThat(dora.leadTimesMs()).containsExactly(300_000L, 300_000L);
        // push → first Healthy: a 5 → 11 (its changedAt), c 45 → 75 (its time; it had no changedAt)
        assertThat(dora.healthyLeadTimesMs()).containsExactly(360_000L, 1_800_000L);
        assertThat(dora.restoreTimesMs()).containsExactly(1_200_000L, 900_000L);
    }

    @Test
    void noHistoryNoDivisionByZero() {
        Dora dora = Dora.of(List.of(), Map.of(), T0, Duration.ofDays(30));

        assertThat(dora.changeFailureRate()).isZero();
        assertThat(dora.deploymentsPerDay()).isZero();
    }

    @Test
    void aWindowCountsWhatHappenedInItAsTheMetersWouldHaveSeenIt() throws Exception {
        String a = "a".repeat(40);
        String b = "b".repeat(40);
        List<StoredEvent> history = List.of(
                event(EventType.SYNC_SUCCEEDED, a, 10, "{}"), // before the window: deployed a
                event(EventType.SYNC_FAILED, b, 20, "{}"), // before the window: broken since 20
                event(EventType.SYNC_SUCCEEDED, a, 40, "{}"), // in it: a resync of a, no deployment; restored
                event(EventType.SYNC_SUCCEEDED, b, 50, "{}")); // in it: a deployment of b

        Dora dora = Dora.of(history, Map.of(), T0.plus(Duration.ofMinutes(30)), Duration.ofDays(1));

        assertThat(dora.deployments())
                .as("a resync of the commit deployed before the window")
                .isEqualTo(1);
        assertThat(dora.failures()).isZero();
        assertThat(dora.restoreTimesMs())
                .as("a failure before the window, ended in it")
                .containsExactly(1_200_000L);
    }
}
