package dev.driftless.events;

import java.time.Instant;
import java.util.List;

/**
 * Objects in the cluster differ from what Git says for an application.
 *
 * @param application application name
 * @param commit the commit the cluster should match
 * @param resources the objects that drifted, as {@code kind/namespace/name}
 * @param detectedAt when the drift was seen
 */
public record DriftDetected(String application, String commit, List<String> resources, Instant detectedAt) {

    public DriftDetected {
        resources = resources == null ? List.of() : List.copyOf(resources);
    }
}
