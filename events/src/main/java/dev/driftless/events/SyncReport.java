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

    /** The longest per-object message a report carries; longer ones are clipped. */
    public static final int MAX_OBJECT_MESSAGE = 1_000;
    /** The longest overall message a report carries; a longer one is clipped. */
    public static final int MAX_MESSAGE = 8_000;

    public SyncReport {
        resources = resources == null ? List.of() : List.copyOf(resources);
    }

    /**
     * This report made to fit in {@code maxBytes} of JSON, so it can always be published: messages clipped, then, if
     * it is still too big, the objects listed cut down (failed ones first, then in order) with the overall message
     * saying how many are not listed. A report that fits is returned with only its messages clipped.
     */
    public SyncReport summarised(int maxBytes) {
        List<ResourceResult> clipped = resources.stream()
                .map(r -> r.message() == null || r.message().length() <= MAX_OBJECT_MESSAGE
                        ? r
                        : new ResourceResult(
                                r.apiVersion(),
                                r.kind(),
                                r.namespace(),
                                r.name(),
                                r.action(),
                                r.reason(),
                                clip(r.message(), MAX_OBJECT_MESSAGE),
                                r.hook()))
                .toList();
        SyncReport whole = with(clipped, clip(message, MAX_MESSAGE));
        if (whole.bytes() <= maxBytes) {
            return whole;
        }
        List<ResourceResult> ordered = new java.util.ArrayList<>(clipped.size());
        clipped.stream().filter(r -> "failed".equals(r.action())).forEach(ordered::add);
        clipped.stream().filter(r -> !"failed".equals(r.action())).forEach(ordered::add);
        int low = 0;
        int high = ordered.size();
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (listing(ordered, mid).bytes() <= maxBytes) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return listing(ordered, low);
    }

    private SyncReport listing(List<ResourceResult> ordered, int count) {
        String note = "report summarised to fit its topic: " + (ordered.size() - count) + " of " + ordered.size()
                + " objects not listed";
        String text = message == null ? note : clip(message, MAX_MESSAGE) + " (" + note + ")";
        return with(ordered.subList(0, count), text);
    }

    private SyncReport with(List<ResourceResult> listed, String text) {
        return new SyncReport(
                application, commit, digest, status, reason, text, listed, triggeredBy, startedAt, finishedAt);
    }

    private int bytes() {
        return EventCodec.encode(this).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    private static String clip(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    /**
     * What happened to one object.
     *
     * @param apiVersion the object's apiVersion
     * @param kind the object's kind
     * @param namespace its namespace, {@code null} when cluster-scoped
     * @param name its name
     * @param action {@code created}, {@code configured}, {@code unchanged}, {@code pruned} or {@code failed}; for a
     *     hook {@code completed} or {@code failed}
     * @param reason a stable reason word when failed
     * @param message what went wrong when failed; for a hook, how it ended and where its logs are
     * @param hook for a sync hook, the phase it ran in ({@code PreSync}, {@code Sync}, {@code PostSync},
     *     {@code SyncFail}); {@code null} for an object applied or pruned
     */
    public record ResourceResult(
            String apiVersion,
            String kind,
            String namespace,
            String name,
            String action,
            String reason,
            String message,
            String hook) {

        /** What happened to an object applied or pruned (no hook). */
        public ResourceResult(
                String apiVersion,
                String kind,
                String namespace,
                String name,
                String action,
                String reason,
                String message) {
            this(apiVersion, kind, namespace, name, action, reason, message, null);
        }
    }
}
