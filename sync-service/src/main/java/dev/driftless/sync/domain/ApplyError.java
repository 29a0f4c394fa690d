package dev.driftless.sync.domain;

/**
 * Classifies what the API server answered to an apply into a reason, and whether trying again can help. One place
 * decides retriable versus permanent for every call sync-service makes.
 */
public final class ApplyError {

    private ApplyError() {}

    /** Whether an HTTP status (or 0 for no answer at all) is worth retrying. */
    public static boolean retriable(int status) {
        return status == 0 || status == 429 || status >= 500;
    }

    /**
     * Whether an answer is worth retrying: no answer, 429, 5xx, or a 409 from optimistic locking ("the object has been
     * modified"), but not a 409 of server-side apply's field conflicts, which only {@code force} resolves.
     */
    public static boolean retriable(int status, String message) {
        return retriable(status) || (status == 409 && message != null && message.contains("has been modified"));
    }

    /**
     * Whether a 403's message is the API server refusing new content in a namespace being deleted ("unable to create
     * new content in namespace x because it is being terminated"): not a permission problem, and over once the
     * namespace is gone.
     */
    static boolean terminating(String message) {
        return message != null && message.contains("because it is being terminated");
    }

    /** The reason for a status that is not retried, or {@link Reason#ClusterUnreachable} after retries. */
    public static Reason reason(int status, String message) {
        return switch (status) {
            case 400, 422 -> Reason.ApplyInvalid;
            case 403 -> terminating(message) ? Reason.NamespaceTerminating : Reason.Forbidden;
            case 409 -> Reason.ApplyConflict;
            case 404 ->
                message != null && message.contains("namespaces \"") ? Reason.NamespaceNotFound : Reason.KindUnknown;
            default -> Reason.ClusterUnreachable;
        };
    }
}
