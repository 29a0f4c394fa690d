package dev.driftless.webhook.git;

import dev.driftless.events.CommitPushed;
import dev.driftless.events.RepositoryUrls;
import dev.driftless.webhook.WebhookConfig;
import dev.driftless.webhook.domain.RefMoves;
import dev.driftless.webhook.messaging.CommitPublisher;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Ref;
import org.jboss.logging.Logger;

/**
 * The polling fallback: asks each configured repository for its refs ({@code ls-remote} through JGit) on its
 * interval, with jitter, and publishes a {@code commit.pushed} (provider {@code poll}) for each watched ref that
 * moved. A webhook and a poll of the same move give two events, but render-service renders a head only once. Only the
 * replica that leads polls ({@link dev.driftless.events.Leadership}).
 */
@ApplicationScoped
public class RefPoller {

    private static final Logger LOG = Logger.getLogger(RefPoller.class);

    @Inject
    WebhookConfig config;

    @Inject
    CommitPublisher publisher;

    @Inject
    @io.smallrye.common.annotation.Identifier("leadership")
    dev.driftless.events.Leadership leadership;

    private final Map<String, Map<String, String>> seen = new ConcurrentHashMap<>();
    private final Map<String, Instant> due = new ConcurrentHashMap<>();

    @Scheduled(every = "1s", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (!leadership.leads()) {
            seen.clear(); // a replica that leads again starts from a fresh baseline
            due.clear();
            return;
        }
        Instant now = Instant.now();
        config.poll().forEach((name, poll) -> {
            if (now.isBefore(due.getOrDefault(name, Instant.MIN))) {
                return;
            }
            long jitter = ThreadLocalRandom.current().nextLong(poll.interval().toMillis() / 10 + 1);
            due.put(name, now.plus(poll.interval()).plusMillis(jitter));
            poll(name, poll);
        });
    }

    /** Whether the poll of that name has read its refs once (its baseline: a move is a change from it). */
    boolean hasBaseline(String name) {
        return seen.containsKey(name);
    }

    void poll(String name, WebhookConfig.Poll poll) {
        Map<String, String> current = new HashMap<>();
        try {
            Map<String, Ref> refs = Git.lsRemoteRepository()
                    .setRemote(poll.url())
                    .setHeads(true)
                    .setTags(true)
                    .setTimeout(30)
                    .callAsMap();
            for (String ref : poll.refs()) {
                Ref found = refs.get(ref);
                if (found != null) {
                    current.put(
                            ref,
                            (found.getPeeledObjectId() != null ? found.getPeeledObjectId() : found.getObjectId())
                                    .name());
                }
            }
        } catch (GitAPIException | RuntimeException e) {
            LOG.warnf("RepositoryUnreachable: cannot poll %s (%s): %s", name, poll.url(), e.getMessage());
            return;
        }
        String repository = RepositoryUrls.normalise(poll.url());
        List<CommitPushed> moves = RefMoves.between(repository, poll.refs(), seen.get(name), current, Instant.now());
        for (CommitPushed move : moves) {
            try {
                publisher
                        .publish(move, config.publishTimeout())
                        .await()
                        .atMost(config.publishTimeout().plus(Duration.ofSeconds(1)));
                LOG.infof("polled %s: %s moved %s..%s", name, move.ref(), move.before(), move.after());
            } catch (RuntimeException e) {
                LOG.warnf(
                        "BrokerUnavailable: could not publish the move of %s %s; will publish it on the next poll",
                        name, move.ref());
                return;
            }
        }
        seen.put(name, current);
    }
}
