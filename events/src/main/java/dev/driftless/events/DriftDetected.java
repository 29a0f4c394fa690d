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
 * @param differences the fields that differ, per object (a deleted object is one difference at path {@code ""})
 * @param healing whether sync-service is re-applying them ({@code syncPolicy.selfHeal})
 */
public record DriftDetected(
        String application,
        String commit,
        List<String> resources,
        Instant detectedAt,
        List<Difference> differences,
        boolean healing) {

    /**
     * One field that differs.
     *
     * @param resource the object, as {@code kind/namespace/name}
     * @param path the field, as a JSON pointer ({@code /data/message}); {@code ""} for the whole object
     * @param live the value in the cluster, {@code null} when absent
     * @param desired the value Git wants, {@code null} when Git does not set it
     */
    public record Difference(String resource, String path, Object live, Object desired) {}

    public DriftDetected {
        resources = resources == null ? List.of() : List.copyOf(resources);
        differences = differences == null ? List.of() : List.copyOf(differences);
    }

    /** A drift without field details. */
    public DriftDetected(String application, String commit, List<String> resources, Instant detectedAt) {
        this(application, commit, resources, detectedAt, List.of(), false);
    }
}
