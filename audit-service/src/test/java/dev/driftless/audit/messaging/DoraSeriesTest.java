package dev.driftless.audit.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DORA histograms as Prometheus reads them: cumulative buckets with inclusive bounds, each measure's range. */
class DoraSeriesTest {

    private final DoraSeries series = new DoraSeries();

    private List<String> scraped(String prefix) throws Exception {
        CollectorRegistry registry = new CollectorRegistry();
        registry.register(series);
        StringWriter text = new StringWriter();
        TextFormat.write004(text, registry.metricFamilySamples());
        return text.toString().lines().filter(l -> l.startsWith(prefix)).toList();
    }

    @Test
    void aSampleOnABoundCountsInItsBucketAndEveryBucketAbove() throws Exception {
        series.record("shop", DoraSeries.Measure.LEAD_TIME, Duration.ofSeconds(1));
        series.record("shop", DoraSeries.Measure.LEAD_TIME, Duration.ofHours(2));

        List<String> buckets = scraped("driftless_audit_lead_time_seconds_bucket");
        assertThat(buckets)
                .as("bounds to 1 h, then +Inf")
                .hasSize(15)
                .contains(
                        "driftless_audit_lead_time_seconds_bucket{application=\"shop\",le=\"0.5\",} 0.0",
                        "driftless_audit_lead_time_seconds_bucket{application=\"shop\",le=\"1.0\",} 1.0",
                        "driftless_audit_lead_time_seconds_bucket{application=\"shop\",le=\"3600.0\",} 1.0",
                        "driftless_audit_lead_time_seconds_bucket{application=\"shop\",le=\"+Inf\",} 2.0");
        assertThat(scraped("driftless_audit_lead_time_seconds_count"))
                .containsExactly("driftless_audit_lead_time_seconds_count{application=\"shop\",} 2.0");
        assertThat(scraped("driftless_audit_lead_time_seconds_sum"))
                .containsExactly("driftless_audit_lead_time_seconds_sum{application=\"shop\",} 7201.0");
    }

    @Test
    void restoresReachADayAndShownApplicationsStartEmpty() throws Exception {
        series.show("blog");
        series.record("shop", DoraSeries.Measure.RESTORE_TIME, Duration.ofHours(2));
        series.record("shop", DoraSeries.Measure.RESTORE_TIME, Duration.ofSeconds(-5)); // events out of order: none

        assertThat(scraped("driftless_audit_restore_time_seconds_bucket{application=\"shop\""))
                .hasSize(17)
                .contains(
                        "driftless_audit_restore_time_seconds_bucket{application=\"shop\",le=\"3600.0\",} 0.0",
                        "driftless_audit_restore_time_seconds_bucket{application=\"shop\",le=\"21600.0\",} 1.0");
        assertThat(scraped("driftless_audit_restore_time_seconds_count{application=\"shop\""))
                .containsExactly("driftless_audit_restore_time_seconds_count{application=\"shop\",} 1.0");
        assertThat(scraped("driftless_audit_healthy_lead_time_seconds_count"))
                .containsExactlyInAnyOrder(
                        "driftless_audit_healthy_lead_time_seconds_count{application=\"blog\",} 0.0",
                        "driftless_audit_healthy_lead_time_seconds_count{application=\"shop\",} 0.0");
        assertThat(scraped("driftless_audit_deployments_total"))
                .as("no deployment counted yet")
                .isEmpty();

        series.deployment("shop", true);
        series.deployment("shop", false);
        series.deployment("shop", false);
        assertThat(scraped("driftless_audit_deployments_total"))
                .containsExactlyInAnyOrder(
                        "driftless_audit_deployments_total{application=\"shop\",outcome=\"succeeded\",} 1.0",
                        "driftless_audit_deployments_total{application=\"shop\",outcome=\"failed\",} 2.0");
    }
}
