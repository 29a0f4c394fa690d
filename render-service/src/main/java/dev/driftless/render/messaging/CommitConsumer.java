package dev.driftless.render.messaging;

import dev.driftless.events.CommitPushed;
import dev.driftless.events.EventMalformedException;
import dev.driftless.events.EventType;
import dev.driftless.events.ReceivedEvent;
import dev.driftless.render.Renderer;
import dev.driftless.render.catalog.CatalogDirectory;
import dev.driftless.render.domain.Application;
import dev.driftless.render.domain.RevisionMatcher;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * On each {@code commit.pushed}: render every application the push affects at the pushed commit and publish the
 * outcome, then commit the offset. An event that can never be read goes to the dead-letter topic with its reason.
 */
@ApplicationScoped
public class CommitConsumer {

    private static final Logger LOG = Logger.getLogger(CommitConsumer.class);

    @Inject
    CatalogDirectory catalog;

    @Inject
    Renderer renderer;

    @Inject
    RenderPublisher publisher;

    @Incoming("commits")
    @Blocking
    public CompletionStage<Void> onCommit(Message<String> message) {
        ReceivedEvent event = ReceivedEvent.of(message);
        CommitPushed push;
        try {
            if (!EventType.COMMIT_PUSHED.type().equals(event.type())) {
                throw new EventMalformedException(
                        "expected " + EventType.COMMIT_PUSHED.type() + " but got " + event.type());
            }
            push = (CommitPushed) event.data();
        } catch (EventMalformedException e) {
            LOG.warnf(
                    "%s: setting aside %s from %s: %s",
                    EventMalformedException.REASON, event.id(), event.topic(), e.getMessage());
            publisher.deadLetter(event.deadLetter("render-service", EventMalformedException.REASON, e.getMessage()));
            return message.ack();
        }
        List<Application> affected = RevisionMatcher.affected(catalog.applications(), push);
        LOG.debugf(
                "push %s %s@%s affects %d application(s)",
                push.deliveryId(), push.ref(), push.after(), affected.size());
        for (Application app : affected) {
            if (renderer.alreadyRendered(app, push.after())) {
                continue;
            }
            publisher.publish(renderer.render(app, push.after(), event.id()));
        }
        return message.ack();
    }
}
