package dev.driftless.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How many applications cold-sync registers, how long it waits for them, and how long it watches them idle. */
class ColdSyncTest {

    @Test
    void theCountComesFromTheEnvironmentAndNonsenseIsRefusedByName() {
        assertThat(ColdSync.applications(false, null)).isEqualTo(1000);
        assertThat(ColdSync.applications(true, " ")).isEqualTo(100);
        assertThat(ColdSync.applications(false, "10,000")).isEqualTo(10_000);
        assertThat(ColdSync.applications(true, "3_000")).isEqualTo(3000);
        assertThatThrownBy(() -> ColdSync.applications(false, "lots"))
                .hasMessageContaining("DRIFTLESS_BENCH_APPS must be a number");
        assertThatThrownBy(() -> ColdSync.applications(false, "0")).hasMessageContaining("1 to 20,000");
        assertThat(ColdSync.deadline(1000)).isEqualTo(Duration.ofMinutes(10));
        assertThat(ColdSync.deadline(10_000)).isEqualTo(Duration.ofMinutes(100));
    }

    @Test
    void theIdleWindowComesFromTheEnvironmentZeroSkipsItAndNonsenseIsRefusedByName() {
        assertThat(ColdSync.idleWindow(false, null)).isEqualTo(Duration.ofSeconds(60));
        assertThat(ColdSync.idleWindow(true, "")).isEqualTo(Duration.ofSeconds(10));
        assertThat(ColdSync.idleWindow(false, " 120 ")).isEqualTo(Duration.ofSeconds(120));
        assertThat(ColdSync.idleWindow(false, "0")).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> ColdSync.idleWindow(false, "a while"))
                .hasMessageContaining("DRIFTLESS_BENCH_IDLE_S must be a number of seconds");
        assertThatThrownBy(() -> ColdSync.idleWindow(false, "-1")).hasMessageContaining("0 to 3,600");
    }
}
