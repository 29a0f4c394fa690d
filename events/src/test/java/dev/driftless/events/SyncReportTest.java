package dev.driftless.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A sync report always fits its topic: a huge one is summarised, never failed for ever. */
class SyncReportTest {

    static SyncReport report(List<SyncReport.ResourceResult> resources, String message) {
        return new SyncReport(
                "big",
                "a".repeat(40),
                "sha256:" + "1".repeat(64),
                SyncReport.FAILED,
                "SyncPartiallyFailed",
                message,
                resources,
                "render-1",
                Instant.parse("2026-11-30T10:00:00Z"),
                Instant.parse("2026-11-30T10:00:05Z"));
    }

    static int bytes(SyncReport report) {
        return EventCodec.encode(report).getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void twentyThousandObjectsWithLongErrorsAreSummarisedToFitKeepingTheFailuresFirst() {
        List<SyncReport.ResourceResult> resources = IntStream.range(0, 20_000)
                .mapToObj(i -> new SyncReport.ResourceResult(
                        "v1",
                        "ConfigMap",
                        "big",
                        "cm-" + i,
                        i % 2 == 0 ? "created" : "failed",
                        i % 2 == 0 ? null : "ApplyInvalid",
                        i % 2 == 0 ? null : "x".repeat(200)))
                .toList();
        SyncReport full = report(resources, "10000 of 20000 object(s) failed; nothing was pruned");
        assertThat(bytes(full)).isGreaterThan(1024 * 1024);

        SyncReport summary = full.summarised(900 * 1024);

        assertThat(bytes(summary)).isLessThanOrEqualTo(900 * 1024);
        assertThat(summary.resources()).isNotEmpty().hasSizeLessThan(20_000);
        assertThat(summary.resources().subList(0, 10))
                .as("failures are listed first")
                .allSatisfy(r -> assertThat(r.action()).isEqualTo("failed"));
        assertThat(summary.message())
                .startsWith("10000 of 20000 object(s) failed")
                .contains((20_000 - summary.resources().size()) + " of 20000 objects not listed");
        assertThat(summary.status()).isEqualTo(SyncReport.FAILED);
        assertThat(summary.reason()).isEqualTo("SyncPartiallyFailed");
    }

    @Test
    void aReportThatFitsKeepsEveryObjectWithOnlyOverlongMessagesClipped() {
        SyncReport small = report(
                List.of(
                        new SyncReport.ResourceResult("v1", "ConfigMap", "big", "a", "created", null, null),
                        new SyncReport.ResourceResult(
                                "v1", "ConfigMap", "big", "b", "failed", "ApplyInvalid", "y".repeat(5_000))),
                "1 of 2 object(s) failed");

        SyncReport same = small.summarised(900 * 1024);

        assertThat(same.resources()).hasSize(2);
        assertThat(same.resources().get(1).message())
                .hasSize(SyncReport.MAX_OBJECT_MESSAGE)
                .endsWith("…");
        assertThat(same.message()).isEqualTo("1 of 2 object(s) failed");
    }
}
