package dev.driftless.render.domain;

/**
 * Whether a push still needs a fetch, or an earlier fetch already brought what it pushed: pushes to one repository are
 * taken one after another, so while a burst waits, the first fetch brings every commit pushed so far and the pushes
 * behind it share it instead of each fetching again. A push is already fetched when the mirror's ref is the commit it
 * pushed, or (for a branch) a descendant of it that is not what the ref was before the push: a push that moved the
 * branch back (a force push) always fetches.
 */
public final class PushFetch {

    private PushFetch() {}

    /**
     * @param ref the pushed ref, e.g. {@code refs/heads/main}
     * @param before the commit the ref was at before the push
     * @param after the commit the push set the ref to
     * @param mirrorRef the commit the mirror's ref is at now, {@code null} when it has none
     * @param afterIsAncestorOfMirrorRef whether {@code after} is in the mirror's history of that ref
     */
    public static boolean alreadyFetched(
            String ref, String before, String after, String mirrorRef, boolean afterIsAncestorOfMirrorRef) {
        if (mirrorRef == null || after == null) {
            return false;
        }
        if (mirrorRef.equals(after)) {
            return true;
        }
        if (!ref.startsWith("refs/heads/") || mirrorRef.equals(before)) {
            // a tag is only ever where it was pushed; a mirror still at "before" predates this push
            return false;
        }
        return afterIsAncestorOfMirrorRef;
    }
}
