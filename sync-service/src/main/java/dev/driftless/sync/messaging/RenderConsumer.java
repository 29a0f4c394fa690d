package dev.driftless.sync.messaging;

import dev.driftless.events.ApplicationRemoved;
import dev.driftless.events.DeadLetter;
import dev.driftless.events.EventMalformedException;
import dev.driftless.events.ReceivedEvent;
import dev.driftless.events.RenderFailed;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.SyncReport;
import dev.driftless.sync.Syncer;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * On each {@code render.succeeded}: sync the bundle and publish {@code sync.succeeded} or {@code sync.failed}, then
 * commit the offset. A failed render is never synced (nothing is applied or pruned on a bad render). An event that
 * can never be read goes to the dead-letter topic with its reason. On {@code application.removed}: prune what the
 * application had applied, if its policy says so.
 */
@ApplicationScoped
public class RenderConsumer {

    private static final Logger LOG = Logger.getLogger(RenderConsumer.class);
    static final URI SOURCE = URI.create("urn:driftless:sync-service");

    @Inject
    Syncer syncer;

    @Inject
    SyncPublisher publisher;

    @Inject
    @Channel("deadletter")
    MutinyEmitter<String> deadLetters;

    private final java.util.Map<String, java.time.Instant> newestSynced =
            new java.util.concurrent.ConcurrentHashMap<>();

    @Incoming("renders")
    @Blocking
    public CompletionStage<Void> onRender(Message<String> message) {
        ReceivedEvent event = ReceivedEvent.of(message);
        Record data;
        try {
            data = event.data();
        } catch (EventMalformedException e) {
            LOG.warnf(
                    "%s: setting aside %s from %s: %s",
                    EventMalformedException.REASON, event.id(), event.topic(), e.getMessage());
            setAside(event, EventMalformedException.REASON, e.getMessage());
            return message.ack();
        }
        try {
            handle(event, data);
        } catch (RuntimeException e) {
            // a bug or an answer nobody foresaw: never a reason to stop the partition for every other application
            LOG.errorf(e, "%s: setting aside %s from %s", DeadLetter.PROCESSING_FAILED, event.id(), event.topic());
            setAside(event, DeadLetter.PROCESSING_FAILED, e.toString());
        }
        return message.ack();
    }

    private void setAside(ReceivedEvent event, String reason, String why) {
        var letter = event.deadLetter("sync-service", reason, why);
        deadLetters.sendMessageAndAwait(letter.envelope().toMessage(letter, event.key(), SOURCE));
    }

    private void handle(ReceivedEvent event, Record data) {
        if (data instanceof RenderFailed failed) {
            LOG.infof("not syncing %s: its render failed (%s)", failed.application(), failed.reason());
        } else if (data instanceof RenderSucceeded render) {
            java.time.Instant newest = newestSynced.get(render.application());
            if (newest == null || !render.renderedAt().isBefore(newest)) {
                // what this replica applied is the freshest knowledge; the inventory knows what others (or this one
                // before a restart) applied
                newest = syncer.newerApplied(render).orElse(newest);
            }
            if (newest != null && render.renderedAt().isBefore(newest)) {
                // a newer render of this application was synced already: never go back to an older one
                LOG.infof(
                        "not syncing %s at %s: a newer render (%s) was synced",
                        render.application(), render.commit().substring(0, 7), newest);
                return;
            }
            newestSynced.merge(render.application(), render.renderedAt(), (a, b) -> a.isAfter(b) ? a : b);
            publish(syncer.sync(render, event.id()), event.id(), render.repository());
        } else if (data instanceof ApplicationRemoved removed) {
            syncer.remove(removed, event.id()).ifPresent(report -> publish(report, event.id(), removed.repository()));
        }
    }

    private void publish(SyncReport report, String renderEventId, String repository) {
        publisher.report(report, renderEventId, repository);
    }
}
