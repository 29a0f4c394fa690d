package dev.driftless.events;

import java.time.Instant;

/**
 * A person or tool asked for an application to be rendered and synced again from its current head.
 *
 * @param application application name
 * @param actor who asked, as authenticated by the API that took the request
 * @param reason why, in the requester's words
 * @param requestedAt when it was asked
 */
public record ResyncRequested(String application, String actor, String reason, Instant requestedAt) {}
