package dev.driftless.sync.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventCodec;
import dev.driftless.events.EventType;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Target;
import dev.driftless.events.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Drives sync-service from the outside as render-service would: publishes a render of an application at a fresh
 * commit and waits for the sync report of that commit, checking its CloudEvent type matches its status.
 */
final class RenderDriver {

    private RenderDriver() {}

    /** Whether a record on the syncs topic is a sync report (not a health change or drift). */
    static boolean isReport(EventProbe.Received record) {
        return EventType.SYNC_SUCCEEDED.type().equals(record.ce("type"))
                || EventType.SYNC_FAILED.type().equals(record.ce("type"));
    }

    /** render-service's signing key in tests: sync-service trusts its public half (application.properties, %test). */
    static final dev.driftless.events.EventSignatures.Signer RENDER_SERVICE = signer("render-signing.pem");

    static dev.driftless.events.EventSignatures.Signer signer(String file) {
        try {
            return dev.driftless.events.EventSignatures.Signer.read(
                    java.nio.file.Path.of("src/test/resources/signing").resolve(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static SyncReport syncThrough(
            EventProbe probe, String app, List<Map<String, Object>> manifests, Target target, Duration wait) {
        return syncThrough(probe, app, manifests, target, Instant.now(), wait);
    }

    /** Sends a render made at {@code renderedAt}, signed as render-service signs, without waiting; returns its commit. */
    static String send(
            EventProbe probe, String app, List<Map<String, Object>> manifests, Target target, Instant renderedAt) {
        return send(probe, app, manifests, target, renderedAt, RENDER_SERVICE);
    }

    /** Sends a render signed by {@code signer} (unsigned when {@code null}) without waiting; returns its commit. */
    static String send(
            EventProbe probe,
            String app,
            List<Map<String, Object>> manifests,
            Target target,
            Instant renderedAt,
            dev.driftless.events.EventSignatures.Signer signer) {
        return send(probe, app, manifests, target, renderedAt, signer, null);
    }

    /** Sends a render someone asked for by name ({@code requestedBy}; {@code null}: a push's) without waiting. */
    static String send(
            EventProbe probe,
            String app,
            List<Map<String, Object>> manifests,
            Target target,
            Instant renderedAt,
            dev.driftless.events.EventSignatures.Signer signer,
            String requestedBy) {
        return send(probe, app, manifests, target, renderedAt, signer, requestedBy, null);
    }

    /** Sends a render of an application an Application resource in namespace {@code declaredIn} declares. */
    static String send(
            EventProbe probe,
            String app,
            List<Map<String, Object>> manifests,
            Target target,
            Instant renderedAt,
            dev.driftless.events.EventSignatures.Signer signer,
            String requestedBy,
            String declaredIn) {
        String commit = UUID.randomUUID().toString().replace("-", "") + "01234567";
        RenderSucceeded render = new RenderSucceeded(
                app,
                "https://h/r",
                "refs/heads/main",
                commit,
                "apps/" + app,
                "sha256:" + "1".repeat(64),
                manifests,
                target,
                "push",
                renderedAt,
                3,
                null,
                requestedBy,
                declaredIn);
        probe.send(
                new Envelope(
                        EventType.RENDER_SUCCEEDED,
                        UUID.randomUUID().toString(),
                        app,
                        Instant.now(),
                        Map.of("commit", commit)),
                render,
                app,
                "urn:test",
                signer);
        return commit;
    }

    static SyncReport syncThrough(
            EventProbe probe,
            String app,
            List<Map<String, Object>> manifests,
            Target target,
            Instant renderedAt,
            Duration wait) {
        String commit = send(probe, app, manifests, target, renderedAt);
        List<EventProbe.Received> found = probe.read(
                Topics.SYNCS, r -> app.equals(r.key()) && commit.equals(r.ce("commit")) && isReport(r), 1, wait);
        assertThat(found).as("a sync report for %s at %s", app, commit).hasSize(1);
        SyncReport report = EventCodec.decode(SyncReport.class, found.get(0).value());
        assertThat(found.get(0).ce("type"))
                .isEqualTo(
                        report.status().equals(SyncReport.SUCCEEDED)
                                ? EventType.SYNC_SUCCEEDED.type()
                                : EventType.SYNC_FAILED.type());
        return report;
    }
}
