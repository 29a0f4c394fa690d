package dev.driftless.events;

import java.time.Instant;

/**
 * An application could not be rendered at a commit.
 *
 * @param application application name
 * @param repository normalised repository URL
 * @param revision the ref the application follows
 * @param commit the commit that failed to render, when known
 * @param reason a stable reason word, e.g. {@code ManifestInvalid}
 * @param message what went wrong, for people, naming the file and field
 * @param triggeredBy CloudEvent id of the push or command that caused this render
 * @param renderedAt when rendering gave up
 */
public record RenderFailed(
        String application,
        String repository,
        String revision,
        String commit,
        String reason,
        String message,
        String triggeredBy,
        Instant renderedAt) {}
