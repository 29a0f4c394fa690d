package dev.driftless.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How many applications cold-sync registers, and how long it waits for them. */
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
}
