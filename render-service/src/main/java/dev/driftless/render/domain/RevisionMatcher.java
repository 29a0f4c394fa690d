package dev.driftless.render.domain;

import dev.driftless.events.CommitPushed;
import java.util.List;
import java.util.regex.Pattern;

/** Which applications a push concerns: same repository, and the pushed ref is the one the application follows. */
public final class RevisionMatcher {

    private static final Pattern SHA = Pattern.compile("^[0-9a-f]{40}([0-9a-f]{24})?$");

    private RevisionMatcher() {}

    /** Whether a revision is a full commit SHA. */
    public static boolean isCommitSha(String revision) {
        return revision != null && SHA.matcher(revision).matches();
    }

    /** The applications a push affects, in catalog order. A push that deletes its ref affects none. */
    public static List<Application> affected(List<Application> catalog, CommitPushed push) {
        if (push.deletesRef()) {
            return List.of();
        }
        return catalog.stream()
                .filter(app -> app.repository().equals(push.repository()))
                .filter(app -> push.ref().equals(app.ref()))
                .toList();
    }
}
