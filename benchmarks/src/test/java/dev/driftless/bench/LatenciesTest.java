package dev.driftless.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The percentiles the benchmark tables report. */
class LatenciesTest {

    @Test
    void percentilesAreNearestRankOverEverySample() {
        Latencies latencies = new Latencies();
        for (int i = 2000; i >= 1; i--) {
            latencies.add(i);
        }

        assertThat(latencies.count()).isEqualTo(2000);
        assertThat(latencies.percentile(50)).isEqualTo(1000);
        assertThat(latencies.percentile(99)).isEqualTo(1980);
        assertThat(latencies.percentile(100)).isEqualTo(2000);
        assertThat(new Latencies().percentile(99)).isZero();
    }
}
