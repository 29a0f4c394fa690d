package dev.driftless.render.messaging;

import dev.driftless.events.ApplicationRemoved;
import dev.driftless.events.CloudEventExtensions;
import dev.driftless.events.DeadLetter;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventMalformedException;
import dev.driftless.events.EventType;
import dev.driftless.events.ReceivedEvent;
import dev.driftless.events.RenderFailed;
import dev.driftless.events.RenderSucceeded;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * Publishes render outcomes to {@code driftless.renders} keyed by application, and dead letters to
 * {@code driftless.deadletter}; each call returns once the broker acknowledged the event.
 */
@ApplicationScoped
public class RenderPublisher {

    private static final Logger LOG = Logger.getLogger(RenderPublisher.class);

    static final URI SOURCE = URI.create("urn:driftless:render-service");

    @Inject
    @Channel("renders")
    MutinyEmitter<String> renders;

    @Inject
    @Channel("deadletter")
    MutinyEmitter<String> deadLetters;

    @Inject
    dev.driftless.render.RenderConfig config;

    private dev.driftless.events.EventSignatures.Signer signer;

    /** Reads the signing key once; a key file that is configured but unreadable stops the service from starting. */
    @jakarta.annotation.PostConstruct
    void readSigningKey() {
        signer = dev.driftless.events.TrustedSigners.signer("driftless.render.signing-key-file");
    }

    /** Publishes a {@link RenderSucceeded} or {@link RenderFailed}. */
    public void publish(Record outcome) {
        if (outcome instanceof RenderSucceeded ok) {
            send(
                    EventType.RENDER_SUCCEEDED,
                    ok.application(),
                    ok.commit(),
                    ok.repository(),
                    ok.renderedAt(),
                    ok,
                    Envelope.stableId(
                            "render", ok.application(), ok.commit(), ok.digest(), String.valueOf(ok.triggeredBy())));
        } else if (outcome instanceof RenderFailed failed) {
            send(
                    EventType.RENDER_FAILED,
                    failed.application(),
                    failed.commit(),
                    failed.repository(),
                    failed.renderedAt(),
                    failed,
                    Envelope.stableId(
                            "render-failed",
                            failed.application(),
                            String.valueOf(failed.commit()),
                            failed.reason(),
                            String.valueOf(failed.triggeredBy())));
        } else {
            throw new IllegalArgumentException("not a render outcome: " + outcome);
        }
    }

    /** Announces that an application left the catalog, keyed by its name like its renders. */
    public void publishRemoved(dev.driftless.render.domain.Application app) {
        Instant now = Instant.now();
        ApplicationRemoved removed =
                new ApplicationRemoved(app.name(), app.repository(), app.target(), app.source(), now);
        Map<String, String> extensions = new HashMap<>();
        extensions.put(CloudEventExtensions.APPLICATION, app.name());
        extensions.put(CloudEventExtensions.REPOSITORY, app.repository());
        Envelope envelope = new Envelope(
                EventType.APPLICATION_REMOVED,
                Envelope.stableId("removed", app.name(), now.toString()),
                app.name(),
                now,
                extensions);
        renders.sendMessageAndAwait(envelope.toMessage(removed, app.name(), SOURCE, signer));
    }

    /** Sets a message aside with its reason. */
    public void deadLetter(DeadLetter letter) {
        deadLetters.sendMessageAndAwait(letter.envelope().toMessage(letter, letter.key(), SOURCE));
    }

    /**
     * The data of a received event, or empty when it can never be read, in which case it has been set aside in the
     * dead-letter topic with reason {@code EventMalformed}.
     */
    public Optional<Record> readOrSetAside(ReceivedEvent event) {
        try {
            return Optional.of(event.data());
        } catch (EventMalformedException e) {
            LOG.warnf(
                    "%s: setting aside %s from %s: %s",
                    EventMalformedException.REASON, event.id(), event.topic(), e.getMessage());
            deadLetter(event.deadLetter("render-service", EventMalformedException.REASON, e.getMessage()));
            return Optional.empty();
        }
    }

    /**
     * Reads an event and hands its data to {@code handler}; an event that can never be read is set aside as
     * {@code EventMalformed}, and one whose handling throws (a bug, an answer nobody foresaw) as
     * {@code ProcessingFailed}, so one bad record never stops the partition for every other application.
     */
    public void processOrSetAside(ReceivedEvent event, java.util.function.Consumer<Record> handler) {
        Optional<Record> read = readOrSetAside(event);
        if (read.isEmpty()) {
            return;
        }
        try {
            handler.accept(read.get());
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s: setting aside %s from %s", DeadLetter.PROCESSING_FAILED, event.id(), event.topic());
            deadLetter(event.deadLetter("render-service", DeadLetter.PROCESSING_FAILED, e.toString()));
        }
    }

    private void send(
            EventType type,
            String application,
            String commit,
            String repository,
            Instant time,
            Record data,
            String id) {
        Map<String, String> extensions = new HashMap<>();
        extensions.put(CloudEventExtensions.APPLICATION, application);
        extensions.put(CloudEventExtensions.COMMIT, commit);
        extensions.put(CloudEventExtensions.REPOSITORY, repository);
        Envelope envelope = new Envelope(type, id, application, time, extensions);
        renders.sendMessageAndAwait(envelope.toMessage(data, application, SOURCE, signer));
    }
}
