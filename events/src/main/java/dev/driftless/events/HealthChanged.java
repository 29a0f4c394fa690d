package dev.driftless.events;

import java.time.Instant;

/**
 * An application's aggregated health moved from one state to another.
 *
 * @param application application name
 * @param commit the commit deployed
 * @param previous the health before, e.g. {@code Progressing}
 * @param current the health now, e.g. {@code Healthy}
 * @param changedAt when the change was seen
 */
public record HealthChanged(String application, String commit, String previous, String current, Instant changedAt) {}
