package dev.driftless.render.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.events.CommitPushed;
import dev.driftless.events.Target;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RevisionMatcherTest {

    static final Target TARGET = new Target("default", "ns", false, false, false, false);

    static Application app(String name, String repo, String revision) {
        return new Application(name, repo, repo, revision, "apps/" + name, "auto", TARGET, "f.yaml");
    }

    static CommitPushed push(String repo, String ref, String after) {
        return new CommitPushed(repo, ref, "a".repeat(40), after, "p", "github", "d", List.of(), Instant.now(), true);
    }

    static final List<Application> CATALOG = List.of(
            app("main-app", "https://h/r", "main"),
            app("full-ref", "https://h/r", "refs/heads/main"),
            app("release", "https://h/r", "release"),
            app("tagged", "https://h/r", "refs/tags/v1"),
            app("pinned", "https://h/r", "c".repeat(40)),
            app("elsewhere", "https://h/other", "main"));

    @Test
    void aPushAffectsTheApplicationsOfThatRepositoryFollowingThatRef() {
        assertThat(RevisionMatcher.affected(CATALOG, push("https://h/r", "refs/heads/main", "b".repeat(40))))
                .extracting(Application::name)
                .containsExactly("main-app", "full-ref");
        assertThat(RevisionMatcher.affected(CATALOG, push("https://h/r", "refs/tags/v1", "b".repeat(40))))
                .extracting(Application::name)
                .containsExactly("tagged");
    }

    @Test
    void aDeletedRefAffectsNothing() {
        assertThat(RevisionMatcher.affected(CATALOG, push("https://h/r", "refs/heads/main", CommitPushed.ZERO_SHA)))
                .isEmpty();
    }

    @Test
    void anApplicationReadsTheFilesUnderItsPathAndNoSiblingThatMerelySharesAPrefix() {
        Application web = app("web", "https://h/r", "main");
        Application root = new Application("root", "https://h/r", "https://h/r", "main", "", "auto", TARGET, "f.yaml");

        assertThat(web.readsAnyOf(List.of("apps/web/deployment.yaml"))).isTrue();
        assertThat(web.readsAnyOf(List.of("apps/web/nested/deep/cm.yaml"))).isTrue();
        assertThat(web.readsAnyOf(List.of("apps/web-admin/cm.yaml", "apps/webcm.yaml", "README.md")))
                .isFalse();
        assertThat(web.readsAnyOf(List.of("apps/web")))
                .as("a file replacing the directory")
                .isTrue();
        assertThat(root.readsAnyOf(List.of("README.md"))).isTrue();
        assertThat(root.readsAnyOf(List.of())).isFalse();
    }

    @Test
    void aSemverRangeChoosesTheHighestSatisfyingTagAndSkipsPreReleases() {
        var tags = List.of("v1.0.0", "v1.2.0", "1.2.5", "v1.3.0-rc.1", "v2.0.0", "latest", "release-7");
        assertThat(RevisionMatcher.highestTag(">=1.0.0 <2.0.0", tags)).contains("1.2.5");
        assertThat(RevisionMatcher.highestTag("^2", tags)).contains("v2.0.0");
        assertThat(RevisionMatcher.highestTag(">=3", tags)).isEmpty();
        assertThat(Application.isSemverRange(">=1.0.0 <2.0.0")).isTrue();
        assertThat(Application.isSemverRange("release-1.x")).isFalse();
    }
}
