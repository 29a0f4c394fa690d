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

    static Application app(String name, String repository, Duration own) {
        return new Application(
                name,
                repository,
                repository,
                "main",
                "apps/" + name,
                "auto",
                RevisionMatcherTest.TARGET,
                "f.yaml",
                Application.HelmOptions.NONE,
                null,
                own);
    }

    @Test
    void theApplicationsOfOneRepositoryComeDueTogetherSoItIsFetchedOnceAnInterval() {
        // jitter drawn anew for each key: one application at a time, a monorepo's thousand would spread over the
        // jitter and one would come due at nearly every catalog scan, each a fetch of the same repository
        java.util.Random random = new java.util.Random(42);
        ReconcileSchedule schedule = new ReconcileSchedule(Duration.ofMinutes(3), random::nextDouble);
        List<Application> catalog = new java.util.ArrayList<>();
        IntStream.range(0, 1000).forEach(i -> catalog.add(app("mono-" + i, "https://h/mono", null)));
        catalog.add(app("own-repo", "https://h/other", null));
        catalog.add(app("fast", "https://h/mono", Duration.ofSeconds(30)));
        assertThat(schedule.dueBySource(catalog, T0)).as("just rendered as new").isEmpty();

        java.util.Map<String, Integer> comparisons = new java.util.HashMap<>();
        List<Integer> scansWithMono = new java.util.ArrayList<>();
        for (int second = 2; second <= 20 * 60; second += 2) { // twenty minutes of catalog scans, one every 2 s
            List<Application> due = schedule.dueBySource(catalog, T0.plusSeconds(second));
            due.forEach(app -> comparisons.merge(app.name(), 1, Integer::sum));
            long mono =
                    due.stream().filter(app -> app.name().startsWith("mono-")).count();
            if (mono > 0) {
                assertThat(mono)
                        .as("all of the repository's applications at once")
                        .isEqualTo(1000);
                scansWithMono.add(second);
            }
        }
        assertThat(scansWithMono)
                .as("a 3 min interval jittered by a tenth: six or seven fetches in twenty minutes")
                .hasSizeBetween(6, 7);
        assertThat(comparisons.get("mono-0")).isEqualTo(scansWithMono.size());
        assertThat(comparisons.get("mono-999")).isEqualTo(scansWithMono.size());
        assertThat(comparisons.get("own-repo"))
                .as("its own repository, on its own jitter")
                .isBetween(6, 7);
        assertThat(comparisons.get("fast"))
                .as("an application on its own interval is not held to its repository's")
                .isBetween(36, 45);
    }
}
