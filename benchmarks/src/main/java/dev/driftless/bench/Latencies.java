package dev.driftless.bench;

import java.util.Arrays;

/** Latency samples in milliseconds and their percentiles (nearest rank). Not thread-safe: one per scenario. */
final class Latencies {

    private double[] samples = new double[1024];
    private int count;

    void add(double millis) {
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, count * 2);
        }
        samples[count++] = millis;
    }

    int count() {
        return count;
    }

    /** The p-th percentile (0 to 100), or 0 without samples. */
    double percentile(double p) {
        if (count == 0) {
            return 0;
        }
        double[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * count);
        return sorted[Math.max(0, Math.min(count - 1, rank - 1))];
    }
}
