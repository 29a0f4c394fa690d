package dev.driftless.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Configuration of webhook-service, under {@code driftless.webhook}. */
@ConfigMapping(prefix = "driftless.webhook")
public interface WebhookConfig {

    /**
     * The secret every provider's hooks are checked with ({@code DRIFTLESS_WEBHOOK_SECRET}): the HMAC key of GitHub,
     * Gitea, Forgejo and Gogs signatures, GitLab's secret token. Without one, every request is refused.
     */
    Optional<String> secret();

    /** A secret of its own for a provider, by provider name; overrides {@link #secret()} for that provider. */
    Map<String, String> providerSecrets();

    /**
     * The repositories whose pushes are published: normalised URLs or globs such as {@code https://github.com/acme/*}.
     * A signed push for any other repository is answered 202 {@code ignored}. Empty (the default): every repository.
     */
    Optional<java.util.List<String>> repositories();

    /** Whether pushes of a repository are published: it matches {@link #repositories()}, or that is empty. */
    default boolean watches(String repository) {
        return repositories()
                .map(patterns -> patterns.stream().anyMatch(p -> matches(p.trim(), repository)))
                .orElse(true);
    }

    private static boolean matches(String pattern, String repository) {
        String regex = java.util.regex.Pattern.quote(pattern).replace("*", "\\E.*\\Q");
        return java.util.regex.Pattern.matches(regex, repository);
    }

    /** Repositories to poll instead of (or as well as) receiving their webhooks, by a name of your choice. */
    Map<String, Poll> poll();

    /** One polled repository. */
    interface Poll {
        /** The repository's clone URL (anonymous HTTPS or the devstack server; credentials come with issue 7). */
        String url();

        /** The refs watched: full ref names such as {@code refs/heads/main} or {@code refs/tags/v1}. */
        @WithDefault("refs/heads/main")
        java.util.List<String> refs();

        /** How often it is polled; each poll is shifted by up to a tenth of this at random. */
        @WithDefault("60s")
        Duration interval();
    }

    /** How long to wait for the broker to acknowledge an event before answering 503. */
    @WithDefault("10s")
    Duration publishTimeout();

    /**
     * How long a delivery id is remembered: a provider's redelivery within this window is answered 200
     * {@code duplicate} and not published again.
     */
    @WithDefault("10m")
    Duration dedupeWindow();

    /** How many delivery ids are remembered at most. */
    @WithDefault("100000")
    long dedupeCapacity();

    /** The {@code Retry-After} seconds sent with a 503. */
    @WithDefault("5")
    int retryAfterSeconds();

    /** The secret a provider's hooks are checked with. */
    default Optional<String> secretFor(String provider) {
        String own = providerSecrets().get(provider);
        return own != null && !own.isEmpty() ? Optional.of(own) : secret().filter(s -> !s.isEmpty());
    }
}
