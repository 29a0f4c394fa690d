package dev.driftless.events;

/**
 * Where and how a rendered bundle is synced: the application's destination and sync policy, carried with each
 * render so sync-service needs no catalog of its own.
 *
 * @param cluster destination cluster name ({@code default} is the cluster sync-service is configured for)
 * @param namespace destination namespace for namespaced objects that name none
 * @param prune delete objects that left Git
 * @param selfHeal re-apply when the cluster drifts from Git
 * @param allowEmpty accept an empty bundle (and so prune everything)
 * @param createNamespace create the destination namespace when it is missing
 * @param progressDeadlineSeconds how long the application may stay {@code Progressing} before it is
 *     {@code Degraded}; {@code null} for sync-service's default
 * @param forceConflicts whether server-side apply takes over fields other managers own; {@code null} for
 *     sync-service's default ({@code driftless.sync.force-conflicts}, true)
 * @param allowedNamespaces namespaces besides {@code namespace} that the application's objects may name; others are
 *     refused ({@code NamespaceNotAllowed})
 * @param project what the application's project lets it apply; {@code null} for {@link ProjectRules#DEFAULT}
 * @param adopt whether the application takes over existing objects no application manages ({@code syncPolicy.adopt});
 *     {@code null} for no
 * @param ignoreDifferences fields of its objects the application leaves to others ({@code spec.ignoreDifferences})
 * @param automated whether every render is applied ({@code syncPolicy.automated}); {@code false}: only the renders a
 *     person asks for (a resync or a rollback), and drift is reported but not healed; {@code null} for {@code true}
 * @param suspended whether nothing is done for the application ({@code spec.suspend}): nothing rendered, applied or
 *     healed until it is resumed; {@code null} for {@code false}
 * @param dependsOn applications (on the same cluster) that must be Healthy at the commit they last applied before
 *     this one syncs ({@code spec.dependsOn}); the catalog refuses cycles
 */
public record Target(
        String cluster,
        String namespace,
        boolean prune,
        boolean selfHeal,
        boolean allowEmpty,
        boolean createNamespace,
        Integer progressDeadlineSeconds,
        Boolean forceConflicts,
        java.util.List<String> allowedNamespaces,
        ProjectRules project,
        Boolean adopt,
        java.util.List<IgnoreDifference> ignoreDifferences,
        Boolean automated,
        Boolean suspended,
        java.util.List<String> dependsOn) {

    public Target {
        allowedNamespaces = allowedNamespaces == null ? java.util.List.of() : java.util.List.copyOf(allowedNamespaces);
        project = project == null ? ProjectRules.DEFAULT : project;
        adopt = Boolean.TRUE.equals(adopt);
        ignoreDifferences = ignoreDifferences == null ? java.util.List.of() : java.util.List.copyOf(ignoreDifferences);
        automated = !Boolean.FALSE.equals(automated);
        suspended = Boolean.TRUE.equals(suspended);
        dependsOn = dependsOn == null ? java.util.List.of() : java.util.List.copyOf(dependsOn);
    }

    /** A target that depends on no other application. */
    public Target(
            String cluster,
            String namespace,
            boolean prune,
            boolean selfHeal,
            boolean allowEmpty,
            boolean createNamespace,
            Integer progressDeadlineSeconds,
            Boolean forceConflicts,
            java.util.List<String> allowedNamespaces,
            ProjectRules project,
            Boolean adopt,
            java.util.List<IgnoreDifference> ignoreDifferences,
            Boolean automated,
            Boolean suspended) {
        this(
                cluster,
                namespace,
                prune,
                selfHeal,
                allowEmpty,
                createNamespace,
                progressDeadlineSeconds,
                forceConflicts,
                allowedNamespaces,
                project,
                adopt,
                ignoreDifferences,
                automated,
                suspended,
                null);
    }

    /** An automated target that is not suspended. */
    public Target(
            String cluster,
            String namespace,
            boolean prune,
            boolean selfHeal,
            boolean allowEmpty,
            boolean createNamespace,
            Integer progressDeadlineSeconds,
            Boolean forceConflicts,
            java.util.List<String> allowedNamespaces,
            ProjectRules project,
            Boolean adopt,
            java.util.List<IgnoreDifference> ignoreDifferences) {
        this(
                cluster,
                namespace,
                prune,
                selfHeal,
                allowEmpty,
                createNamespace,
                progressDeadlineSeconds,
                forceConflicts,
                allowedNamespaces,
                project,
                adopt,
                ignoreDifferences,
                null,
                null);
    }

    /** A target that leaves no field to others. */
    public Target(
            String cluster,
            String namespace,
            boolean prune,
            boolean selfHeal,
            boolean allowEmpty,
            boolean createNamespace,
            Integer progressDeadlineSeconds,
            Boolean forceConflicts,
            java.util.List<String> allowedNamespaces,
            ProjectRules project,
            Boolean adopt) {
        this(
                cluster,
                namespace,
                prune,
                selfHeal,
                allowEmpty,
                createNamespace,
                progressDeadlineSeconds,
                forceConflicts,
                allowedNamespaces,
                project,
                adopt,
                null);
    }

    /** A target that adopts no existing object. */
    public Target(
            String cluster,
            String namespace,
            boolean prune,
            boolean selfHeal,
            boolean allowEmpty,
            boolean createNamespace,
            Integer progressDeadlineSeconds,
            Boolean forceConflicts,
            java.util.List<String> allowedNamespaces,
            ProjectRules project) {
        this(
                cluster,
                namespace,
                prune,
                selfHeal,
                allowEmpty,
                createNamespace,
                progressDeadlineSeconds,
                forceConflicts,
                allowedNamespaces,
                project,
                null);
    }

    /** A target in the default project. */
    public Target(
            String cluster,
            String namespace,
            boolean prune,
            boolean selfHeal,
            boolean allowEmpty,
            boolean createNamespace,
            Integer progressDeadlineSeconds,
            Boolean forceConflicts,
            java.util.List<String> allowedNamespaces) {
        this(
                cluster,
                namespace,
                prune,
                selfHeal,
                allowEmpty,
                createNamespace,
                progressDeadlineSeconds,
                forceConflicts,
                allowedNamespaces,
                null,
                null);
    }

    /** A target with sync-service's defaults for the deadline and conflicts, and no other namespace allowed. */
    public Target(
            String cluster,
            String namespace,
            boolean prune,
            boolean selfHeal,
            boolean allowEmpty,
            boolean createNamespace) {
        this(cluster, namespace, prune, selfHeal, allowEmpty, createNamespace, null, null, null, null);
    }
}
