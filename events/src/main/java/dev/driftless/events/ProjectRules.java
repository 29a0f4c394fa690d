package dev.driftless.events;

import java.util.List;
import java.util.Locale;

/**
 * What an application's project lets it apply, carried with each render so sync-service enforces it before anything
 * reaches the cluster: cluster-scoped kinds only when listed, namespaced kinds unless denied. The default project
 * allows no cluster-scoped kind at all.
 *
 * @param name the project's name
 * @param clusterResources cluster-scoped kinds the applications may apply; none when empty
 * @param deniedResources namespaced kinds the applications may not apply
 * @param serviceAccount the ServiceAccount ({@code namespace/name}) sync-service acts as for this application, or
 *     {@code null} for its own identity
 * @param syncWindows when the project's applications may sync on their own ({@link SyncWindow}); always when empty
 */
public record ProjectRules(
        String name,
        List<KindRule> clusterResources,
        List<KindRule> deniedResources,
        String serviceAccount,
        List<SyncWindow> syncWindows) {

    /** The project of applications that name none: no cluster-scoped kinds, every namespaced kind. */
    public static final ProjectRules DEFAULT = new ProjectRules("default", List.of(), List.of(), null);

    public ProjectRules {
        name = name == null || name.isBlank() ? "default" : name;
        clusterResources = clusterResources == null ? List.of() : List.copyOf(clusterResources);
        deniedResources = deniedResources == null ? List.of() : List.copyOf(deniedResources);
        syncWindows = syncWindows == null ? List.of() : List.copyOf(syncWindows);
    }

    /** A project without sync windows. */
    public ProjectRules(
            String name, List<KindRule> clusterResources, List<KindRule> deniedResources, String serviceAccount) {
        this(name, clusterResources, deniedResources, serviceAccount, null);
    }

    /** Whether a cluster-scoped kind of that API group ({@code ""} for the core group) may be applied. */
    public boolean allowsClusterScoped(String group, String kind) {
        return clusterResources.stream().anyMatch(rule -> rule.matches(group, kind));
    }

    /** Whether a namespaced kind of that API group ({@code ""} for the core group) may be applied. */
    public boolean allowsNamespaced(String group, String kind) {
        return deniedResources.stream().noneMatch(rule -> rule.matches(group, kind));
    }

    /**
     * A kind, by API group and kind name; either may be {@code *} for any. The core group is {@code ""}.
     *
     * @param group API group, e.g. {@code rbac.authorization.k8s.io}, {@code ""} or {@code *}
     * @param kind kind name, e.g. {@code ClusterRole}, or {@code *}
     */
    public record KindRule(String group, String kind) {

        public KindRule {
            group = group == null ? "" : group.strip();
            kind = kind == null || kind.isBlank() ? "*" : kind.strip();
        }

        /** Whether this rule covers that group and kind (groups compared ignoring case, kinds exactly). */
        public boolean matches(String group, String kind) {
            String g = group == null ? "" : group;
            return (this.group.equals("*")
                            || this.group.toLowerCase(Locale.ROOT).equals(g.toLowerCase(Locale.ROOT)))
                    && (this.kind.equals("*") || this.kind.equals(kind));
        }

        @Override
        public String toString() {
            return (group.isEmpty() ? "core" : group) + "/" + kind;
        }
    }

    /** The API group of an {@code apiVersion}: {@code ""} for {@code v1}, {@code apps} for {@code apps/v1}. */
    public static String groupOf(String apiVersion) {
        if (apiVersion == null) {
            return "";
        }
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }
}
