package dev.driftless.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Configuration of webhook-service, under {@code driftless.webhook}. */
@ConfigMapping(prefix = "driftless.webhook")
public interface WebhookConfig {

    /** GitHub (and GitHub Enterprise) hooks. */
    Github github();

    /** How long to wait for the broker to acknowledge an event before answering 503. */
    @WithDefault("10s")
    Duration publishTimeout();

    /** The {@code Retry-After} seconds sent with a 503. */
    @WithDefault("5")
    int retryAfterSeconds();

    /** GitHub hook settings. */
    interface Github {
        /**
         * The shared secret GitHub signs with ({@code DRIFTLESS_WEBHOOK_SECRET}); without one every request is
         * refused.
         */
        Optional<String> secret();
    }
}
