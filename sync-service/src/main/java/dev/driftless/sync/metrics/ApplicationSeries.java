package dev.driftless.sync.metrics;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntSupplier;

/**
 * sync-service's series of each application, kept as one small row per application and shown to Prometheus by one
 * collector: {@code driftless_sync_health{application,health}} (1, tagged with its health now),
 * {@code driftless_sync_drifted_objects{application}}, {@code driftless_sync_drift_detected_total{application}} and
 * {@code driftless_sync_objects_total{action,application}}.
 *
 * <p>Why not a Micrometer meter per series: each costs about a kilobyte (registered twice, in the composite registry
 * and in Prometheus', each with its id, tags and maps); four an application were a third of sync-service's heap at
 * 3,000 applications. A row here is under 200 bytes. An application's series go when it is no longer followed here:
 * its health and objects series with {@link #forget}, its drift series with {@link #forgetDrift}.
 */
@ApplicationScoped
public class ApplicationSeries {

    /** The actions {@code driftless_sync_objects_total} counts, as sync reports name them ({@code completed}: a hook). */
    static final List<String> ACTIONS = List.of("created", "configured", "unchanged", "pruned", "failed", "completed");

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ApplicationSeries.class);

    @Inject
    PrometheusMeterRegistry prometheus;

    private final Map<String, Row> rows = new ConcurrentHashMap<>();
    private final java.util.Set<String> uncounted = ConcurrentHashMap.newKeySet();
    private final Exposition exposition = new Exposition();

    /** What is shown of one application; a field that is {@code null} shows no series. */
    private static final class Row {
        volatile String health;
        volatile IntSupplier drifted;
        final AtomicLong driftDetected = new AtomicLong();
        final AtomicLongArray objects = new AtomicLongArray(ACTIONS.size());

        boolean empty() {
            if (health != null || drifted != null) {
                return false;
            }
            for (int i = 0; i < objects.length(); i++) {
                if (objects.get(i) != 0) {
                    return false;
                }
            }
            return true;
        }
    }

    @PostConstruct
    void register() {
        prometheus.getPrometheusRegistry().register(exposition);
    }

    @PreDestroy
    void unregister() {
        prometheus.getPrometheusRegistry().unregister(exposition);
    }

    /**
     * Shows an application's health now ({@code driftless_sync_health}, one series), as {@code state} says under the
     * application's lock ({@code null}: none), so that of two threads showing a change the later shows the state now.
     */
    public void health(String application, java.util.function.Supplier<String> state) {
        update(application, row -> row.health = state.get());
    }

    /** No health or objects series for an application any longer: it is no longer followed here, or left the catalog. */
    public void forget(String application) {
        update(application, row -> {
            row.health = null;
            for (int i = 0; i < row.objects.length(); i++) {
                row.objects.set(i, 0);
            }
        });
    }

    /**
     * Shows an application's drift series: the objects that differ now, as {@code drifted} counts them when scraped,
     * and the count of comparisons that found drift (from 0 for an application not shown yet).
     */
    public void showDrift(String application, IntSupplier drifted) {
        update(application, row -> row.drifted = drifted);
    }

    /**
     * Counts a comparison of an application that found drift, if its drift series are shown (not once forgotten: a
     * series that came back then would never go).
     */
    public void driftDetected(String application) {
        update(application, row -> {
            if (row.drifted != null) {
                row.driftDetected.incrementAndGet();
            }
        });
    }

    /** No drift series for an application any longer. */
    public void forgetDrift(String application) {
        update(application, row -> {
            row.drifted = null;
            row.driftDetected.set(0);
        });
    }

    /**
     * Counts an object a sync of the application acted on ({@code action} as its sync report says; one not in
     * {@link #ACTIONS} is not counted, and said once: a metric never fails a sync).
     */
    public void applied(String application, String action) {
        int index = ACTIONS.indexOf(action);
        if (index < 0) {
            if (uncounted.add(action)) {
                LOG.warnf("objects a sync %s are not counted in driftless_sync_objects_total", action);
            }
            return;
        }
        update(application, row -> row.objects.incrementAndGet(index));
    }

    /**
     * Changes an application's row under its map entry's lock, so that a row found empty is removed only when no
     * change to it is under way (one set after its removal would never be shown).
     */
    private void update(String application, java.util.function.Consumer<Row> change) {
        rows.compute(application, (app, row) -> {
            Row changed = row == null ? new Row() : row;
            change.accept(changed);
            return changed.empty() ? null : changed;
        });
    }

    /** The collector Prometheus' registry scrapes. */
    io.prometheus.client.Collector exposition() {
        return exposition;
    }

    /** The applications that have a row, for tests. */
    int shown() {
        return rows.size();
    }

    /** The collector Prometheus' registry scrapes: every row's series, built at each scrape. */
    final class Exposition extends Collector {
        @Override
        public List<MetricFamilySamples> collect() {
            GaugeMetricFamily health = new GaugeMetricFamily(
                    "driftless_sync_health",
                    "1 for the application's health state now (one series per application)",
                    List.of("application", "health"));
            GaugeMetricFamily drifted = new GaugeMetricFamily(
                    "driftless_sync_drifted_objects",
                    "Objects of the application that differ from Git at the last comparison",
                    List.of("application"));
            CounterMetricFamily detected = new CounterMetricFamily(
                    "driftless_sync_drift_detected",
                    "Comparisons of the application with the cluster that found drift",
                    List.of("application"));
            CounterMetricFamily objects = new CounterMetricFamily(
                    "driftless_sync_objects",
                    "Objects a sync acted on, by what it did",
                    List.of("action", "application"));
            rows.forEach((application, row) -> {
                String state = row.health;
                if (state != null) {
                    health.addMetric(List.of(application, state), 1);
                }
                IntSupplier count = row.drifted;
                if (count != null) {
                    drifted.addMetric(List.of(application), count.getAsInt());
                    detected.addMetric(List.of(application), row.driftDetected.get());
                }
                for (int i = 0; i < ACTIONS.size(); i++) {
                    long n = row.objects.get(i);
                    if (n > 0) {
                        objects.addMetric(List.of(ACTIONS.get(i), application), n);
                    }
                }
            });
            return List.of(health, drifted, detected, objects);
        }
    }
}
