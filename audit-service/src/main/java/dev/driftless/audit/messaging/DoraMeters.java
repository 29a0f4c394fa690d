package dev.driftless.audit.messaging;

import dev.driftless.audit.domain.ChangeEntry;
import dev.driftless.audit.domain.StoredEvent;
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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * DORA metrics for Grafana, updated as events are recorded: {@code driftless_audit_deployments_total} (by application
 * and outcome), and as histograms {@code driftless_audit_lead_time_seconds} (push → synced),
 * {@code driftless_audit_healthy_lead_time_seconds} (push → the application first reported Healthy at that commit)
 * and {@code driftless_audit_restore_time_seconds} (first failure → next success).
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

    private final Map<String, Instant> brokenSince = new ConcurrentHashMap<>();
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
        if (EventType.SYNC_SUCCEEDED.type().equals(entry.type())) {
            metrics.counter("driftless.audit.deployments", "application", entry.application(), "outcome", "succeeded")
                    .increment();
            if (entry.commit() != null) {
                Optional<Instant> pushed = changeLog.pushedAt(entry.commit());
                if (pushed.isPresent() && !at.isBefore(pushed.get())) {
                    leadTime(entry.application()).record(Duration.between(pushed.get(), at));
                }
            }
            Instant broken = brokenSince.remove(entry.application());
            if (broken != null) {
                restoreTime(entry.application()).record(Duration.between(broken, at));
            }
        } else if (EventType.SYNC_FAILED.type().equals(entry.type())) {
            metrics.counter("driftless.audit.deployments", "application", entry.application(), "outcome", "failed")
                    .increment();
            brokenSince.putIfAbsent(entry.application(), at);
        } else if (EventType.HEALTH_CHANGED.type().equals(entry.type()) && entry.commit() != null) {
            onHealthChanged(entry, at);
        }
    }

    /**
     * Records push → healthy when this event is the application's first {@code Healthy} at its commit, in log order:
     * a redelivery is never recorded twice (the log keeps one copy), and a later return to Healthy at the same
     * commit (after Degraded, or after sync-service restarted) is not a new rollout.
     */
    private void onHealthChanged(ChangeEntry entry, Instant eventTime) throws SQLException {
        Optional<StoredEvent> first = changeLog.firstHealthy(entry.application(), entry.commit());
        if (first.isEmpty() || !first.get().eventId().equals(entry.eventId())) {
            return;
        }
        Optional<Instant> pushed = changeLog.pushedAt(entry.commit());
        if (pushed.isEmpty()) {
            return;
        }
        Instant healthy = changedAt(first.get()).orElse(eventTime);
        if (!healthy.isBefore(pushed.get())) {
            healthyLeadTime(entry.application()).record(Duration.between(pushed.get(), healthy));
        }
    }

    private static Optional<Instant> changedAt(StoredEvent event) {
        String value = event.data().path("changedAt").asText("");
        try {
            return value.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(value));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

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

    private Timer timer(String name, String description, String application, Duration max) {
        return Timer.builder(name)
                .description(description)
                .tag("application", application)
                .publishPercentileHistogram()
                .maximumExpectedValue(max)
                .register(metrics);
    }
}
