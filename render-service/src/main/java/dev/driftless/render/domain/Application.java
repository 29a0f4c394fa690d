package dev.driftless.render.domain;

import dev.driftless.events.Target;

/**
 * An application from the catalog: which directory of which repository, at which revision, goes where.
 *
 * @param name unique name, a DNS label
 * @param repository normalised repository URL
 * @param cloneUrl the URL as written in the catalog, used to fetch
 * @param targetRevision a branch ({@code main}), a full ref ({@code refs/heads/main}, {@code refs/tags/v1}) or a
 *     commit SHA
 * @param path directory inside the repository, relative, without {@code ..}; empty for the root
 * @param renderType how to render: {@code auto} or {@code directory}
 * @param target destination and sync policy
 * @param source the catalog file it was declared in
 */
public record Application(
        String name,
        String repository,
        String cloneUrl,
        String targetRevision,
        String path,
        String renderType,
        Target target,
        String source) {

    /** The full ref name this application follows, or {@code null} when it is pinned to a commit. */
    public String ref() {
        if (RevisionMatcher.isCommitSha(targetRevision)) {
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
