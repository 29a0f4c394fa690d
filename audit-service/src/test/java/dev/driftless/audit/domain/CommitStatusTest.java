package dev.driftless.audit.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The requests follow each provider's statuses API as documented. */
class CommitStatusTest {

    static final String SHA = "a".repeat(40);
    static final CommitStatus.Update SYNCED =
            new CommitStatus.Update(SHA, "driftless/shop", CommitStatus.State.success, "Synced to the cluster");
    static final CommitStatus.Update FAILED =
            new CommitStatus.Update(SHA, "driftless/shop", CommitStatus.State.failure, "Sync failed: ApplyInvalid");

    @Test
    void githubCreateACommitStatus() {
        var request = CommitStatus.request(
                CommitStatus.Provider.github, "https://api.github.com/", "acme/deploy", "ghp_x", SYNCED, "http://a/t");

        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.uri()).hasToString("https://api.github.com/repos/acme/deploy/statuses/" + SHA);
        assertThat(request.headers())
                .containsEntry("Authorization", "Bearer ghp_x")
                .containsEntry("Accept", "application/vnd.github+json")
                .containsEntry("X-GitHub-Api-Version", "2022-11-28");
        assertThat(request.body())
                .isEqualTo("{\"context\":\"driftless/shop\",\"description\":\"Synced to the cluster\","
                        + "\"state\":\"success\",\"target_url\":\"http://a/t\"}");
    }

    @Test
    void gitlabSetsThePipelineStatusOfACommitWithItsOwnWordForFailure() {
        var request = CommitStatus.request(
                CommitStatus.Provider.gitlab,
                "https://gitlab.com/api/v4",
                "group/sub/deploy",
                "glpat",
                FAILED,
                "http://a/t");

        assertThat(request.uri())
                .hasToString("https://gitlab.com/api/v4/projects/group%2Fsub%2Fdeploy/statuses/" + SHA);
        assertThat(request.headers()).containsEntry("PRIVATE-TOKEN", "glpat").doesNotContainKey("Authorization");
        assertThat(request.body()).contains("\"state\":\"failed\"").contains("\"name\":\"driftless/shop\"");
    }

    @Test
    void giteaAndForgejoCreateACommitStatusWithATokenHeader() {
        var request = CommitStatus.request(
                CommitStatus.Provider.gitea,
                "https://gitea.example.com/api/v1",
                "acme/deploy",
                "tok",
                SYNCED,
                "http://a/t");

        assertThat(request.uri()).hasToString("https://gitea.example.com/api/v1/repos/acme/deploy/statuses/" + SHA);
        assertThat(request.headers()).containsEntry("Authorization", "token tok");
        assertThat(request.body()).contains("\"state\":\"success\"").contains("\"context\":\"driftless/shop\"");
    }

    static ChangeEntry entry(String type, String reason) {
        return new ChangeEntry(
                "id",
                type,
                "s",
                "shop",
                Instant.now(),
                "t",
                "shop",
                "shop",
                "https://github.com/acme/deploy",
                SHA,
                null,
                null,
                reason,
                "{}",
                false,
                null);
    }

    @Test
    void renderedIsPendingSyncedIsSuccessAndEitherFailureIsFailure() {
        assertThat(CommitStatus.of(entry("dev.driftless.render.succeeded.v1", null)))
                .hasValueSatisfying(u -> assertThat(u.state()).isEqualTo(CommitStatus.State.pending));
        assertThat(CommitStatus.of(entry("dev.driftless.sync.succeeded.v1", null)))
                .hasValueSatisfying(u -> assertThat(u.state()).isEqualTo(CommitStatus.State.success));
        assertThat(CommitStatus.of(entry("dev.driftless.render.failed.v1", "ManifestInvalid")))
                .hasValueSatisfying(u -> assertThat(u.description()).isEqualTo("Render failed: ManifestInvalid"));
        assertThat(CommitStatus.of(entry("dev.driftless.commit.pushed.v1", null)))
                .isEmpty();
    }

    @Test
    void repositoriesMatchExactlyOrByGlob() {
        assertThat(CommitStatus.matches("https://github.com/acme/*", "https://github.com/acme/deploy"))
                .isTrue();
        assertThat(CommitStatus.matches("https://github.com/acme/*", "https://github.com/other/deploy"))
                .isFalse();
        assertThat(CommitStatus.matches("https://github.com/acme/deploy", "https://github.com/acme/deploy"))
                .isTrue();
        assertThat(CommitStatus.matches("https://github.com/acme.d", "https://github.com/acmexd"))
                .isFalse();
        assertThat(CommitStatus.repositoryPath("https://github.com/acme/deploy"))
                .isEqualTo("acme/deploy");
    }
}
