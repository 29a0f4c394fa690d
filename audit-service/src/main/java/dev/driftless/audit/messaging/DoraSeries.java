package dev.driftless.audit.messaging;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The DORA series of every application, as Prometheus scrapes them: {@code driftless_audit_deployments_total
 * {application,outcome}} and the histograms {@code driftless_audit_lead_time_seconds},
 * {@code driftless_audit_healthy_lead_time_seconds} and {@code driftless_audit_restore_time_seconds} (by
 * {@code application}: {@code _bucket{le}}, {@code _count}, {@code _sum}), kept as one small row per application.
 *
 * <p>Why not Micrometer timers: three timers and two counters an application, each registered twice (the composite
 * registry and Prometheus') with a histogram ring per timer, were ~6 kB an application, most of audit-service's heap at
 * 10,000 applications. A row here is about 600 bytes. Each histogram has the fixed bounds of {@link #BOUNDS} up to
 * its measure's largest ({@code +Inf} beyond).
 */
final class DoraSeries extends Collector {

    /** The measures with a histogram per application. */
    enum Measure {
        LEAD_TIME("driftless_audit_lead_time_seconds", "Push received to synced", Duration.ofHours(1)),
        HEALTHY_LEAD_TIME(
                "driftless_audit_healthy_lead_time_seconds",
                "Push received to the application first reported Healthy at that commit",
                Duration.ofHours(1)),
        RESTORE_TIME(
                "driftless_audit_restore_time_seconds",
                "First failure to the next successful sync",
                Duration.ofDays(1));

        final String name;
        final String help;
        /** Its bounds, in seconds. */
        final double[] bounds;

        Measure(String name, String help, Duration max) {
            this.name = name;
            this.help = help;
            this.bounds = BOUNDS.stream()
                    .filter(bound -> bound.compareTo(max) <= 0)
                    .mapToDouble(bound -> bound.toNanos() / 1e9)
                    .toArray();
        }
    }

    /**
     * The bucket bounds of the lead-time and restore histograms: sixteen, not Micrometer's ~70 of a percentile
     * histogram. These are per application, so each bound is a series per application; DORA's questions (seconds,
     * minutes, an hour, a day) need no finer steps.
     */
    static final List<Duration> BOUNDS = List.of(
            Duration.ofMillis(100),
            Duration.ofMillis(250),
            Duration.ofMillis(500),
            Duration.ofSeconds(1),
            Duration.ofMillis(2500),
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            Duration.ofMinutes(1),
            Duration.ofMinutes(2),
            Duration.ofMinutes(5),
            Duration.ofMinutes(10),
            Duration.ofMinutes(30),
            Duration.ofHours(1),
            Duration.ofHours(6),
            Duration.ofDays(1));

    /** One histogram: a count per bucket (the last is {@code +Inf}), and the sum of the samples in seconds. */
    private static final class Histogram {
        private final long[] buckets;
        private double sum;

        Histogram(Measure measure) {
            buckets = new long[measure.bounds.length + 1];
        }

        synchronized void record(double[] bounds, double seconds) {
            int bucket = 0;
            while (bucket < bounds.length && seconds > bounds[bucket]) {
                bucket++;
            }
            buckets[bucket]++;
            sum += seconds;
        }

        /** The counts per bucket and the sum, of the same samples. */
        synchronized Snapshot snapshot() {
            return new Snapshot(buckets.clone(), sum);
        }
    }

    /** What a histogram held at one moment. */
    private record Snapshot(long[] counts, double sum) {}

    /** One application's series. */
    private static final class Row {
        final AtomicLong succeeded = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final Histogram[] histograms = new Histogram[Measure.values().length];

        Row() {
            for (Measure measure : Measure.values()) {
                histograms[measure.ordinal()] = new Histogram(measure);
            }
        }
    }

    private final Map<String, Row> rows = new ConcurrentHashMap<>();

    private Row row(String application) {
        return rows.computeIfAbsent(application, app -> new Row());
    }

    /** Shows an application's histograms, empty, if they are not shown yet. */
    void show(String application) {
        row(application);
    }

    /** Counts a deployment of the application ({@code outcome="succeeded"}) or a failure ({@code "failed"}). */
    void deployment(String application, boolean succeeded) {
        (succeeded ? row(application).succeeded : row(application).failed).incrementAndGet();
    }

    /** Records a sample of a measure of the application; a negative one (events out of order) is not, as in Micrometer. */
    void record(String application, Measure measure, Duration sample) {
        if (sample.isNegative()) {
            return;
        }
        row(application).histograms[measure.ordinal()].record(measure.bounds, sample.toNanos() / 1e9);
    }

    @Override
    public List<MetricFamilySamples> collect() {
        CounterMetricFamily deployments = new CounterMetricFamily(
                "driftless_audit_deployments",
                "Deployments (a successful sync of a new commit) and failures (a failed sync or health gone Degraded)",
                List.of("application", "outcome"));
        List<List<MetricFamilySamples.Sample>> samples = new ArrayList<>();
        for (int i = 0; i < Measure.values().length; i++) {
            samples.add(new ArrayList<>());
        }
        rows.forEach((application, row) -> {
            // as counters that come with their first count
            long succeeded = row.succeeded.get();
            if (succeeded > 0) {
                deployments.addMetric(List.of(application, "succeeded"), succeeded);
            }
            long failed = row.failed.get();
            if (failed > 0) {
                deployments.addMetric(List.of(application, "failed"), failed);
            }
            for (Measure measure : Measure.values()) {
                Snapshot now = row.histograms[measure.ordinal()].snapshot();
                addHistogram(samples.get(measure.ordinal()), measure, application, now.counts(), now.sum());
            }
        });
        List<MetricFamilySamples> families = new ArrayList<>();
        families.add(deployments);
        for (Measure measure : Measure.values()) {
            families.add(new MetricFamilySamples(
                    measure.name, Type.HISTOGRAM, measure.help, samples.get(measure.ordinal())));
        }
        return families;
    }

    private static void addHistogram(
            List<MetricFamilySamples.Sample> into, Measure measure, String application, long[] counts, double sum) {
        List<String> labels = List.of("application", "le");
        long cumulative = 0;
        for (int i = 0; i < counts.length; i++) {
            cumulative += counts[i];
            String bound = i < measure.bounds.length ? doubleToGoString(measure.bounds[i]) : "+Inf";
            into.add(new MetricFamilySamples.Sample(
                    measure.name + "_bucket", labels, List.of(application, bound), cumulative));
        }
        List<String> application1 = List.of("application");
        into.add(new MetricFamilySamples.Sample(
                measure.name + "_count", application1, List.of(application), cumulative));
        into.add(new MetricFamilySamples.Sample(measure.name + "_sum", application1, List.of(application), sum));
    }
}
