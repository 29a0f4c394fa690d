package dev.driftless.render.domain;

/**
 * Stable reasons a render fails, the same word in the event, the log, the metric tag and the audit entry.
 */
public enum Reason {
    /** The repository could not be fetched (network, authentication, not found). Retried, then reported. */
    RepositoryUnreachable,
    /** The application's revision does not name a branch, tag or commit of the repository, or no tag satisfies it. */
    RevisionNotFound,
    /** The application's path is not a directory at that commit. */
    PathNotFound,
    /** A path the render would read (the application's, a Kustomize resource, a value file, a symlink) leaves the repository. */
    PathEscapesRepository,
    /** A manifest is not valid YAML or JSON, or is not a Kubernetes object (no apiVersion, kind or name). */
    ManifestInvalid,
    /** Two documents of the bundle are the same object (group, kind, namespace and name). */
    DuplicateObject,
    /** The rendered bundle is larger than the configured limit or than the topic accepts. */
    BundleTooLarge,
    /** The application's directory holds more manifest files than the configured limit. */
    TooManyFiles,
    /** One file the render reads is larger than the configured limit. */
    FileTooLarge,
    /** A YAML document expands its aliases beyond the configured limit (a "billion laughs" bomb). */
    YamlAliasLimit,
    /** A YAML or JSON document nests deeper than the configured limit. */
    NestingTooDeep,
    /** The render took longer than the configured limit; an external renderer was killed. */
    RenderTimedOut,
    /** The render type needs a tool that is not installed (kustomize or kubectl for Kustomize). */
    RendererUnavailable,
    /** The external renderer (kustomize, helm) refused the input; the message carries its error. */
    RenderToolFailed,
    /** A Kustomize remote base or resource is not on the allow list. */
    RemoteBaseRefused,
    /** A Helm chart dependency comes from a repository that is not on the allow list, and is not vendored. */
    ChartDependencyRefused,
    /** The commit to render is unsigned, or signed by a key the application does not trust. */
    SignatureUntrusted,
    /** The application declares a render type this service cannot render. */
    RenderTypeUnsupported,
    /** Something unexpected went wrong while rendering; the log has the details. */
    RenderError,
    /**
     * The service died twice in a row while rendering this application at this commit (a crash loop): it is not
     * rendered at that commit again until a new commit or a resync.
     */
    RenderQuarantined,
    /** A person asked for a render (a resync or a rollback) of an application that is suspended ({@code spec.suspend}). */
    ApplicationSuspended,
    /**
     * The files one render reads from the repository (or writes to its workspace for kustomize or Helm) exceed
     * {@code driftless.render.limits.max-render-bytes}.
     */
    RenderTooLarge,
    /**
     * The repository holds an object Git's own checks refuse (a tree entry named {@code ..} or {@code .git}, a name
     * twice): refused at fetch, nothing of it stored.
     */
    RepositoryInvalid,
    /**
     * One fetch of the repository brought more than {@code driftless.render.limits.max-fetch-bytes} (a pack of huge or
     * countless objects): nothing of it stored or rendered, and it is not tried again until the next push or reconcile.
     */
    FetchTooLarge,
    /** A Secret's {@code data} value is not base64, or a value is not a string (the message names the key only). */
    SecretInvalid,
    /**
     * The render has a Secret but render-service has no key to seal it with ({@code driftless.render.secrets.*}), or a
     * key file cannot be read: nothing is published in clear.
     */
    SecretKeyMissing;
}
