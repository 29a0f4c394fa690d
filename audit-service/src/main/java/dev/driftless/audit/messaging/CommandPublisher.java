package dev.driftless.audit.messaging;

import dev.driftless.events.CloudEventExtensions;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventType;
import dev.driftless.events.ResyncRequested;
import dev.driftless.events.RollbackRequested;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Publishes resync and rollback commands to {@code driftless.commands}, keyed by application, awaiting the ack. */
@ApplicationScoped
public class CommandPublisher {

    static final URI SOURCE = URI.create("urn:driftless:audit-service");

    @Inject
    @Channel("commands")
    MutinyEmitter<String> commands;

    private dev.driftless.events.EventSignatures.Signer signer;

    /** Commands are signed (render-service acts on no other); a key file set but unreadable stops the start. */
    @jakarta.annotation.PostConstruct
    void readSigningKey() {
        signer = dev.driftless.events.TrustedSigners.signer("driftless.audit.signing-key-file");
    }

    /** Publishes a resync; returns the command's event id. */
    public String resync(ResyncRequested command) {
        return send(EventType.COMMAND_RESYNC, command.application(), null, command);
    }

    /** Publishes a rollback; returns the command's event id. */
    public String rollback(RollbackRequested command) {
        return send(EventType.COMMAND_ROLLBACK, command.application(), command.commit(), command);
    }

    private String send(EventType type, String application, String commit, Record command) {
        String id = UUID.randomUUID().toString();
        Map<String, String> extensions = new HashMap<>();
        extensions.put(CloudEventExtensions.APPLICATION, application);
        extensions.put(CloudEventExtensions.COMMIT, commit);
        commands.sendMessageAndAwait(new Envelope(type, id, application, java.time.Instant.now(), extensions)
                .toMessage(command, application, SOURCE, signer));
        return id;
    }
}
