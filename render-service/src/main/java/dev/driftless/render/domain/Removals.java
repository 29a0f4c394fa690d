package dev.driftless.render.domain;

import java.util.List;

/**
 * Which applications gone from the catalog may be announced as removed (and so pruned, where their policy says):
 * none while the catalog directory or render-service's own namespace has errors, since a broken file must never
 * prune; errors in a team's namespace hold back only the removals of that namespace's applications, so one team's
 * broken Application never keeps the rest of the catalog from being cleaned up.
 */
public final class Removals {

    private Removals() {}

    /**
     * @param gone the applications that were in the catalog and are no longer
     * @param errors the catalog's errors, each starting with where it was found ({@code file.yaml: …} or
     *     {@code cluster/<namespace>/<kind>/<name>: …})
     * @param homeNamespace render-service's own namespace, where Projects are read; {@code null} for no team
     *     namespaces
     */
    public static List<Application> announceable(List<Application> gone, List<String> errors, String homeNamespace) {
        boolean trustedErrors = errors.stream().anyMatch(e -> teamNamespace(e, homeNamespace) == null);
        if (trustedErrors) {
            return List.of();
        }
        return gone.stream()
                .filter(app -> {
                    String namespace = app.declaredIn();
                    return namespace == null
                            || namespace.equals(homeNamespace)
                            || errors.stream().noneMatch(e -> namespace.equals(teamNamespace(e, homeNamespace)));
                })
                .toList();
    }

    /** The team namespace an error was found in, or {@code null} for the directory, the home namespace or none. */
    private static String teamNamespace(String error, String homeNamespace) {
        if (homeNamespace == null || !error.startsWith(CatalogParser.CLUSTER_PREFIX)) {
            return null;
        }
        String rest = error.substring(CatalogParser.CLUSTER_PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            return null;
        }
        String namespace = rest.substring(0, slash);
        return namespace.equals(homeNamespace) ? null : namespace;
    }
}
