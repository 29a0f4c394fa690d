package dev.driftless.webhook;

import dev.driftless.webhook.domain.RepositoryPattern;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
     * The Ed25519 key pair (PEM) the pushes it publishes are signed with; render-service renders for no push its
     * trusted keys did not sign. Unset: pushes go unsigned and are refused.
     */
    Optional<Path> signingKeyFile();

    /**
     * The repositories whose pushes are published: normalised URLs or globs such as {@code https://github.com/acme/*}.
     * A signed push for any other repository is answered 202 {@code ignored}. Empty (the default): every repository.
     */
    Optional<List<String>> repositories();

    /** Whether pushes of a repository are published: it matches {@link #repositories()}, or that is empty. */
    default boolean watches(String repository) {
        return repositories()
                .map(patterns -> patterns.stream().anyMatch(p -> new RepositoryPattern(p).matches(repository)))
                .orElse(true);
    }

    /**
     * Secrets of particular repositories, by a name of your choice: a push for a repository one of these covers must
     * be signed with its secret (the provider default does not do), or may come unsigned when it says
     * {@code unsigned=true}. The most specific match wins: an exact URL over a glob, a longer glob over a shorter.
     */
    Map<String, RepositorySecretConfig> repositorySecrets();

    /** One repository rule of {@link #repositorySecrets()}. */
    interface RepositorySecretConfig {
        /** Normalised repository URLs or globs ({@code https://github.com/acme/*}). */
        List<String> repositories();

        /** The provider it is for ({@code github}, …); every provider when unset. */
        Optional<String> provider();

        /** The secret; unset exactly when {@link #unsigned()}. */
        Optional<String> secret();

        /** Accept these repositories' hooks without a signature; their events say {@code verified: false}. */
        @WithDefault("false")
        boolean unsigned();
    }

    /**
     * A YAML or JSON file with the same keys as this configuration's secrets ({@code secret},
     * {@code provider-secrets}, {@code repository-secrets}), such as a mounted Kubernetes Secret; re-read when it
     * changes, without a restart. Its values win over configuration with the same name.
     */
    Optional<Path> secretsFile();

    /** How often {@link #secretsFile()} is checked for changes. */
    @WithDefault("5s")
    Duration secretsFileCheck();

    /** Repositories to poll instead of (or as well as) receiving their webhooks, by a name of your choice. */
    Map<String, Poll> poll();

    /** One polled repository. */
    interface Poll {
        /** The repository's clone URL (anonymous HTTPS or the devstack server; credentials come with issue 7). */
        String url();

        /** The refs watched: full ref names such as {@code refs/heads/main} or {@code refs/tags/v1}. */
        @WithDefault("refs/heads/main")
        List<String> refs();

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
}
