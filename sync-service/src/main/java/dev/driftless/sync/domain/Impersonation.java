package dev.driftless.sync.domain;

import dev.driftless.events.ProjectRules;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decides whom sync-service acts as for an application: the ServiceAccount its project names for the destination,
 * else the configured default ({@code driftless.sync.impersonation.default-service-account}: a name, meaning that
 * ServiceAccount in the destination namespace, or {@code namespace/name}), else nobody, and sync-service uses its own
 * identity. The answer is a Kubernetes user name, {@code system:serviceaccount:<namespace>:<name>}, sent as
 * {@code Impersonate-User} so the API server's RBAC, not Driftless, has the last word on what the application may do.
 */
public final class Impersonation {

    /** A DNS-1123 label (namespace) or subdomain (ServiceAccount name), as the API server validates them. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    private static final String PREFIX = "system:serviceaccount:";

    private Impersonation() {}

    /**
     * The user to act as for an application of this project that deploys to this namespace.
     *
     * @param project the application's project, as its render carries it
     * @param destinationNamespace {@code destination.namespace}, where a bare default name is looked up
     * @param defaultServiceAccount the configured default, if any
     * @throws IllegalArgumentException when the ServiceAccount named is not a valid {@code namespace/name}
     */
    public static Optional<String> user(
            ProjectRules project, String destinationNamespace, Optional<String> defaultServiceAccount) {
        String named = project == null ? null : project.serviceAccount();
        if (named == null || named.isBlank()) {
            named = defaultServiceAccount.filter(s -> !s.isBlank()).orElse(null);
        }
        if (named == null) {
            return Optional.empty();
        }
        String namespace;
        String name;
        int slash = named.indexOf('/');
        if (slash < 0) {
            namespace = destinationNamespace;
            name = named;
        } else {
            namespace = named.substring(0, slash);
            name = named.substring(slash + 1);
        }
        if (namespace == null || !NAME.matcher(namespace).matches() || namespace.length() > 63) {
            throw new IllegalArgumentException("ServiceAccount " + named + ": no valid namespace (namespace/name)");
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("ServiceAccount " + named + ": not a valid ServiceAccount name");
        }
        return Optional.of(PREFIX + namespace + ":" + name);
    }
}
