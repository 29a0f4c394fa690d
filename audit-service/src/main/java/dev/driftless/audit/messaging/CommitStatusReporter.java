package dev.driftless.audit.messaging;

import dev.driftless.audit.AuditConfig;
import dev.driftless.audit.domain.ChangeEntry;
import dev.driftless.audit.domain.CommitStatus;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Reports each application's outcome back to the Git provider as a commit status, for repositories configured under
 * {@code driftless.audit.commit-status}. Runs on its own small pool with a bounded queue and retries with backoff,
 * so it never blocks the log: when the queue is full the status is dropped with a warning and counted.
 */
@ApplicationScoped
public class CommitStatusReporter {

    private static final Logger LOG = Logger.getLogger(CommitStatusReporter.class);
    private static final int ATTEMPTS = 4;

    @Inject
    AuditConfig config;

    @Inject
    MeterRegistry metrics;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ThreadPoolExecutor pool =
            new ThreadPoolExecutor(1, 2, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1000), r -> {
                Thread t = new Thread(r, "commit-status");
                t.setDaemon(true);
                return t;
            });

    void onRecorded(ChangeEntry entry) {
        if (config.commitStatus().isEmpty()) {
            return;
        }
        CommitStatus.of(entry).ifPresent(update -> config.commitStatus().forEach((name, target) -> {
            if (!CommitStatus.matches(target.repository(), entry.repository())) {
                return;
            }
            CommitStatus.Request request = CommitStatus.request(
                    target.provider(),
                    target.apiUrl(),
                    CommitStatus.repositoryPath(entry.repository()),
                    target.token(),
                    update,
                    config.api().publicUrl() + "/api/commits/" + update.commit());
            try {
                pool.execute(() -> send(name, request, update));
            } catch (RejectedExecutionException e) {
                count(name, "dropped");
                LOG.warnf("commit status %s for %s dropped: the queue is full", update.context(), update.commit());
            }
        }));
    }

    private void send(String target, CommitStatus.Request request, CommitStatus.Update update) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri())
                .timeout(Duration.ofSeconds(10))
                .method(request.method(), HttpRequest.BodyPublishers.ofString(request.body()));
        request.headers().forEach(builder::header);
        long backoff = 500;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            int status = -1;
            try {
                status = http.send(builder.build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                if (status >= 200 && status < 300) {
                    count(target, "reported");
                    return;
                }
                if (status < 500 && status != 429) {
                    count(target, "refused");
                    LOG.warnf(
                            "commit status %s %s for %s refused by %s: HTTP %d",
                            update.context(), update.state(), update.commit(), target, status);
                    return;
                }
            } catch (IOException e) {
                LOG.debugf("commit status to %s failed: %s", target, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (attempt < ATTEMPTS) {
                try {
                    TimeUnit.MILLISECONDS.sleep(
                            backoff + ThreadLocalRandom.current().nextLong(backoff / 2));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff *= 2;
            } else {
                LOG.warnf(
                        "commit status %s for %s not reported to %s after %d attempts (last: %d)",
                        update.context(), update.commit(), target, ATTEMPTS, status);
            }
        }
        count(target, "failed");
    }

    private void count(String target, String outcome) {
        metrics.counter("driftless.audit.commit.statuses", "target", target, "outcome", outcome)
                .increment();
    }

    @PreDestroy
    void stop() {
        pool.shutdown();
    }
}
