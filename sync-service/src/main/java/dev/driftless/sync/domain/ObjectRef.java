package dev.driftless.sync.domain;

/**
 * Identity of a Kubernetes object: its API version, kind, namespace ({@code null} when cluster-scoped) and name.
 * Inventories and prune decisions compare these.
 */
public record ObjectRef(String apiVersion, String kind, String namespace, String name) {

    /**
     * One copy of each API version, kind and namespace, however many references carry it: they are few, and every
     * object sync-service follows is referred to from its last sync report, its health and its drift watch (in a heap
     * at 3,000 applications, a fifth of all strings were held by the last sync reports' objects, mostly these copies).
     */
    public ObjectRef {
        apiVersion = apiVersion == null ? null : apiVersion.intern();
        kind = kind == null ? null : kind.intern();
        namespace = namespace == null ? null : namespace.intern();
    }

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
