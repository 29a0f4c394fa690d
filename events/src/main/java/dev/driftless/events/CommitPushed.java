package dev.driftless.events;

import java.time.Instant;
import java.util.List;

/**
 * A push accepted by webhook-service: one ref of one repository moved from {@code before} to {@code after}.
 *
 * @param repository normalised repository URL (lower-case host, no credentials, no trailing {@code .git})
 * @param ref full ref name, e.g. {@code refs/heads/main}
 * @param before the previous head, or forty zeros when the ref was created
 * @param after the new head, or forty zeros when the ref was deleted
 * @param pusher who pushed, as the provider names them
 * @param provider the provider that sent the webhook, e.g. {@code github}
 * @param deliveryId the provider's delivery id, stable across its retries
 * @param changedPaths the paths the payload lists as changed; a hint only, Git has the truth; empty when
 *     {@code changedPathsTruncated}
 * @param receivedAt when webhook-service received the request
 * @param verified whether the request carried a valid signature
 * @param changedPathsTruncated the payload listed more than {@value #MAX_CHANGED_PATHS} paths or
 *     {@value #MAX_CHANGED_PATHS_CHARS} characters of them, so none are listed: treat everything as changed (a
 *     monorepo-wide refactor must still be publishable within the topic's record size)
 */
public record CommitPushed(
        String repository,
        String ref,
        String before,
        String after,
        String pusher,
        String provider,
        String deliveryId,
        List<String> changedPaths,
        Instant receivedAt,
        boolean verified,
        boolean changedPathsTruncated) {

    /** The SHA Git uses for "no commit" in {@code before} or {@code after}. */
    public static final String ZERO_SHA = "0000000000000000000000000000000000000000";

    /** The most paths an event lists; more, and it lists none and says so. */
    public static final int MAX_CHANGED_PATHS = 1_000;
    /** The most characters of paths an event lists; more, and it lists none and says so. */
    public static final int MAX_CHANGED_PATHS_CHARS = 64 * 1024;

    public CommitPushed {
        changedPaths = changedPaths == null ? List.of() : changedPaths;
        long chars = changedPaths.stream().mapToLong(String::length).sum();
        if (changedPaths.size() > MAX_CHANGED_PATHS || chars > MAX_CHANGED_PATHS_CHARS) {
            changedPaths = List.of();
            changedPathsTruncated = true;
        } else {
            changedPaths = List.copyOf(changedPaths);
        }
    }

    /** A push whose changed paths are listed unless there are too many (see {@code changedPathsTruncated}). */
    public CommitPushed(
            String repository,
            String ref,
            String before,
            String after,
            String pusher,
            String provider,
            String deliveryId,
            List<String> changedPaths,
            Instant receivedAt,
            boolean verified) {
        this(repository, ref, before, after, pusher, provider, deliveryId, changedPaths, receivedAt, verified, false);
    }

    /** Whether this push deleted the ref (there is nothing to render). */
    public boolean deletesRef() {
        return ZERO_SHA.equals(after);
    }
}
