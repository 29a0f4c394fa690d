package dev.driftless.audit.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.driftless.events.EventType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A commit's story, from the change log: who pushed it and through which deliveries, and for each application what
 * was rendered and what was applied. Built from the events alone; pure.
 *
 * @param commit the full commit SHA
 * @param repository the repository it belongs to
 * @param deliveries the webhook deliveries that announced it
 * @param applications each application that rendered it, by name
 */
public record CommitTrace(
        String commit, String repository, List<Delivery> deliveries, List<ApplicationTrace> applications) {

    /** Render and sync status: {@code Succeeded}, {@code Failed} or {@code Pending}. */
    public static final String SUCCEEDED = "Succeeded";

    public static final String FAILED = "Failed";
    public static final String PENDING = "Pending";

    /** One webhook delivery of the push. */
    public record Delivery(String provider, String deliveryId, String ref, String pusher, Instant receivedAt) {}

    /** One application at this commit. */
    public record ApplicationTrace(String name, Render render, Sync sync, Long leadTimeMs) {}

    /** The render of the application at this commit. */
    public record Render(String status, String reason, String message, String digest, Long durationMs, Instant at) {}

    /** The sync of that render. */
    public record Sync(String status, String reason, String message, List<Resource> resources, Instant at) {}

    /** What the sync did to one object. */
    public record Resource(String kind, String namespace, String name, String action, String reason) {}

    /** Builds the trace from every event that names the commit, in log order; empty events give no trace. */
    public static CommitTrace of(List<StoredEvent> events) {
        String commit = null;
        String repository = null;
        List<Delivery> deliveries = new ArrayList<>();
        Instant pushedAt = null;
        Map<String, StoredEvent> renders = new TreeMap<>();
        Map<String, StoredEvent> syncs = new TreeMap<>();
        for (StoredEvent event : events) {
            commit = commit == null ? event.commit() : commit;
            repository = repository == null ? event.repository() : repository;
            JsonNode data = event.data();
            if (EventType.COMMIT_PUSHED.type().equals(event.type())) {
                Instant received = instant(data, "receivedAt");
                deliveries.add(new Delivery(
                        text(data, "provider"),
                        text(data, "deliveryId"),
                        text(data, "ref"),
                        text(data, "pusher"),
                        received));
                if (received != null && (pushedAt == null || received.isBefore(pushedAt))) {
                    pushedAt = received;
                }
            } else if (isRender(event.type()) && event.application() != null) {
                renders.put(event.application(), event);
            } else if (isSync(event.type()) && event.application() != null) {
                syncs.put(event.application(), event);
            }
        }
        List<ApplicationTrace> applications = new ArrayList<>();
        for (var entry : renders.entrySet()) {
            StoredEvent render = entry.getValue();
            boolean rendered = EventType.RENDER_SUCCEEDED.type().equals(render.type());
            Render renderView = new Render(
                    rendered ? SUCCEEDED : FAILED,
                    text(render.data(), "reason"),
                    text(render.data(), "message"),
                    text(render.data(), "digest"),
                    render.data().hasNonNull("durationMs")
                            ? render.data().get("durationMs").asLong()
                            : null,
                    instant(render.data(), "renderedAt"));
            StoredEvent sync = syncs.get(entry.getKey());
            Sync syncView;
            Long leadTime = null;
            if (sync != null) {
                List<Resource> resources = new ArrayList<>();
                for (JsonNode r : sync.data().path("resources")) {
                    resources.add(new Resource(
                            text(r, "kind"),
                            text(r, "namespace"),
                            text(r, "name"),
                            text(r, "action"),
                            text(r, "reason")));
                }
                Instant finished = instant(sync.data(), "finishedAt");
                syncView = new Sync(
                        text(sync.data(), "status"),
                        text(sync.data(), "reason"),
                        text(sync.data(), "message"),
                        resources,
                        finished);
                if (SUCCEEDED.equals(syncView.status()) && pushedAt != null && finished != null) {
                    leadTime = Duration.between(pushedAt, finished).toMillis();
                }
            } else if (rendered) {
                syncView = new Sync(PENDING, null, null, List.of(), null);
            } else {
                syncView = new Sync(FAILED, "RenderFailed", "not synced: the render failed", List.of(), null);
            }
            applications.add(new ApplicationTrace(entry.getKey(), renderView, syncView, leadTime));
        }
        return new CommitTrace(commit, repository, deliveries, applications);
    }

    private static boolean isRender(String type) {
        return EventType.RENDER_SUCCEEDED.type().equals(type)
                || EventType.RENDER_FAILED.type().equals(type);
    }

    private static boolean isSync(String type) {
        return EventType.SYNC_SUCCEEDED.type().equals(type)
                || EventType.SYNC_FAILED.type().equals(type);
    }

    private static String text(JsonNode data, String field) {
        JsonNode value = data == null ? null : data.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Instant instant(JsonNode data, String field) {
        String value = text(data, field);
        try {
            return value == null ? null : Instant.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }
}
