package dev.driftless.sync.domain;

/** Stable reasons an object or a whole sync fails: the same word in the event, the log, the metric and the audit. */
public enum Reason {
    /** The API server refused the object as invalid (400, 422), or it is not a Kubernetes object at all. */
    ApplyInvalid,
    /**
     * The API server refused the call (403): the ServiceAccount sync-service impersonates for the application (or
     * sync-service itself) may not do it. The message names the user, verb and resource.
     */
    Forbidden,
    /** Another field manager owns fields of this object and conflicts were not forced (409). */
    ApplyConflict,
    /** The API server does not know the object's kind (404 on its type). */
    KindUnknown,
    /** The object's namespace does not exist and the application does not create it. */
    NamespaceNotFound,
    /**
     * The object's namespace is being deleted (the API server refuses new content in it) and did not finish in time
     * to be created again.
     */
    NamespaceTerminating,
    /** The object names a namespace other than the application's destination and its allowed namespaces. */
    NamespaceNotAllowed,
    /**
     * The object's kind is cluster-scoped and its project allows no such kind (the default project allows none), or
     * its project denies the namespaced kind. Nothing of the render was applied.
     */
    KindNotAllowed,
    /** The object exists and another application applied it: it is never taken over (nor, later, pruned). */
    OwnedByOtherApplication,
    /**
     * The object exists and no application manages it; it is taken over only with {@code syncPolicy.adopt: true} or
     * the annotation {@code driftless.dev/adopt: "true"} on it in Git.
     */
    AdoptionRefused,
    /** The API server could not be reached or kept failing (5xx, 429, connection) after retries. */
    ClusterUnreachable,
    /** The application's destination cluster is not configured ({@code driftless.sync.clusters.<name>}). */
    ClusterUnknown,
    /** The render is empty and the application does not allow an empty sync, so nothing was applied or pruned. */
    PruneRefusedEmptyRender,
    /** Some objects failed; the others were applied and nothing was pruned. */
    SyncPartiallyFailed,
    /** A sync wave did not become healthy before its deadline, or degraded; later waves were not applied. */
    WaveNotHealthy,
    /**
     * A sync hook failed or did not finish before the progress deadline. A PreSync hook's failure leaves everything
     * else unapplied; a Sync or PostSync hook's failure runs the SyncFail hooks.
     */
    HookFailed,
    /** A CustomResourceDefinition was not established in time; its custom resources could not be applied. */
    CrdNotEstablished,
    /**
     * A sealed Secret of the render cannot be opened: sync-service holds no identity it was sealed to (a rotated-out
     * key, no identity file), or it was altered. Nothing of the render was applied.
     */
    SecretUndecryptable,
    /** Something unexpected went wrong while syncing; the log has the details. Nothing was pruned. */
    SyncError;
}
