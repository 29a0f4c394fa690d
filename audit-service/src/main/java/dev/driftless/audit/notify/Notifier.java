package dev.driftless.audit.notify;

import dev.driftless.audit.domain.Notice;
import dev.driftless.audit.store.ChangeLog;
import dev.driftless.events.ReceivedEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Sends notices ({@link Notice}: a failed sync, health gone Degraded, drift) to the configured HTTP endpoints. It reads
 * {@code driftless.syncs} in a consumer group of its own, so a slow or failing endpoint never holds up the change log
 * or anything else: a notice is handed to a scheduler and the record acknowledged at once. A failed delivery (no
 * answer, or anything but 2xx) is tried again with a backoff that doubles up to {@code max-backoff}, until
 * {@code give-up-after}; each event reaches each endpoint once (a redelivered record is recognised by its event id).
 * Endpoint addresses and credentials are never logged.
 */
@ApplicationScoped
public class Notifier {

    private static final Logger LOG = Logger.getLogger(Notifier.class);
    static final Set<String> FORMATS = Set.of("json", "slack", "teams");
    private static final int REMEMBERED = 10_000;

    @Inject
    NotifyConfig config;

    @Inject
    ChangeLog changeLog;

    @Inject
    MeterRegistry metrics;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ScheduledExecutorService deliveries = Executors.newScheduledThreadPool(2, r -> {
        Thread thread = new Thread(r, "notifications");
        thread.setDaemon(true);
        return thread;
    });
    /** Deliveries already taken on, by endpoint and event id: a redelivered record is not sent twice. */
    private final Set<String> taken = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    });

    /** Refuses to start with an endpoint that could never be sent to, naming it and what is wrong. */
    void validate(@Observes StartupEvent start) {
        config.endpoints().forEach((name, endpoint) -> {
            String at = "driftless.notify.endpoints." + name;
            URI uri;
            try {
                uri = URI.create(endpoint.url());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + ".url: not a URL");
            }
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException(at + ".url: must be an http or https URL");
            }
            if (!FORMATS.contains(endpoint.format())) {
                throw new IllegalArgumentException(
                        at + ".format: " + endpoint.format() + " is none of json, slack, teams");
            }
            for (String kind : endpoint.events().orElse(List.of())) {
                if (java.util.Arrays.stream(Notice.Kind.values())
                        .noneMatch(k -> k.word().equals(kind))) {
                    throw new IllegalArgumentException(at + ".events: " + kind
                            + " is none of sync-failed, health-degraded, drift-detected, out-of-sync");
                }
            }
        });
        if (!config.endpoints().isEmpty()) {
            LOG.infof("notifications go to %s", config.endpoints().keySet());
        }
    }

    @PreDestroy
    void stop() {
        deliveries.shutdownNow();
    }

    /** A rendered commit not applied yet: since when, and whether its notice went out. */
    private record Unapplied(String commit, Instant since, boolean told) {}

    /** Per application, its newest render while it is not applied (from both topics, in each one's order). */
    private final Map<String, Unapplied> unapplied = new java.util.concurrent.ConcurrentHashMap<>();

    private final Map<String, String> lastApplied = new java.util.concurrent.ConcurrentHashMap<>();

    @Incoming("notifications")
    @Blocking
    public CompletionStage<Void> onEvent(Message<String> message) {
        if (!config.endpoints().isEmpty()) {
            try {
                ReceivedEvent event = ReceivedEvent.of(message);
                if (dev.driftless.events.EventType.RENDER_SUCCEEDED.type().equals(event.type())) {
                    rendered(event); // from its headers and target: a bundle is never decoded here
                    return message.ack();
                }
                if (dev.driftless.events.EventType.APPLICATION_REMOVED.type().equals(event.type())
                        && event.key() != null) {
                    unapplied.remove(event.key());
                    lastApplied.remove(event.key());
                    return message.ack();
                }
                Record data = event.data();
                if (data instanceof dev.driftless.events.SyncReport report
                        && dev.driftless.events.SyncReport.SUCCEEDED.equals(report.status())) {
                    lastApplied.put(report.application(), report.commit());
                    unapplied.computeIfPresent(
                            report.application(), (app, u) -> u.commit().equals(report.commit()) ? null : u);
                }
                Notice.of(event.id(), data, Instant.now()).ifPresent(this::route);
            } catch (RuntimeException e) { // not an event of ours, or malformed: the change log records it
                LOG.debugf("no notice for a record of %s: %s", "driftless.syncs", e.getMessage());
            }
        }
        return message.ack();
    }

    private void rendered(ReceivedEvent event) {
        Object commit = event.extensions().get("commit");
        String application = event.key();
        if (commit == null || application == null || String.valueOf(commit).equals(lastApplied.get(application))) {
            return;
        }
        if (suspended(event.json())) {
            unapplied.remove(application); // nothing is applied while suspended: nothing to tell
            return;
        }
        // since it was read here, not made: a notifier that lags behind does not tell of what is being applied
        Instant at = Instant.now();
        unapplied.merge(
                application,
                new Unapplied(String.valueOf(commit), at, false),
                (before, next) -> new Unapplied(next.commit(), before.since(), before.told()));
    }

    /**
     * Whether a render's target says {@code suspended}, read by streaming past everything else (the manifests are
     * skipped, never built).
     */
    static boolean suspended(String json) {
        if (json == null) {
            return false;
        }
        try (com.fasterxml.jackson.core.JsonParser parser = JSON_FACTORY.createParser(json)) {
            if (parser.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                return false;
            }
            while (parser.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if ("target".equals(field)) {
                    com.fasterxml.jackson.databind.JsonNode target = MAPPER.readTree(parser);
                    return target.path("suspended").asBoolean(false);
                }
                parser.skipChildren();
            }
        } catch (java.io.IOException e) {
            return false;
        }
        return false;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
            new com.fasterxml.jackson.databind.ObjectMapper();
    private static final com.fasterxml.jackson.core.JsonFactory JSON_FACTORY = MAPPER.getFactory();

    /** Tells of every application whose newest render has waited longer than {@code out-of-sync-after}, once. */
    @io.quarkus.scheduler.Scheduled(
            every = "${driftless.notify.check-interval:30s}",
            concurrentExecution = io.quarkus.scheduler.Scheduled.ConcurrentExecution.SKIP)
    void tellOutOfSync() {
        Instant now = Instant.now();
        unapplied.forEach((application, waiting) -> {
            if (!waiting.told() && waiting.since().plus(config.outOfSyncAfter()).isBefore(now)) {
                unapplied.computeIfPresent(
                        application, (app, u) -> u == waiting ? new Unapplied(u.commit(), u.since(), true) : u);
                route(Notice.outOfSync(application, waiting.commit(), waiting.since(), now));
            }
        });
    }

    private void route(Notice notice) {
        Optional<String> project = null;
        for (var endpoint : config.endpoints().entrySet()) {
            NotifyConfig.Endpoint to = endpoint.getValue();
            if (to.events().isPresent()
                    && !to.events().get().contains(notice.kind().word())) {
                continue;
            }
            if (to.projects().isPresent()) {
                if (project == null) {
                    project = projectOf(notice.application());
                }
                if (project.isEmpty() || !to.projects().get().contains(project.get())) {
                    continue;
                }
            }
            boolean first;
            synchronized (taken) {
                first = taken.add(endpoint.getKey() + " " + notice.eventId());
            }
            if (first) {
                String body = notice.body(to.format(), config.consoleUrl());
                deliveries.execute(() -> deliver(endpoint.getKey(), to, notice, body, 1, Instant.now()));
            }
        }
    }

    private Optional<String> projectOf(String application) {
        try {
            return Optional.of(changeLog.projectOf(application).orElse("default"));
        } catch (SQLException e) {
            LOG.warnf(
                    "the project of %s cannot be read (%s): notices routed by project skip it",
                    application, e.getMessage());
            return Optional.empty();
        }
    }

    private void deliver(
            String name, NotifyConfig.Endpoint to, Notice notice, String body, int attempt, Instant firstTried) {
        String outcome;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(to.url()))
                    .timeout(config.timeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "driftless-audit-service")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            to.authorization().ifPresent(value -> request.header("Authorization", value));
            int status = http.send(request.build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
            if (status / 100 == 2) {
                metrics.counter("driftless.audit.notifications", "endpoint", name, "outcome", "sent")
                        .increment();
                return;
            }
            outcome = "answered " + status;
        } catch (java.io.IOException | IllegalArgumentException e) {
            outcome = e.getClass().getSimpleName();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Duration wait = backoff(attempt);
        if (Instant.now().plus(wait).isAfter(firstTried.plus(config.giveUpAfter()))) {
            metrics.counter("driftless.audit.notifications", "endpoint", name, "outcome", "given-up")
                    .increment();
            LOG.warnf(
                    "gave up the %s notice of %s (%s) to endpoint %s after %d attempts: it %s",
                    notice.kind().word(), notice.application(), notice.eventId(), name, attempt, outcome);
            return;
        }
        metrics.counter("driftless.audit.notifications", "endpoint", name, "outcome", "retried")
                .increment();
        if (attempt == 1) {
            LOG.warnf(
                    "the %s notice of %s to endpoint %s failed (%s); retrying, every %s at most",
                    notice.kind().word(), notice.application(), name, outcome, config.maxBackoff());
        }
        try {
            deliveries.schedule(
                    () -> deliver(name, to, notice, body, attempt + 1, firstTried),
                    wait.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping
        }
    }

    private Duration backoff(int attempt) {
        long millis = config.backoff().toMillis() << Math.min(20, attempt - 1);
        return Duration.ofMillis(Math.min(millis, config.maxBackoff().toMillis()));
    }
}
