package dev.driftless.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.events.SyncReport;
import dev.driftless.events.SyncReport.ResourceResult;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LastReportsTest {

    static SyncReport report(String application, String status, String message) {
        Instant started = Instant.parse("2026-12-01T05:00:00.123456789Z");
        return new SyncReport(
                application,
                "c".repeat(40),
                "sha256:" + "d".repeat(64),
                status,
                message == null ? null : "ApplyFailed",
                message,
                List.of(
                        new ResourceResult("apps/v1", "Deployment", application, "web", "configured", null, null, null),
                        new ResourceResult("v1", "Service", application, "web", "failed", "Invalid", message, null),
                        new ResourceResult(
                                "batch/v1", "Job", application, "migrate", "completed", null, null, "PreSync")),
                "render-event-1",
                started,
                started.plusMillis(41));
    }

    @Test
    void eachApplicationsLastReportIsReadBackAsItWasKept() {
        LastReports reports = new LastReports();
        SyncReport first = report("shop", SyncReport.SUCCEEDED, null);
        SyncReport other = report("billing", SyncReport.FAILED, "spec.ports[0].port: Invalid value: 0");

        reports.put(first);
        reports.put(other);

        assertThat(reports.get("shop")).contains(first);
        assertThat(reports.get("billing")).contains(other);
        assertThat(reports.applications()).containsExactlyInAnyOrder("shop", "billing");
    }

    @Test
    void aNewReportReplacesTheLastAndARemovedApplicationHasNone() {
        LastReports reports = new LastReports();
        reports.put(report("shop", SyncReport.FAILED, "the API server timed out"));
        SyncReport newer = report("shop", SyncReport.SUCCEEDED, null);

        reports.put(newer);
        assertThat(reports.get("shop")).contains(newer);
        assertThat(reports.has("shop")).isTrue();

        reports.remove("shop");
        assertThat(reports.get("shop")).isEmpty();
        assertThat(reports.has("shop")).isFalse();
        assertThat(reports.get("never-synced")).isEmpty();
    }

    @Test
    void nothingOfARealReportOutlivesItInThePackingsDictionary() {
        LastReports reports = new LastReports();
        reports.put(report("payroll-eu", SyncReport.FAILED, "admission webhook denied: quota-7731 exceeded"));

        String dictionary = new String(reports.dictionary(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(dictionary).contains("\"resources\"").doesNotContain("payroll-eu", "quota-7731", "render-event-1");
    }
}
