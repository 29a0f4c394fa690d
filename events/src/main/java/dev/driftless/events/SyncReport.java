package dev.driftless.events;

import java.time.Instant;
import java.util.List;

/**
 * The outcome of applying one rendered bundle to the cluster; the data of both {@code sync.succeeded} and
 * {@code sync.failed}.
 *
 * @param application application name
 * @param commit the commit the bundle was rendered from
 * @param digest the bundle digest
 * @param status {@code Succeeded} or {@code Failed}
 * @param reason a stable reason word when failed, otherwise {@code null}
 * @param message what went wrong, for people; {@code null} when it succeeded
 * @param resources what happened to each object, pruned ones included
 * @param triggeredBy CloudEvent id of the render this sync applied
 * @param startedAt when applying started
 * @param finishedAt when applying finished
 */
public record SyncReport(
        String application,
        String commit,
        String digest,
        String status,
        String reason,
        String message,
        List<ResourceResult> resources,
        String triggeredBy,
        Instant startedAt,
        Instant finishedAt) {

    /** Status of a sync in which every object was applied and every prune done. */
    public static final String SUCCEEDED = "Succeeded";
    /** Status of a sync in which at least one object failed, or which did not run. */
    public static final String FAILED = "Failed";

    public SyncReport {
        resources = resources == null ? List.of() : List.copyOf(resources);
    }

    /**
     * What happened to one object.
     *
     * @param apiVersion the object's apiVersion
     * @param kind the object's kind
     * @param namespace its namespace, {@code null} when cluster-scoped
     * @param name its name
     * @param action {@code created}, {@code configured}, {@code unchanged}, {@code pruned} or {@code failed}
     * @param reason a stable reason word when failed
     * @param message what went wrong when failed
     */
    public record ResourceResult(
            String apiVersion,
            String kind,
            String namespace,
            String name,
            String action,
            String reason,
            String message) {}
}
