package dev.driftless.events;

import java.time.Instant;

/**
 * A person or tool asked for an application to be rendered and synced at an older commit: the one case where an
 * older commit may be applied over a newer one.
 *
 * @param application application name
 * @param commit the full SHA of the commit to go back to
 * @param actor who asked, as authenticated by the API that took the request
 * @param reason why, in the requester's words
 * @param requestedAt when it was asked
 */
public record RollbackRequested(String application, String commit, String actor, String reason, Instant requestedAt) {}
