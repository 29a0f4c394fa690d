package dev.driftless.render.messaging;

import dev.driftless.events.Leadership;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * This replica's membership of render-service's leadership group ({@link Leadership}): the {@code leadership}
 * channel's consumer, whose partition assignments decide whether this replica leads.
 */
@ApplicationScoped
public class LeadershipChannel {

    @Produces
    @ApplicationScoped
    @Identifier("leadership")
    Leadership leadership(
            @ConfigProperty(name = "driftless.leadership.enabled", defaultValue = "true") boolean enabled) {
        return new Leadership("render-service", enabled);
    }

    /** Nothing is ever published on the topic; the consumer is there for its group membership. */
    @Incoming("leadership")
    void nothingIsSentHere(String ignored) {
        // the assignment is the message
    }
}
