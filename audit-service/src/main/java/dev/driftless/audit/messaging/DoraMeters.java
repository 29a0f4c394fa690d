package dev.driftless.audit.messaging;

import dev.driftless.audit.domain.ChangeEntry;
import dev.driftless.audit.store.ChangeLog;
import dev.driftless.events.EventType;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * DORA metrics for Grafana, updated as sync events are recorded: {@code driftless_audit_deployments_total}
 * (by application and outcome), {@code driftless_audit_lead_time_seconds} (push received → synced) and
 * {@code driftless_audit_restore_time_seconds} (first failure → next success), as histograms.
 */
@ApplicationScoped
public class DoraMeters {

    @Inject
    MeterRegistry metrics;

    @Inject
    ChangeLog changeLog;

    private final Map<String, Instant> brokenSince = new ConcurrentHashMap<>();

    void onRecorded(ChangeEntry entry) throws SQLException {
        if (entry.application() == null || entry.rejected()) {
            return;
        }
        Instant at = entry.eventTime() == null ? Instant.now() : entry.eventTime();
        if (EventType.SYNC_SUCCEEDED.type().equals(entry.type())) {
            metrics.counter("driftless.audit.deployments", "application", entry.application(), "outcome", "succeeded")
                    .increment();
            if (entry.commit() != null) {
                var push = changeLog.firstPush(entry.commit());
                if (push.isPresent() && !at.isBefore(push.get().recordedAt())) {
                    timer("driftless.audit.lead.time", "Push received to synced", entry.application())
                            .record(Duration.between(push.get().recordedAt(), at));
                }
            }
            Instant broken = brokenSince.remove(entry.application());
            if (broken != null) {
                timer("driftless.audit.restore.time", "First failure to the next successful sync", entry.application())
                        .record(Duration.between(broken, at));
            }
        } else if (EventType.SYNC_FAILED.type().equals(entry.type())) {
            metrics.counter("driftless.audit.deployments", "application", entry.application(), "outcome", "failed")
                    .increment();
            brokenSince.putIfAbsent(entry.application(), at);
        }
    }

    private Timer timer(String name, String description, String application) {
        return Timer.builder(name)
                .description(description)
                .tag("application", application)
                .publishPercentileHistogram()
                .register(metrics);
    }
}
