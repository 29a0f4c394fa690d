package dev.driftless.render.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.AbstractList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReconcileScheduleTest {

    static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

    @Test
    void everyApplicationIsDueOnceAnIntervalAndAgainAnIntervalLater() {
        ReconcileSchedule schedule = new ReconcileSchedule(Duration.ofMinutes(3), () -> 0.5);
        assertThat(schedule.due(List.of("a", "b"), T0))
                .as("just rendered as new")
                .isEmpty();
        assertThat(schedule.due(List.of("a", "b"), T0.plusSeconds(179))).isEmpty();
        assertThat(schedule.due(List.of("a", "b"), T0.plusSeconds(180))).containsExactly("a", "b");
        assertThat(schedule.due(List.of("a", "b"), T0.plusSeconds(181))).isEmpty();
        assertThat(schedule.due(List.of("a", "b"), T0.plusSeconds(360))).containsExactly("a", "b");
    }

    @Test
    void aLargeCatalogIsNotSearchedOnceForEveryScheduledApplication() {
        // each scan forgets applications that left: asking the catalog's list about every scheduled application walked
        // it each time, a million comparisons every 2 s at 1,000 applications (render-service's CPU with nothing to do)
        List<String> catalog =
                IntStream.range(0, 1000).mapToObj(i -> "app-" + i).toList();
        ReconcileSchedule schedule = new ReconcileSchedule(Duration.ofMinutes(3), () -> 0.5);
        schedule.due(catalog, T0);
        AtomicInteger searched = new AtomicInteger();
        List<String> counting = new AbstractList<>() {
            @Override
            public String get(int index) {
                return catalog.get(index);
            }

            @Override
            public int size() {
                return catalog.size();
            }

            @Override
            public boolean contains(Object o) {
                searched.incrementAndGet();
                return catalog.contains(o);
            }
        };
        assertThat(schedule.due(counting, T0.plusSeconds(180))).hasSize(1000);
        assertThat(searched.get()).isLessThan(catalog.size());
    }

    @Test
    void theJitterSpreadsApplicationsByUpToATenthEitherWay() {
        double[] draws = {0.0, 0.999};
        int[] i = {0};
        ReconcileSchedule schedule = new ReconcileSchedule(Duration.ofSeconds(100), () -> draws[i[0]++ % 2]);
        schedule.due(List.of("early", "late"), T0);
        assertThat(schedule.due(List.of("early", "late"), T0.plusSeconds(90))).containsExactly("early");
        assertThat(schedule.due(List.of("early", "late"), T0.plusSeconds(110))).containsExactly("late");
    }

    @Test
    void anApplicationThatLeftTheCatalogIsForgottenAndZeroTurnsItOff() {
        ReconcileSchedule schedule = new ReconcileSchedule(Duration.ofSeconds(10), () -> 0.5);
        schedule.due(List.of("a", "b"), T0);
        assertThat(schedule.due(List.of("b"), T0.plusSeconds(10))).containsExactly("b");
        assertThat(schedule.due(List.of("a", "b"), T0.plusSeconds(11)))
                .as("back in the catalog: new again")
                .isEmpty();

        ReconcileSchedule off = new ReconcileSchedule(Duration.ZERO, () -> 0.5);
        off.due(List.of("a"), T0);
        assertThat(off.due(List.of("a"), T0.plusSeconds(3600))).isEmpty();
    }

    @Test
    void anApplicationOnItsOwnIntervalComesDueOnItAndZeroNeverComesDue() {
        ReconcileSchedule schedule = new ReconcileSchedule(Duration.ofMinutes(3), () -> 0.5);
        java.util.Map<String, Duration> own = java.util.Map.of("fast", Duration.ofSeconds(30), "never", Duration.ZERO);
        List<String> apps = List.of("fast", "never", "default");
        schedule.due(apps, own::get, T0);
        assertThat(schedule.due(apps, own::get, T0.plusSeconds(30))).containsExactly("fast");
        assertThat(schedule.due(apps, own::get, T0.plusSeconds(180))).containsExactly("fast", "default");
        assertThat(schedule.due(apps, own::get, T0.plusSeconds(36_000))).doesNotContain("never");
    }
}
