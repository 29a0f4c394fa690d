package dev.driftless.sync;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.driftless.events.EventCodec;
import dev.driftless.events.SyncReport;
import dev.driftless.sync.kube.CompactJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last sync report of each application this replica follows, kept packed ({@link CompactJson}, its dictionary
 * learnt from a made-up report of the usual shape): the status API reads one now and then, and thousands of them as records of strings
 * were the largest share of sync-service's memory per application after the watch's caches (a report of four objects
 * about 0.6 kB as objects, under 0.2 kB packed). Thread-safe.
 */
final class LastReports {

    /**
     * What the dictionary is learnt from: a made-up report of the usual shape, so that nothing of a real one (an
     * application's name, an error message) outlives it in the dictionary.
     */
    private static final SyncReport SHAPE = new SyncReport(
            "application",
            "0123456789abcdef0123456789abcdef01234567",
            "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            SyncReport.SUCCEEDED,
            null,
            null,
            java.util.List.of(
                    new SyncReport.ResourceResult(
                            "apps/v1", "Deployment", "default", "web", "created", null, null, null),
                    new SyncReport.ResourceResult("v1", "Service", "default", "web", "configured", null, null, null),
                    new SyncReport.ResourceResult("v1", "ConfigMap", "default", "web", "unchanged", null, null, null),
                    new SyncReport.ResourceResult(
                            "networking.k8s.io/v1",
                            "Ingress",
                            "default",
                            "web",
                            "failed",
                            "Forbidden",
                            "denied",
                            null)),
            "00000000-0000-0000-0000-000000000000",
            java.time.Instant.parse("2026-01-01T00:00:00.000000001Z"),
            java.time.Instant.parse("2026-01-01T00:00:00.000000002Z"));

    private final CompactJson packer = new CompactJson();
    private final Map<String, byte[]> reports = new ConcurrentHashMap<>();

    LastReports() {
        try {
            packer.pack(EventCodec.mapper().writeValueAsBytes(SHAPE)); // learns the dictionary
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the shape of a sync report", e);
        }
    }

    /** Keeps the report as its application's last. */
    void put(SyncReport report) {
        try {
            reports.put(report.application(), packer.pack(EventCodec.mapper().writeValueAsBytes(report)));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot keep the report of " + report.application(), e);
        }
    }

    /** The application's last report, read back; empty when it has none here. */
    Optional<SyncReport> get(String application) {
        byte[] packed = reports.get(application);
        if (packed == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(EventCodec.mapper().readValue(packer.unpack(packed), SyncReport.class));
        } catch (IOException e) {
            throw new UncheckedIOException("the last report of " + application + " cannot be read", e);
        }
    }

    /** Whether the application has a report here. */
    boolean has(String application) {
        return reports.containsKey(application);
    }

    /** The applications with a report here. */
    Set<String> applications() {
        return reports.keySet();
    }

    /** What the packing's dictionary holds (to check that nothing of a real report does). */
    byte[] dictionary() {
        return packer.dictionary();
    }

    /** Forgets the application's report. */
    void remove(String application) {
        reports.remove(application);
    }
}
