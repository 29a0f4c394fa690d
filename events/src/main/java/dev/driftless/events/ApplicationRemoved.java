package dev.driftless.events;

import java.time.Instant;

/**
 * An application left the catalog. sync-service deletes the objects it applied for it only when its sync policy
 * says {@code prune}; otherwise they stay, unmanaged. render-service announces a removal only while the catalog reads
 * without errors, so a broken or missing catalog file never looks like a removal.
 *
 * @param application application name
 * @param repository normalised repository URL it followed
 * @param target its destination and sync policy as last declared
 * @param source the catalog file it was declared in
 * @param removedAt when render-service saw it gone
 */
public record ApplicationRemoved(
        String application, String repository, Target target, String source, Instant removedAt) {}
