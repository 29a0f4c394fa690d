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
 * @param changedPaths the paths the payload lists as changed; a hint only, Git has the truth
 * @param receivedAt when webhook-service received the request
 * @param verified whether the request carried a valid signature
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
        boolean verified) {

    /** The SHA Git uses for "no commit" in {@code before} or {@code after}. */
    public static final String ZERO_SHA = "0000000000000000000000000000000000000000";

    public CommitPushed {
        changedPaths = changedPaths == null ? List.of() : List.copyOf(changedPaths);
    }

    /** Whether this push deleted the ref (there is nothing to render). */
    public boolean deletesRef() {
        return ZERO_SHA.equals(after);
    }
}
