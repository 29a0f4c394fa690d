package dev.driftless.webhook.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.driftless.events.CommitPushed;
import dev.driftless.events.EventCodec;
import dev.driftless.webhook.PolledRepository;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Polling over real Git transport: a push to a repository nobody sends webhooks for is still published. */
@QuarkusTest
@QuarkusTestResource(value = PolledRepository.class, restrictToAnnotatedClass = true)
class RefPollerTest {

    @Inject
    @Any
    InMemoryConnector connector;

    @Inject
    RefPoller poller;

    @TempDir
    Path work;

    @Test
    void aMoveOfAWatchedBranchIsPublishedAsAPushFromPoll() throws Exception {
        String url = ConfigProvider.getConfig().getValue("test.polled.url", String.class);
        var commits = connector.<String>sink("commits");
        // the push must come after the first poll, which announces the head it finds (a move made while no poller
        // ran is not lost)
        await().atMost(Duration.ofSeconds(30)).until(() -> poller.hasBaseline("polled"));
        await().atMost(Duration.ofSeconds(10)).until(() -> commits.received().size() == 1);
        CommitPushed announced =
                EventCodec.decode(CommitPushed.class, commits.received().get(0).getPayload());
        assertThat(announced.before()).isEqualTo(CommitPushed.ZERO_SHA);

        RevCommit before;
        RevCommit pushed;
        try (Git git =
                Git.cloneRepository().setURI(url).setDirectory(work.toFile()).call()) {
            before = git.log().call().iterator().next();
            Files.writeString(work.resolve("a.yaml"), "a: 2\n");
            git.add().addFilepattern("a.yaml").call();
            pushed = git.commit()
                    .setMessage("second")
                    .setAuthor("P", "p@x")
                    .setCommitter("P", "p@x")
                    .call();
            git.push().call();
        }

        assertThat(announced.after()).as("the head the first poll found").isEqualTo(before.name());
        await().atMost(Duration.ofSeconds(10)).until(() -> commits.received().size() == 2);
        CommitPushed push =
                EventCodec.decode(CommitPushed.class, commits.received().get(1).getPayload());
        assertThat(push.provider()).isEqualTo("poll");
        assertThat(push.ref()).isEqualTo("refs/heads/main");
        assertThat(push.before()).isEqualTo(before.name());
        assertThat(push.after()).isEqualTo(pushed.name());
    }
}
