package dev.driftless.audit.messaging;

import dev.driftless.audit.domain.ChangeEntry;
import dev.driftless.audit.domain.DoraTally;
import dev.driftless.audit.store.ChangeLog;
import dev.driftless.events.EventType;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
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
 * histograms reach further than Micrometer's default of 30 s, since a lead time or a restore can take minutes or hours
 * ({@link DoraSeries}, which keeps them compact: they are per application). Each application's histograms are shown,
 * empty, when it is first seen (and at start for every application the log knows), so its series exist before its
 * first sample; nothing is recorded that did not happen.
 */
@ApplicationScoped
public class DoraMeters {

    private static final Logger LOG = Logger.getLogger(DoraMeters.class);

    @Inject
    PrometheusMeterRegistry prometheus;

    private final DoraSeries series = new DoraSeries();

    @PostConstruct
    void showSeries() {
        prometheus.getPrometheusRegistry().register(series);
    }

    @PreDestroy
    void hideSeries() {
        prometheus.getPrometheusRegistry().unregister(series);
    }

    @Inject
    ChangeLog changeLog;

    /** Each application's tally (the one DORA definition), resumed from the log when first seen after start. */
    private final Map<String, DoraTally> tallies = new ConcurrentHashMap<>();

    /** Shows the series of every application the log knows, so dashboards have their series after a restart. */
    void registerKnown(@Observes StartupEvent start) {
        try {
            changeLog.activeApplications().forEach(this::register);
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("DORA series of known applications not shown at start: %s", e.getMessage());
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
            series.deployment(application, true);
        }
        if (counted.failure()) {
            series.deployment(application, false);
        }
        if (counted.leadTime() != null) {
            series.record(application, DoraSeries.Measure.LEAD_TIME, counted.leadTime());
        }
        if (counted.healthyLeadTime() != null) {
            series.record(application, DoraSeries.Measure.HEALTHY_LEAD_TIME, counted.healthyLeadTime());
        }
        if (counted.restore() != null) {
            series.record(application, DoraSeries.Measure.RESTORE_TIME, counted.restore());
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
        series.show(application);
    }
}
