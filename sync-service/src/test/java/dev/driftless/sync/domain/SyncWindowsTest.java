package dev.driftless.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.events.SyncWindow;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyncWindowsTest {

    /** Monday 2026-11-30, 22:30 UTC. */
    static final Instant EVENING = Instant.parse("2026-11-30T22:30:00Z");

    static SyncWindow window(String kind, String schedule, String duration, boolean manual, String... apps) {
        return new SyncWindow(kind, schedule, duration, List.of(apps), manual, null);
    }

    @Test
    void anOpenDenyWindowHoldsAutomaticSyncsUntilItCloses() {
        List<SyncWindow> nightly = List.of(window("deny", "0 22 * * *", "1h", false));

        SyncWindows.Decision held = SyncWindows.decide(nightly, "shop", EVENING, false);
        assertThat(held.allowed()).isFalse();
        assertThat(held.reason()).contains("deny '0 22 * * *' for 1h is open until 2026-11-30T23:00:00Z");
        assertThat(SyncWindows.decide(nightly, "shop", EVENING, true).allowed())
                .as("no manualSync: a person's sync waits too")
                .isFalse();
        assertThat(SyncWindows.decide(nightly, "shop", Instant.parse("2026-11-30T23:00:01Z"), false)
                        .allowed())
                .isTrue();
    }

    @Test
    void manualSyncLetsAPersonThrough() {
        List<SyncWindow> nightly = List.of(window("deny", "0 22 * * *", "1h", true));

        assertThat(SyncWindows.decide(nightly, "shop", EVENING, true).allowed()).isTrue();
        assertThat(SyncWindows.decide(nightly, "shop", EVENING, false).allowed())
                .isFalse();
    }

    @Test
    void withAllowWindowsAnApplicationSyncsOnlyWhileOneIsOpen() {
        List<SyncWindow> office = List.of(window("allow", "0 9 * * 1-5", "8h", false));

        assertThat(SyncWindows.decide(office, "shop", Instant.parse("2026-11-30T10:00:00Z"), false)
                        .allowed())
                .isTrue();
        SyncWindows.Decision evening = SyncWindows.decide(office, "shop", EVENING, false);
        assertThat(evening.allowed()).isFalse();
        assertThat(evening.reason()).contains("outside every allow window, the next opens at 2026-12-01T09:00:00Z");
    }

    @Test
    void aWindowCoversOnlyTheApplicationsItNamesAndReadsItsTimeZone() {
        List<SyncWindow> billing = List.of(window("deny", "* * * * *", "1h", false, "billing-*"));

        assertThat(SyncWindows.decide(billing, "billing-api", EVENING, false).allowed())
                .isFalse();
        assertThat(SyncWindows.decide(billing, "shop", EVENING, false).allowed())
                .isTrue();

        // 23:00 in Paris is 22:00 UTC in winter
        SyncWindow paris = new SyncWindow("deny", "0 23 * * *", "1h", List.of(), false, "Europe/Paris");
        assertThat(SyncWindows.decide(List.of(paris), "shop", EVENING, false).allowed())
                .isFalse();
        assertThat(SyncWindows.decide(List.of(paris), "shop", Instant.parse("2026-11-30T23:30:00Z"), false)
                        .allowed())
                .isTrue();
    }
}
