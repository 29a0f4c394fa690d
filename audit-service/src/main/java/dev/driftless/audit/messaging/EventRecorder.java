package dev.driftless.audit.messaging;

import dev.driftless.audit.domain.ChangeEntry;
import dev.driftless.audit.domain.Entries;
import dev.driftless.audit.store.ChangeLog;
import dev.driftless.events.ReceivedEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Records every event of every Driftless topic, the dead-letter topic included, in the change log. The offset is
 * committed only after the row is written. A database that cannot be reached (a connection refused or reset, no
 * connection to be had from the pool, a server shutting down) is waited for: the write is retried with backoff up to
 * {@value #MAX_BACKOFF_MS} ms for as long as it takes, the consumer holds its place meanwhile, readiness reports the
 * database down and {@code driftless_audit_database_retries_total} counts the attempts, so an outage loses nothing and
 * records nothing twice (the event id is unique). Data the database cannot store as it is (a NUL character, say) is
 * recorded rejected, escaped. Only an error that retrying cannot mend (a missing table, a permission refused) nacks
 * the message and stops the consumer, loudly. What follows a write (metrics, commit statuses) never fails it.
 */
@ApplicationScoped
public class EventRecorder {

    private static final Logger LOG = Logger.getLogger(EventRecorder.class);
    static final long MAX_BACKOFF_MS = 5_000;
    /** The W3C trace-context header, and the CloudEvents distributed-tracing extension attribute of the same name. */
    static final String TRACEPARENT = "traceparent";

    @Inject
    ChangeLog changeLog;

    @Inject
    MeterRegistry metrics;

    @Inject
    DoraMeters dora;

    @Inject
    CommitStatusReporter statuses;

    @Incoming("events")
    @Blocking
    public CompletionStage<Void> record(Message<String> message) {
        ReceivedEvent event = withTraceparent(ReceivedEvent.of(message), message);
        String fallbackId = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> m.getTopic() + "-" + m.getPartition() + "-" + m.getOffset())
                .orElse("unknown");
        ChangeEntry entry = Entries.of(event, fallbackId);
        boolean added;
        try {
            added = append(entry);
        } catch (SQLException e) {
            LOG.errorf("cannot record %s %s: %s", entry.type(), entry.eventId(), e.getMessage());
            return message.nack(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return message.nack(e);
        }
        String outcome = !added ? "duplicate" : entry.rejected() ? "rejected" : "recorded";
        metrics.counter("driftless.audit.events", "type", entry.type(), "outcome", outcome)
                .increment();
        if (added) {
            afterRecorded(entry);
        }
        return message.ack();
    }

    /**
     * The event with the W3C {@code traceparent} Kafka header the producer's OpenTelemetry instrumentation wrote, kept
     * as the CloudEvents distributed-tracing extension attribute {@code traceparent}, so the stored event names the
     * trace it belongs to. An extension the event carries itself wins; no header, no attribute.
     */
    static ReceivedEvent withTraceparent(ReceivedEvent event, Message<String> message) {
        if (event.extensions().containsKey(TRACEPARENT)) {
            return event;
        }
        Optional<String> traceparent = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> m.getHeaders().lastHeader(TRACEPARENT))
                .filter(h -> h.value() != null)
                .map(h -> new String(h.value(), StandardCharsets.UTF_8));
        if (traceparent.isEmpty()) {
            return event;
        }
        Map<String, Object> extensions = new LinkedHashMap<>(event.extensions());
        extensions.put(TRACEPARENT, traceparent.get());
        return new ReceivedEvent(
                event.id(),
                event.type(),
                event.source(),
                event.subject(),
                event.time(),
                extensions,
                event.topic(),
                event.key(),
                event.json());
    }

    private boolean append(ChangeEntry entry) throws SQLException, InterruptedException {
        ChangeEntry toStore = entry;
        long backoff = 200;
        for (int attempt = 1; ; attempt++) {
            try {
                return changeLog.append(toStore);
            } catch (SQLException e) {
                String state = e.getSQLState() == null ? "" : e.getSQLState();
                if (state.startsWith("22") && !toStore.rejected()) {
                    LOG.warnf(
                            "%s %s cannot be stored as it is (%s); recording it rejected, escaped",
                            entry.type(), entry.eventId(), e.getMessage());
                    toStore = Entries.unstorable(entry, e.getMessage());
                    continue;
                }
                if (!unavailable(state)) {
                    throw e;
                }
                metrics.counter("driftless.audit.database.retries").increment();
                if (attempt == 1 || backoff >= MAX_BACKOFF_MS) {
                    LOG.warnf(
                            "database unavailable (%s); %s %s waits, retrying every %d ms at most",
                            e.getMessage(), entry.type(), entry.eventId(), MAX_BACKOFF_MS);
                }
                TimeUnit.MILLISECONDS.sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            }
        }
    }

    /**
     * Whether an error with this SQLState is the database being away rather than the statement being wrong: anything
     * but data (22), integrity (23), syntax or access (42), unsupported feature (0A) and internal (XX) errors. A pool
     * that cannot hand out a connection gives no SQLState at all, and is away too.
     */
    static boolean unavailable(String sqlState) {
        return !(sqlState.startsWith("22")
                || sqlState.startsWith("23")
                || sqlState.startsWith("42")
                || sqlState.startsWith("0A")
                || sqlState.startsWith("XX"));
    }

    private void afterRecorded(ChangeEntry entry) {
        if (entry.rejected()) {
            LOG.warnf("recorded %s %s as rejected: %s", entry.type(), entry.eventId(), entry.rejectionReason());
        }
        try {
            dora.onRecorded(entry);
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("DORA metrics not updated for %s: %s", entry.eventId(), e.getMessage());
        }
        try {
            statuses.onRecorded(entry);
        } catch (RuntimeException e) {
            LOG.warnf("commit status not reported for %s: %s", entry.eventId(), e.getMessage());
        }
    }
}
