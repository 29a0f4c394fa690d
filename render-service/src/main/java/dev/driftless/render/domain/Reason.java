package dev.driftless.render.domain;

/**
 * Stable reasons a render fails, the same word in the event, the log, the metric tag and the audit entry.
 */
public enum Reason {
    /** The repository could not be fetched (network, authentication, not found). Retried, then reported. */
    RepositoryUnreachable,
    /** The application's revision does not name a branch, tag or commit of the repository. */
    RevisionNotFound,
    /** The application's path is not a directory at that commit. */
    PathNotFound,
    /** The application's path would leave the repository. */
    PathEscapesRepository,
    /** A manifest is not valid YAML or JSON, or is not a Kubernetes object (no apiVersion, kind or name). */
    ManifestInvalid,
    /** The rendered bundle is larger than the configured limit. */
    BundleTooLarge,
    /** The application declares a render type this service cannot render. */
    RenderTypeUnsupported,
    /** Something unexpected went wrong while rendering; the log has the details. */
    RenderError;
}
