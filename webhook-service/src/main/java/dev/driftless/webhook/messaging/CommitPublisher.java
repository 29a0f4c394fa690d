package dev.driftless.webhook.messaging;

import dev.driftless.events.CloudEventExtensions;
import dev.driftless.events.CommitPushed;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventType;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Publishes {@code commit.pushed} events to {@code driftless.commits}, keyed by repository so a repository's pushes
 * stay in order, signed with webhook-service's Ed25519 key ({@code driftless.webhook.signing-key-file}): render-service
 * renders for no push that key did not sign. The returned {@link Uni} completes only when the broker acknowledged the
 * event.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup
public class CommitPublisher {

    /** The outgoing channel, configured in {@code application.properties}. */
    public static final String CHANNEL = "commits";

    static final URI SOURCE = URI.create("urn:driftless:webhook-service");

    @Inject
    @Channel(CHANNEL)
    MutinyEmitter<String> emitter;

    private dev.driftless.events.EventSignatures.Signer signer;

    /**
     * Pushes are signed (render-service acts on no other); a key file set but unreadable stops the start (the bean is
     * created at start, not on the first request).
     */
    @jakarta.annotation.PostConstruct
    void readSigningKey() {
        signer = dev.driftless.events.TrustedSigners.signer("driftless.webhook.signing-key-file");
    }

    /**
     * The CloudEvent id of a push: stable across the provider's retries of one delivery, and of its repository (a
     * delivery id that another repository's hook chose, or guessed, names another event).
     */
    public static String eventId(CommitPushed push) {
        return Envelope.stableId("commit.pushed", push.provider(), push.repository(), push.deliveryId(), push.ref());
    }

    /** Sends the event; fails if the broker does not acknowledge it within the timeout. */
    public Uni<String> publish(CommitPushed push, Duration timeout) {
        String id = eventId(push);
        return emitter.sendMessage(message(push, id))
                .ifNoItem()
                .after(timeout)
                .fail()
                .replaceWith(id);
    }

    /**
     * Builds and signs the event of a push as {@link #publish} would, and drops it: run once at start, so the first
     * push does not wait for the code that does it to load.
     */
    public void prepare(CommitPushed push) {
        message(push, eventId(push));
    }

    private org.eclipse.microprofile.reactive.messaging.Message<String> message(CommitPushed push, String id) {
        Map<String, String> extensions = new HashMap<>();
        extensions.put(CloudEventExtensions.REPOSITORY, push.repository());
        extensions.put(CloudEventExtensions.COMMIT, push.after());
        extensions.put(CloudEventExtensions.DELIVERY_ID, push.deliveryId());
        Envelope envelope = new Envelope(EventType.COMMIT_PUSHED, id, push.repository(), push.receivedAt(), extensions);
        return envelope.toMessage(push, push.repository(), SOURCE, signer);
    }
}
