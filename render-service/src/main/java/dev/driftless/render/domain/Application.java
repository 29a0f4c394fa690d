package dev.driftless.render.domain;

import dev.driftless.events.Target;

/**
 * An application from the catalog: which directory of which repository, at which revision, goes where.
 *
 * @param name unique name, a DNS label
 * @param repository normalised repository URL
 * @param cloneUrl the URL as written in the catalog, used to fetch
 * @param targetRevision a branch ({@code main}), a full ref ({@code refs/heads/main}, {@code refs/tags/v1}), a
 *     commit SHA, or a semver range over the repository's tags ({@code >=1.2.0 <2.0.0}, {@code ^1.4}, {@code ~2.1.0})
 * @param path directory inside the repository, relative, without {@code ..}; empty for the root
 * @param renderType how to render: {@code auto}, {@code directory}, {@code kustomize} or {@code helm}
 * @param target destination and sync policy
 * @param source the catalog file it was declared in
 * @param helm the Helm release name, value files and inline values (used when the chart is rendered with Helm)
 * @param verifySignature the name of the trusted-signers set every rendered commit must be signed by, or
 *     {@code null} to render unsigned commits
 * @param reconcileInterval how often it is compared with the head of its source ({@code syncPolicy.interval}),
 *     zero for never, or {@code null} for the service's {@code driftless.render.reconcile-interval}
 */
public record Application(
        String name,
        String repository,
        String cloneUrl,
        String targetRevision,
        String path,
        String renderType,
        Target target,
        String source,
        HelmOptions helm,
        String verifySignature,
        java.time.Duration reconcileInterval) {

    /**
     * The namespace of the Application resource that declares it ({@code cluster/<namespace>/Application/<name>}),
     * or {@code null} when the catalog directory does.
     */
    public String declaredIn() {
        if (source == null || !source.startsWith(CatalogParser.CLUSTER_PREFIX)) {
            return null;
        }
        String rest = source.substring(CatalogParser.CLUSTER_PREFIX.length());
        int slash = rest.indexOf('/');
        return slash > 0 ? rest.substring(0, slash) : null;
    }

    /** This application under another name; everything else as it is. */
    public Application named(String other) {
        return new Application(
                other,
                repository,
                cloneUrl,
                targetRevision,
                path,
                renderType,
                target,
                source,
                helm,
                verifySignature,
                reconcileInterval);
    }

    /** An application compared with its source on the service's interval. */
    public Application(
            String name,
            String repository,
            String cloneUrl,
            String targetRevision,
            String path,
            String renderType,
            Target target,
            String source,
            HelmOptions helm,
            String verifySignature) {
        this(name, repository, cloneUrl, targetRevision, path, renderType, target, source, helm, verifySignature, null);
    }

    /** An application without Helm options. */
    public Application(
            String name,
            String repository,
            String cloneUrl,
            String targetRevision,
            String path,
            String renderType,
            Target target,
            String source) {
        this(name, repository, cloneUrl, targetRevision, path, renderType, target, source, HelmOptions.NONE, null);
    }

    /**
     * How a chart is rendered.
     *
     * @param releaseName the release name ({@code .Release.Name}); the application's name when empty
     * @param valueFiles value files, relative to the application's path (they may lie outside it, not outside the
     *     repository), applied in order
     * @param values inline values, applied after the files
     */
    public record HelmOptions(
            String releaseName, java.util.List<String> valueFiles, java.util.Map<String, Object> values) {
        /** No release name, value files or values. */
        public static final HelmOptions NONE = new HelmOptions(null, java.util.List.of(), java.util.Map.of());
    }

    /**
     * Whether the revision is a semver range over tags rather than a branch, tag or commit: it starts with one of
     * {@code < > = ^ ~}, or is {@code *}.
     */
    public boolean followsSemverRange() {
        return isSemverRange(targetRevision);
    }

    /** Whether a revision as written is a semver range (see {@link #followsSemverRange()}). */
    public static boolean isSemverRange(String revision) {
        String trimmed = revision.strip();
        return trimmed.equals("*") || (!trimmed.isEmpty() && "<>=^~".indexOf(trimmed.charAt(0)) >= 0);
    }

    /**
     * The full ref name this application follows, or {@code null} when it is pinned to a commit or follows a semver
     * range (whose tag is chosen at each fetch).
     */
    public String ref() {
        if (RevisionMatcher.isCommitSha(targetRevision) || followsSemverRange()) {
            return null;
        }
        if (targetRevision.startsWith("refs/")) {
            return targetRevision;
        }
        return "refs/heads/" + targetRevision;
    }

    /**
     * Whether a change to any of these repository paths can change this application's render: one of them lies
     * under its path (or is its path). What a render reads from outside its path (Kustomize bases, Helm value files)
     * is not known to the directory renderer, which reads nothing there.
     */
    public boolean readsAnyOf(java.util.Collection<String> changedPaths) {
        if (path.isEmpty()) {
            return !changedPaths.isEmpty();
        }
        String prefix = path + "/";
        for (String changed : changedPaths) {
            if (changed.equals(path) || changed.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
