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

    /**
     * The applications following the pushed ref, in catalog order. A push that deletes its ref affects none (a
     * semver application is handled by {@link #followingTags}).
     */
    public static List<Application> affected(List<Application> catalog, CommitPushed push) {
        if (push.deletesRef()) {
            return List.of();
        }
        return catalog.stream()
                .filter(app -> app.repository().equals(push.repository()))
                .filter(app -> push.ref().equals(app.ref()))
                .toList();
    }

    /**
     * The applications that follow a semver range over the tags of the pushed repository, when the push moved a tag
     * (created, moved or deleted: the highest tag satisfying the range may have changed), in catalog order.
     */
    public static List<Application> followingTags(List<Application> catalog, CommitPushed push) {
        if (!push.ref().startsWith("refs/tags/")) {
            return List.of();
        }
        return catalog.stream()
                .filter(app -> app.repository().equals(push.repository()))
                .filter(Application::followsSemverRange)
                .toList();
    }

    /**
     * The tag a semver range chooses: the highest version among the tags ({@code v1.2.3} or {@code 1.2.3}) that
     * satisfies it; pre-releases only when the range names one.
     */
    public static java.util.Optional<String> highestTag(String range, java.util.Collection<String> tags) {
        org.semver4j.range.RangeList ranges = org.semver4j.range.RangeListFactory.create(range);
        String best = null;
        org.semver4j.Semver bestVersion = null;
        for (String tag : tags) {
            org.semver4j.Semver version = org.semver4j.Semver.parse(tag.startsWith("v") ? tag.substring(1) : tag);
            if (version != null
                    && ranges.isSatisfiedBy(version)
                    && (bestVersion == null || version.isGreaterThan(bestVersion))) {
                best = tag;
                bestVersion = version;
            }
        }
        return java.util.Optional.ofNullable(best);
    }
}
