package dev.driftless.audit.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.driftless.events.EventType;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A commit's story, from the change log: who pushed it and through which deliveries, and for each application what
 * was rendered, what was applied, how healthy it became, and how long it took from the push. Built from the events
 * alone; pure.
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

    /**
     * One webhook delivery of the push; {@code traceId} is the OpenTelemetry trace that follows it through the
     * services ({@code null} when the event carried no {@code traceparent}).
     */
    public record Delivery(
            String provider,
            String deliveryId,
            String ref,
            String pusher,
            Instant receivedAt,
            List<String> changedPaths,
            String traceId) {}

    /**
     * One application at this commit.
     *
     * @param leadTimeMs push received → synced
     * @param leadTimeToHealthyMs push received → reported Healthy, once it was
     */
    public record ApplicationTrace(String name, Render render, Sync sync, Long leadTimeMs, Long leadTimeToHealthyMs) {}

    /** The render of the application at this commit; {@code changedPaths} are the pushed paths under its path. */
    public record Render(
            String status,
            String reason,
            String message,
            String digest,
            List<String> changedPaths,
            Long durationMs,
            Instant at) {}

    /** The sync of that render, and the application's health after it ({@code Unknown} until reported). */
    public record Sync(
            String status,
            String reason,
            String message,
            List<Resource> resources,
            List<Resource> pruned,
            String health,
            Long durationMs,
            Instant at) {}

    /** What the sync did to one object. */
    public record Resource(String kind, String namespace, String name, String action, String reason) {}

    /** Builds the trace from every event that names the commit, in log order; no events give no trace. */
    public static CommitTrace of(List<StoredEvent> events) {
        String commit = null;
        String repository = null;
        List<Delivery> deliveries = new ArrayList<>();
        Set<String> pushedPaths = new LinkedHashSet<>();
        Instant pushedAt = null;
        Map<String, StoredEvent> renders = new TreeMap<>();
        Map<String, StoredEvent> syncs = new TreeMap<>();
        Map<String, StoredEvent> healths = new TreeMap<>();
        Map<String, Instant> healthyAt = new TreeMap<>();
        for (StoredEvent event : events) {
            commit = commit == null ? event.commit() : commit;
            repository = repository == null ? event.repository() : repository;
            JsonNode data = event.data();
            if (EventType.COMMIT_PUSHED.type().equals(event.type())) {
                Instant received = instant(data, "receivedAt");
                List<String> paths = texts(data.path("changedPaths"));
                pushedPaths.addAll(paths);
                deliveries.add(new Delivery(
                        text(data, "provider"),
                        text(data, "deliveryId"),
                        text(data, "ref"),
                        text(data, "pusher"),
                        received,
                        paths,
                        event.traceId()));
                if (received != null && (pushedAt == null || received.isBefore(pushedAt))) {
                    pushedAt = received;
                }
            } else if (event.application() == null) {
                continue;
            } else if (isRender(event.type())) {
                renders.put(event.application(), event);
            } else if (isSync(event.type())) {
                syncs.put(event.application(), event);
            } else if (EventType.HEALTH_CHANGED.type().equals(event.type())) {
                healths.put(event.application(), event);
                if ("Healthy".equals(text(data, "current"))) {
                    healthyAt.putIfAbsent(event.application(), instant(data, "changedAt"));
                }
            }
        }
        List<ApplicationTrace> applications = new ArrayList<>();
        for (var entry : renders.entrySet()) {
            String name = entry.getKey();
            Render render = render(entry.getValue(), pushedPaths);
            StoredEvent health = healths.get(name);
            String healthNow = health == null ? "Unknown" : text(health.data(), "current");
            Sync sync = sync(syncs.get(name), render, healthNow);
            Long leadTime = SUCCEEDED.equals(sync.status()) ? between(pushedAt, sync.at()) : null;
            applications.add(
                    new ApplicationTrace(name, render, sync, leadTime, between(pushedAt, healthyAt.get(name))));
        }
        return new CommitTrace(commit, repository, deliveries, applications);
    }

    private static Render render(StoredEvent render, Set<String> pushedPaths) {
        JsonNode data = render.data();
        boolean rendered = EventType.RENDER_SUCCEEDED.type().equals(render.type());
        String path = text(data, "path");
        String prefix = path == null || path.isEmpty() ? "" : path + "/";
        return new Render(
                rendered ? SUCCEEDED : FAILED,
                text(data, "reason"),
                text(data, "message"),
                text(data, "digest"),
                pushedPaths.stream().filter(p -> p.startsWith(prefix)).toList(),
                data.hasNonNull("durationMs") ? data.get("durationMs").asLong() : null,
                instant(data, "renderedAt"));
    }

    private static Sync sync(StoredEvent sync, Render render, String health) {
        if (sync == null) {
            return SUCCEEDED.equals(render.status())
                    ? new Sync(PENDING, null, null, List.of(), List.of(), health, null, null)
                    : new Sync(
                            FAILED,
                            "RenderFailed",
                            "not synced: the render failed",
                            List.of(),
                            List.of(),
                            health,
                            null,
                            null);
        }
        JsonNode data = sync.data();
        List<Resource> resources = new ArrayList<>();
        for (JsonNode r : data.path("resources")) {
            resources.add(new Resource(
                    text(r, "kind"), text(r, "namespace"), text(r, "name"), text(r, "action"), text(r, "reason")));
        }
        Instant started = instant(data, "startedAt");
        Instant finished = instant(data, "finishedAt");
        return new Sync(
                text(data, "status"),
                text(data, "reason"),
                text(data, "message"),
                resources,
                resources.stream().filter(r -> "pruned".equals(r.action())).toList(),
                health,
                between(started, finished),
                finished);
    }

    private static Long between(Instant from, Instant to) {
        return from == null || to == null || to.isBefore(from)
                ? null
                : Duration.between(from, to).toMillis();
    }

    private static boolean isRender(String type) {
        return EventType.RENDER_SUCCEEDED.type().equals(type)
                || EventType.RENDER_FAILED.type().equals(type);
    }

    private static boolean isSync(String type) {
        return EventType.SYNC_SUCCEEDED.type().equals(type)
                || EventType.SYNC_FAILED.type().equals(type);
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private static String text(JsonNode data, String field) {
        JsonNode value = data == null ? null : data.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Instant instant(JsonNode data, String field) {
        String value = text(data, field);
        try {
            return value == null ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
