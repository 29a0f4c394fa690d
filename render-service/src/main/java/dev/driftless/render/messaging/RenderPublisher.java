package dev.driftless.render.messaging;

import dev.driftless.events.CloudEventExtensions;
import dev.driftless.events.DeadLetter;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventType;
import dev.driftless.events.RenderFailed;
import dev.driftless.events.RenderSucceeded;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Publishes render outcomes to {@code driftless.renders} keyed by application, and dead letters to
 * {@code driftless.deadletter}; each call returns once the broker acknowledged the event.
 */
@ApplicationScoped
public class RenderPublisher {

    static final URI SOURCE = URI.create("urn:driftless:render-service");

    @Inject
    @Channel("renders")
    MutinyEmitter<String> renders;

    @Inject
    @Channel("deadletter")
    MutinyEmitter<String> deadLetters;

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

    /** Sets a message aside with its reason. */
    public void deadLetter(DeadLetter letter) {
        Envelope envelope = new Envelope(
                EventType.DEAD_LETTER,
                Envelope.stableId(
                        "deadletter",
                        letter.service(),
                        String.valueOf(letter.topic()),
                        String.valueOf(letter.originalId()),
                        letter.payload() == null ? "" : letter.payload()),
                letter.topic(),
                Instant.now(),
                Map.of());
        deadLetters.sendMessageAndAwait(envelope.toMessage(letter, letter.key(), SOURCE));
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
        renders.sendMessageAndAwait(envelope.toMessage(data, application, SOURCE));
    }
}
