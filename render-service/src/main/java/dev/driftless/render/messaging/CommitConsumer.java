package dev.driftless.render.messaging;

import dev.driftless.events.CommitPushed;
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
 * On each {@code commit.pushed} webhook-service signed: render the applications whose files the push changed, at the
 * head of the pushed ref, and publish the outcomes, then commit the offset. A push no trusted key signed is set aside
 * ({@code PushUnsigned}). An event that can never be read, or whose handling fails
 * unexpectedly, goes to the dead-letter topic with its reason and the consumer goes on.
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

    /**
     * Prepares at start what a push's handling needs before it renders (its schema and record, the trusted keys):
     * the first push after start no longer waits for it.
     */
    void prepare(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent start) {
        dev.driftless.events.EventSchemas.prepare(List.of(dev.driftless.events.EventType.COMMIT_PUSHED));
        pushSigners.prepare();
    }

    @Incoming("commits")
    @Blocking
    public CompletionStage<Void> onCommit(Message<String> message) {
        ReceivedEvent event = ReceivedEvent.of(message);
        publisher.processOrSetAside(event, data -> handle(event, data));
        return message.ack();
    }

    /** The keys pushes must be signed with: webhook-service's. */
    private final dev.driftless.events.TrustedSigners pushSigners =
            new dev.driftless.events.TrustedSigners("driftless.render.trusted-push-keys-file");

    /** The reason a push no trusted key signed is set aside with; nothing is rendered for it. */
    static final String PUSH_UNSIGNED = "PushUnsigned";

    private void handle(ReceivedEvent event, Record data) {
        if (!(data instanceof CommitPushed push)) {
            LOG.warnf("ignoring %s on %s: not a push", event.type(), event.topic());
            return;
        }
        var unsigned = pushSigners.problem(event);
        if (unsigned.isPresent()) {
            LOG.warnf("%s: setting aside %s (%s): %s", PUSH_UNSIGNED, event.id(), push.repository(), unsigned.get());
            publisher.deadLetter(event.deadLetter("render-service", PUSH_UNSIGNED, "not rendered: " + unsigned.get()));
            return;
        }
        // a suspended application (spec.suspend) renders nothing until it is resumed
        List<Application> active = catalog.applications().stream()
                .filter(app -> !app.target().suspended())
                .toList();
        List<Application> affected = RevisionMatcher.affected(active, push);
        if (!affected.isEmpty()) {
            renderer.renderPush(affected, push, event.id(), publisher::publish);
        }
        List<Application> followingTags = RevisionMatcher.followingTags(active, push);
        if (!followingTags.isEmpty()) {
            renderer.renderTagFollowers(followingTags, event.id()).forEach(publisher::publish);
        }
    }
}
