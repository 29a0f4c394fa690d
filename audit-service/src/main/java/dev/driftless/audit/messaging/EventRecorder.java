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
import java.sql.SQLException;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Records every event of every Driftless topic, the dead-letter topic included, in the change log. The offset is
 * committed only after the row is written; a database failure nacks the message so it is not lost.
 */
@ApplicationScoped
public class EventRecorder {

    private static final Logger LOG = Logger.getLogger(EventRecorder.class);

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
        ReceivedEvent event = ReceivedEvent.of(message);
        String fallbackId = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> m.getTopic() + "-" + m.getPartition() + "-" + m.getOffset())
                .orElse("unknown");
        ChangeEntry entry = Entries.of(event, fallbackId);
        try {
            boolean added = changeLog.append(entry);
            String outcome = !added ? "duplicate" : entry.rejected() ? "rejected" : "recorded";
            metrics.counter("driftless.audit.events", "type", entry.type(), "outcome", outcome)
                    .increment();
            if (entry.rejected()) {
                LOG.warnf("recorded %s %s as rejected: %s", entry.type(), entry.eventId(), entry.rejectionReason());
            }
            if (added) {
                dora.onRecorded(entry);
                statuses.onRecorded(entry);
            }
            return message.ack();
        } catch (SQLException e) {
            LOG.errorf("cannot record %s %s: %s", entry.type(), entry.eventId(), e.getMessage());
            return message.nack(e);
        }
    }
}
