package dev.driftless.audit.messaging;

import dev.driftless.audit.domain.ChangeEntry;
import dev.driftless.audit.domain.DoraTally;
import dev.driftless.audit.store.ChangeLog;
import dev.driftless.events.EventType;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * DORA metrics for Grafana, updated as events are recorded, counted with the one definition the API uses
 * ({@link DoraTally}): {@code driftless_audit_deployments_total} (by application; {@code outcome="succeeded"} a
 * deployment of a new commit, {@code outcome="failed"} a failure: a failed sync or health gone Degraded), and as
 * histograms {@code driftless_audit_lead_time_seconds} (push → synced, per deployment),
 * {@code driftless_audit_healthy_lead_time_seconds} (push → the application first reported Healthy at that commit)
 * and {@code driftless_audit_restore_time_seconds} (first failure → next successful sync or Healthy).
 *
 * <p>A push's time is the time of its first {@code commit.pushed} event (when webhook-service received it). The
 * timers' histograms reach further than Micrometer's default of 30 s, since a lead time or a restore can take minutes
 * or hours. Each application's timers are registered, empty, when it is first seen (and at start for every
 * application the log knows), so its series exist before its first sample; nothing is recorded that did not happen.
 */
@ApplicationScoped
public class DoraMeters {

    private static final Logger LOG = Logger.getLogger(DoraMeters.class);

    static final String LEAD_TIME = "driftless.audit.lead.time";
    static final String HEALTHY_LEAD_TIME = "driftless.audit.healthy.lead.time";
    static final String RESTORE_TIME = "driftless.audit.restore.time";
    /** The largest lead time the histograms resolve; longer ones land in {@code +Inf}. */
    static final Duration LEAD_TIME_MAX = Duration.ofHours(1);
    /** The largest time to restore the histogram resolves. */
    static final Duration RESTORE_TIME_MAX = Duration.ofDays(1);

    @Inject
    MeterRegistry metrics;

    @Inject
    ChangeLog changeLog;

    /** Each application's tally (the one DORA definition), resumed from the log when first seen after start. */
    private final Map<String, DoraTally> tallies = new ConcurrentHashMap<>();

    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    /** Registers the timers of every application the log knows, so dashboards have their series after a restart. */
    void registerKnown(@Observes StartupEvent start) {
        try {
            changeLog.activeApplications().forEach(this::register);
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("DORA timers of known applications not registered at start: %s", e.getMessage());
        }
    }

    void onRecorded(ChangeEntry entry) throws SQLException {
        if (entry.application() == null || entry.rejected()) {
            return;
        }
        Instant at = entry.eventTime() == null ? Instant.now() : entry.eventTime();
        if (!EventType.DEAD_LETTER.type().equals(entry.type())
                && !EventType.APPLICATION_REMOVED.type().equals(entry.type())) {
            register(entry.application());
        }
        if (!OUTCOMES.contains(entry.type())) {
            return;
        }
        DoraTally tally = tallies.get(entry.application());
        if (tally == null) {
            tally = tallies.computeIfAbsent(entry.application(), app -> resumed(app, entry.eventId()));
        }
        DoraTally.Counted counted;
        synchronized (tally) {
            counted = tally.add(event(entry, at), this::pushedAt);
        }
        String application = entry.application();
        if (counted.deployment()) {
            metrics.counter("driftless.audit.deployments", "application", application, "outcome", "succeeded")
                    .increment();
        }
        if (counted.failure()) {
            metrics.counter("driftless.audit.deployments", "application", application, "outcome", "failed")
                    .increment();
        }
        if (counted.leadTime() != null) {
            leadTime(application).record(counted.leadTime());
        }
        if (counted.healthyLeadTime() != null) {
            healthyLeadTime(application).record(counted.healthyLeadTime());
        }
        if (counted.restore() != null) {
            restoreTime(application).record(counted.restore());
        }
    }

    /** The events that count (DoraTally): syncs and health changes. */
    private static final Set<String> OUTCOMES =
            Set.of(EventType.SYNC_SUCCEEDED.type(), EventType.SYNC_FAILED.type(), EventType.HEALTH_CHANGED.type());

    /**
     * An application's tally, picked up exactly where its history left it (ChangeLog#doraTally), so a restart neither
     * counts a resync of the deployed commit as a deployment, nor a commit Healthy long ago as newly Healthy, nor
     * forgets a failure in progress, however long the history.
     */
    private DoraTally resumed(String application, String eventId) {
        try {
            return changeLog.doraTally(application, eventId);
        } catch (SQLException e) {
            LOG.warnf("DORA tally of %s starts afresh: its history cannot be read (%s)", application, e.getMessage());
            return new DoraTally();
        }
    }

    /** When a commit's push was received; unknown when the log cannot say now (the count itself goes on). */
    private Optional<Instant> pushedAt(String commit) {
        try {
            return changeLog.pushedAt(commit);
        } catch (SQLException e) {
            LOG.warnf("lead time of %s not measured: its push cannot be read (%s)", commit, e.getMessage());
            return Optional.empty();
        }
    }

    /** What the tally needs of a recorded entry: its type, commit, health and times, from its event's data. */
    private static DoraTally.Event event(ChangeEntry entry, Instant at) {
        com.fasterxml.jackson.databind.JsonNode data;
        try {
            data = JSON.readTree(entry.eventJson()).path("data");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            data = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
        Instant changedAt = null;
        try {
            String value = data.path("changedAt").asText("");
            changedAt = value.isEmpty() ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            // no time of change: the event's time is taken
        }
        return new DoraTally.Event(
                entry.type(), entry.commit(), data.path("current").asText(null), at, changedAt);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private void register(String application) {
        if (registered.add(application)) {
            leadTime(application);
            healthyLeadTime(application);
            restoreTime(application);
        }
    }

    private Timer leadTime(String application) {
        return timer(LEAD_TIME, "Push received to synced", application, LEAD_TIME_MAX);
    }

    private Timer healthyLeadTime(String application) {
        return timer(
                HEALTHY_LEAD_TIME,
                "Push received to the application first reported Healthy at that commit",
                application,
                LEAD_TIME_MAX);
    }

    private Timer restoreTime(String application) {
        return timer(RESTORE_TIME, "First failure to the next successful sync", application, RESTORE_TIME_MAX);
    }

    /**
     * The bucket bounds of the lead-time and restore histograms: a dozen or so, not Micrometer's ~70 of a percentile
     * histogram. These are per application: three timers of about 70 buckets each per application made a scrape of
     * two million bucket lines at 10,000 applications; DORA's questions (seconds, minutes, an hour, a day) need no
     * finer steps.
     */
    static final List<Duration> BUCKETS = List.of(
            Duration.ofMillis(100),
            Duration.ofMillis(250),
            Duration.ofMillis(500),
            Duration.ofSeconds(1),
            Duration.ofMillis(2500),
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            Duration.ofMinutes(1),
            Duration.ofMinutes(2),
            Duration.ofMinutes(5),
            Duration.ofMinutes(10),
            Duration.ofMinutes(30),
            Duration.ofHours(1),
            Duration.ofHours(6),
            Duration.ofDays(1));

    private Timer timer(String name, String description, String application, Duration max) {
        return Timer.builder(name)
                .description(description)
                .tag("application", application)
                .serviceLevelObjectives(BUCKETS.stream()
                        .filter(bound -> bound.compareTo(max) <= 0)
                        .toArray(Duration[]::new))
                .register(metrics);
    }
}
