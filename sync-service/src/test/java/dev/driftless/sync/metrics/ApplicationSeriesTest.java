package dev.driftless.sync.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What Prometheus scrapes of each application's series, and that they go when the application does. */
class ApplicationSeriesTest {

    private final ApplicationSeries series = new ApplicationSeries();

    /** The scrape's sample lines of {@code metric} (no HELP or TYPE). */
    private List<String> scraped(String metric) throws Exception {
        CollectorRegistry registry = new CollectorRegistry();
        registry.register(series.exposition());
        StringWriter text = new StringWriter();
        TextFormat.write004(text, registry.metricFamilySamples());
        return text.toString().lines().filter(l -> l.startsWith(metric + "{")).toList();
    }

    @Test
    void healthIsOneSeriesTaggedWithTheStateNow() throws Exception {
        series.health("shop", () -> "Progressing");
        series.health("shop", () -> "Healthy");
        series.health("blog", () -> "Degraded");

        assertThat(scraped("driftless_sync_health"))
                .containsExactlyInAnyOrder(
                        "driftless_sync_health{application=\"shop\",health=\"Healthy\",} 1.0",
                        "driftless_sync_health{application=\"blog\",health=\"Degraded\",} 1.0");
    }

    @Test
    void objectsAreCountedByActionAndGoWithTheApplication() throws Exception {
        series.applied("shop", "created");
        series.applied("shop", "created");
        series.applied("shop", "pruned");
        series.health("shop", () -> "Healthy");

        assertThat(scraped("driftless_sync_objects_total"))
                .containsExactlyInAnyOrder(
                        "driftless_sync_objects_total{action=\"created\",application=\"shop\",} 2.0",
                        "driftless_sync_objects_total{action=\"pruned\",application=\"shop\",} 1.0");
        series.applied("shop", "exploded");
        series.applied("shop", "completed");
        assertThat(scraped("driftless_sync_objects_total"))
                .as("a hook that ran counts; an action no report has does not, and fails nothing")
                .hasSize(3)
                .contains("driftless_sync_objects_total{action=\"completed\",application=\"shop\",} 1.0");

        series.forget("shop");
        assertThat(scraped("driftless_sync_health")).isEmpty();
        assertThat(scraped("driftless_sync_objects_total")).isEmpty();
        assertThat(series.shown()).as("rows kept").isZero();
    }

    @Test
    void driftSeriesAreReadWhenScrapedAndNeverComeBackOnceForgotten() throws Exception {
        AtomicInteger drifted = new AtomicInteger();
        series.showDrift("shop", drifted::get);
        series.health("shop", () -> "Healthy");
        drifted.set(3);
        series.driftDetected("shop");
        series.driftDetected("shop");

        assertThat(scraped("driftless_sync_drifted_objects"))
                .containsExactly("driftless_sync_drifted_objects{application=\"shop\",} 3.0");
        assertThat(scraped("driftless_sync_drift_detected_total"))
                .containsExactly("driftless_sync_drift_detected_total{application=\"shop\",} 2.0");

        series.forgetDrift("shop");
        series.driftDetected("shop");
        assertThat(scraped("driftless_sync_drifted_objects")).isEmpty();
        assertThat(scraped("driftless_sync_drift_detected_total")).isEmpty();
        assertThat(scraped("driftless_sync_health"))
                .as("its health is still followed")
                .hasSize(1);

        series.forget("shop");
        series.driftDetected("shop");
        assertThat(series.shown()).as("rows kept").isZero();
    }

    @Test
    void anApplicationNoLongerFollowedShowsNoHealth() throws Exception {
        series.health("shop", () -> "Healthy");
        series.health("shop", () -> null);

        assertThat(scraped("driftless_sync_health")).isEmpty();
        assertThat(series.shown()).isZero();
    }
}
