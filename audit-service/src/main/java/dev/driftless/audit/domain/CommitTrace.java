package dev.driftless.audit.domain;

import dev.driftless.events.CommitPushed;
import dev.driftless.events.EventCodec;
import dev.driftless.events.EventType;
import dev.driftless.events.HealthChanged;
import dev.driftless.events.RenderFailed;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.SyncReport;
import java.time.Duration;
import java.time.Instant;
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
        Map<String, HealthChanged> healths = new TreeMap<>();
        Map<String, Instant> healthyAt = new TreeMap<>();
        for (StoredEvent event : events) {
            commit = commit == null ? event.commit() : commit;
            repository = repository == null ? event.repository() : repository;
            Record data = record(event);
            if (data instanceof CommitPushed push) {
                Instant received = push.receivedAt();
                List<String> paths = push.changedPaths();
                pushedPaths.addAll(paths);
                deliveries.add(new Delivery(
                        push.provider(),
                        push.deliveryId(),
                        push.ref(),
                        push.pusher(),
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
            } else if (data instanceof HealthChanged changed) {
                healths.put(event.application(), changed);
                if ("Healthy".equals(changed.current())) {
                    healthyAt.putIfAbsent(event.application(), changed.changedAt());
                }
            }
        }
        List<ApplicationTrace> applications = new ArrayList<>();
        for (var entry : renders.entrySet()) {
            String name = entry.getKey();
            Render render = render(entry.getValue(), pushedPaths);
            HealthChanged health = healths.get(name);
            String healthNow = health == null ? "Unknown" : health.current();
            Sync sync = sync(syncs.get(name), render, healthNow);
            Long leadTime = SUCCEEDED.equals(sync.status()) ? between(pushedAt, sync.at()) : null;
            applications.add(
                    new ApplicationTrace(name, render, sync, leadTime, between(pushedAt, healthyAt.get(name))));
        }
        return new CommitTrace(commit, repository, deliveries, applications);
    }

    private static Render render(StoredEvent render, Set<String> pushedPaths) {
        Record data = record(render);
        if (data instanceof RenderSucceeded r) {
            String prefix = r.path() == null || r.path().isEmpty() ? "" : r.path() + "/";
            return new Render(
                    SUCCEEDED,
                    null,
                    null,
                    r.digest(),
                    pushedPaths.stream().filter(p -> p.startsWith(prefix)).toList(),
                    r.durationMs(),
                    r.renderedAt());
        }
        if (data instanceof RenderFailed f) {
            return new Render(FAILED, f.reason(), f.message(), null, List.copyOf(pushedPaths), null, f.renderedAt());
        }
        return new Render(FAILED, null, null, null, List.of(), null, null);
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
        if (!(record(sync) instanceof SyncReport report)) {
            return new Sync(PENDING, null, null, List.of(), List.of(), health, null, null);
        }
        List<Resource> resources = new ArrayList<>();
        for (SyncReport.ResourceResult r : report.resources()) {
            resources.add(new Resource(r.kind(), r.namespace(), r.name(), r.action(), r.reason()));
        }
        Instant started = report.startedAt();
        Instant finished = report.finishedAt();
        return new Sync(
                report.status(),
                report.reason(),
                report.message(),
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

    /**
     * The event's data as its record in {@code events/}, decoded with the producers' codec (so the compiler checks the
     * fields read), or {@code null} for data that does not decode (an event of another version).
     */
    private static Record record(StoredEvent event) {
        try {
            return EventCodec.decode(event.type(), event.data().toString());
        } catch (RuntimeException e) {
            return null;
        }
    }
}
