package dev.driftless.webhook.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.driftless.webhook.WebhookConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * The deliveries published recently, by provider and delivery id, with the event ids they were published under, so
 * a provider's redelivery is answered {@code duplicate} instead of being published again. Bounded in time and size;
 * a duplicate that gets past it (another replica, a restart) still carries the same event ids downstream.
 */
@ApplicationScoped
public class RecentDeliveries {

    @Inject
    WebhookConfig config;

    private volatile Cache<String, List<String>> seen;

    private Cache<String, List<String>> seen() {
        if (seen == null) {
            synchronized (this) {
                if (seen == null) {
                    seen = Caffeine.newBuilder()
                            .expireAfterWrite(config.dedupeWindow())
                            .maximumSize(config.dedupeCapacity())
                            .build();
                }
            }
        }
        return seen;
    }

    /** The event ids a delivery was published under, or {@code null} if it was not seen in the window. */
    List<String> ids(String deliveryKey) {
        return seen().getIfPresent(deliveryKey);
    }

    /** Remembers a delivery the broker acknowledged. */
    void remember(String deliveryKey, List<String> eventIds) {
        seen().put(deliveryKey, List.copyOf(eventIds));
    }
}
