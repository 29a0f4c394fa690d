package dev.driftless.render.messaging;

import dev.driftless.events.ReceivedEvent;
import dev.driftless.events.ResyncRequested;
import dev.driftless.events.RollbackRequested;
import dev.driftless.render.Renderer;
import dev.driftless.render.catalog.CatalogDirectory;
import dev.driftless.render.domain.Application;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Commands people give through the audit API: a resync renders the application again from the head of its revision,
 * even if that commit was rendered before; a rollback renders it at the commit asked for, the one way an older commit
 * is applied over a newer one. A command for an application the catalog does not have is logged and dropped; one
 * that cannot be read is dead-lettered.
 */
@ApplicationScoped
public class CommandConsumer {

    private static final Logger LOG = Logger.getLogger(CommandConsumer.class);

    @Inject
    dev.driftless.render.RenderQuarantine quarantine;

    @Inject
    dev.driftless.render.RollbackPins pins;

    /** The actor of the resyncs sync-service asks for itself (after a restart or a rebalance). */
    static final String SYNC_SERVICE = "sync-service";

    @Inject
    CatalogDirectory catalog;

    @Inject
    Renderer renderer;

    @Inject
    RenderPublisher publisher;

    /** Prepares at start what a command's handling needs (its schemas and records, the trusted keys). */
    void prepare(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent start) {
        dev.driftless.events.EventSchemas.prepare(java.util.List.of(
                dev.driftless.events.EventType.COMMAND_RESYNC, dev.driftless.events.EventType.COMMAND_ROLLBACK));
        commandSigners.prepare();
    }

    @Incoming("commands")
    @Blocking
    public CompletionStage<Void> onCommand(Message<String> message) {
        ReceivedEvent event = ReceivedEvent.of(message);
        publisher.processOrSetAside(event, command -> handle(event, command));
        return message.ack();
    }

    /** The keys commands must be signed with: audit-service's and sync-service's. */
    private final dev.driftless.events.TrustedSigners commandSigners =
            new dev.driftless.events.TrustedSigners("driftless.render.trusted-command-keys-file");

    /** The reason a command no trusted key signed is set aside with; nothing is rendered for it. */
    static final String COMMAND_UNSIGNED = "CommandUnsigned";

    private void handle(ReceivedEvent event, Record command) {
        var unsigned = commandSigners.problem(event);
        if (unsigned.isPresent()) {
            LOG.warnf("%s: setting aside %s (%s): %s", COMMAND_UNSIGNED, event.id(), event.type(), unsigned.get());
            publisher.deadLetter(
                    event.deadLetter("render-service", COMMAND_UNSIGNED, "not acted on: " + unsigned.get()));
            return;
        }
        if (command instanceof ResyncRequested resync) {
            find(resync.application()).ifPresent(app -> {
                LOG.infof("resync of %s asked by %s", app.name(), resync.actor());
                quarantine.lift(app.name());
                // sync-service asks after a restart or a rebalance, to rebuild what it follows: a rolled-back
                // application is rendered where it was rolled back to; a person's resync ends the pin
                String commit = null;
                if (SYNC_SERVICE.equals(resync.actor())) {
                    commit = pins.pinned(app.name()).orElse(null);
                } else {
                    pins.release(app.name());
                }
                // a person's resync is a sync by hand, which an application that syncs only by hand applies
                publisher.publish(renderer.render(
                        app, commit, event.id(), SYNC_SERVICE.equals(resync.actor()) ? null : resync.actor()));
            });
        } else if (command instanceof RollbackRequested rollback) {
            find(rollback.application()).ifPresent(app -> {
                LOG.infof("rollback of %s to %s asked by %s", app.name(), rollback.commit(), rollback.actor());
                quarantine.lift(app.name());
                pins.pin(app.name(), rollback.commit());
                publisher.publish(renderer.render(app, rollback.commit(), event.id(), rollback.actor()));
            });
        }
    }

    private Optional<Application> find(String name) {
        Optional<Application> app = catalog.applications().stream()
                .filter(a -> a.name().equals(name))
                .findFirst();
        if (app.isEmpty()) {
            LOG.warnf("ApplicationNotFound: a command names %s, which the catalog does not have", name);
        }
        return app;
    }
}
