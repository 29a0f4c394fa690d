package dev.driftless.sync.messaging;

import dev.driftless.events.CloudEventExtensions;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventType;
import dev.driftless.events.HealthChanged;
import dev.driftless.events.SyncReport;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Publishes what sync-service saw to {@code driftless.syncs}, keyed by application: sync reports and health changes.
 * Each call returns once the broker acknowledged the event.
 */
@ApplicationScoped
public class SyncPublisher {

    static final URI SOURCE = URI.create("urn:driftless:sync-service");

    @Inject
    @Channel("syncs")
    MutinyEmitter<String> syncs;

    /**
     * The most bytes of JSON a report may have, under the producer's {@code max.request.size} (1 MiB, set in
     * application.properties) with room for the headers: a bigger one is summarised, never failed for ever.
     */
    static final int MAX_REPORT_BYTES = 900 * 1024;

    /**
     * Publishes {@code sync.succeeded} or {@code sync.failed} for the render (or removal) event that caused it,
     * summarised if it would not fit the topic.
     */
    public void report(SyncReport full, String causeEventId, String repository) {
        SyncReport report = full.summarised(MAX_REPORT_BYTES);
        EventType type =
                SyncReport.SUCCEEDED.equals(report.status()) ? EventType.SYNC_SUCCEEDED : EventType.SYNC_FAILED;
        Map<String, String> extensions = new HashMap<>();
        extensions.put(CloudEventExtensions.APPLICATION, report.application());
        extensions.put(CloudEventExtensions.COMMIT, report.commit());
        if (repository != null) {
            extensions.put(CloudEventExtensions.REPOSITORY, repository);
        }
        Envelope envelope = new Envelope(
                type, Envelope.stableId("sync", causeEventId), report.application(), report.finishedAt(), extensions);
        syncs.sendMessageAndAwait(envelope.toMessage(report, report.application(), SOURCE));
        statuses.synced(report);
    }

    @jakarta.inject.Inject
    dev.driftless.sync.kube.ApplicationStatusWriter statuses;

    /** Publishes {@code drift.detected}. */
    public void driftDetected(dev.driftless.events.DriftDetected drift) {
        Map<String, String> extensions = new HashMap<>();
        extensions.put(CloudEventExtensions.APPLICATION, drift.application());
        extensions.put(CloudEventExtensions.COMMIT, drift.commit());
        Envelope envelope = new Envelope(
                EventType.DRIFT_DETECTED,
                Envelope.stableId(
                        "drift",
                        drift.application(),
                        drift.commit(),
                        drift.detectedAt().toString()),
                drift.application(),
                drift.detectedAt(),
                extensions);
        syncs.sendMessageAndAwait(envelope.toMessage(drift, drift.application(), SOURCE));
    }

    /** Publishes {@code health.changed}. */
    public void healthChanged(HealthChanged change) {
        Map<String, String> extensions = new HashMap<>();
        extensions.put(CloudEventExtensions.APPLICATION, change.application());
        extensions.put(CloudEventExtensions.COMMIT, change.commit());
        Envelope envelope = new Envelope(
                EventType.HEALTH_CHANGED,
                Envelope.stableId(
                        "health",
                        change.application(),
                        change.commit(),
                        change.current(),
                        change.changedAt().toString()),
                change.application(),
                change.changedAt(),
                extensions);
        syncs.sendMessageAndAwait(envelope.toMessage(change, change.application(), SOURCE));
        statuses.health(change);
    }
}
