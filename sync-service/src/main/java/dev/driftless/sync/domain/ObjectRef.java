package dev.driftless.sync.domain;

/**
 * Identity of a Kubernetes object: its API version, kind, namespace ({@code null} when cluster-scoped) and name.
 * Inventories and prune decisions compare these.
 */
public record ObjectRef(String apiVersion, String kind, String namespace, String name) {

    /** The API group, {@code ""} for the core group. */
    public String group() {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    /** Same object whatever the version it was written in: group, kind, namespace and name. */
    public String identity() {
        return group() + "/" + kind + "/" + (namespace == null ? "" : namespace) + "/" + name;
    }

    @Override
    public String toString() {
        return kind + "/" + (namespace == null ? "" : namespace + "/") + name;
    }
}
