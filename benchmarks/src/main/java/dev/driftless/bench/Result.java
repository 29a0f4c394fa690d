package dev.driftless.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one scenario measured, written as {@code target/bench/<scenario>.json}: how much work, how fast, what was lost
 * or duplicated, each service's resident memory at the end, and further figures of the scenario ({@code extra}).
 */
record Result(
        String scenario,
        boolean quick,
        long count,
        double seconds,
        double throughputPerS,
        double p50Ms,
        double p95Ms,
        double p99Ms,
        double maxMs,
        long lost,
        long duplicates,
        Map<String, Long> rssMb,
        Map<String, Object> extra) {

    static Result of(
            String scenario,
            boolean quick,
            Latencies latencies,
            double seconds,
            long lost,
            long duplicates,
            Map<String, Long> rssMb,
            Map<String, Object> extra) {
        return new Result(
                scenario,
                quick,
                latencies.count(),
                seconds,
                seconds > 0 ? latencies.count() / seconds : 0,
                latencies.percentile(50),
                latencies.percentile(95),
                latencies.percentile(99),
                latencies.percentile(100),
                lost,
                duplicates,
                rssMb,
                extra);
    }

    /** The JSON object, with the field names the benchmark issue gives. */
    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("scenario", scenario);
        json.put("quick", quick);
        json.put("count", count);
        json.put("seconds", round(seconds));
        json.put("throughput_per_s", round(throughputPerS));
        json.put("p50_ms", round(p50Ms));
        json.put("p95_ms", round(p95Ms));
        json.put("p99_ms", round(p99Ms));
        json.put("max_ms", round(maxMs));
        json.put("lost", lost);
        json.put("duplicates", duplicates);
        json.put("rss_mb", rssMb);
        json.putAll(extra);
        return json;
    }

    static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
