package dev.driftless.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An application rendered at a commit: the complete bundle of manifests to apply.
 *
 * @param application application name
 * @param repository normalised repository URL
 * @param revision the ref or revision the application follows, e.g. {@code refs/heads/main}
 * @param commit the commit rendered
 * @param path the application's path in the repository
 * @param digest SHA-256 of the canonical bundle, {@code sha256:<hex>}
 * @param manifests the Kubernetes objects, as JSON objects, in file then document order
 * @param target destination and sync policy
 * @param triggeredBy CloudEvent id of the push or command that caused this render
 * @param renderedAt when rendering finished
 * @param durationMs how long rendering took
 */
public record RenderSucceeded(
        String application,
        String repository,
        String revision,
        String commit,
        String path,
        String digest,
        List<Map<String, Object>> manifests,
        Target target,
        String triggeredBy,
        Instant renderedAt,
        long durationMs) {

    public RenderSucceeded {
        manifests = manifests == null ? List.of() : List.copyOf(manifests);
    }
}
