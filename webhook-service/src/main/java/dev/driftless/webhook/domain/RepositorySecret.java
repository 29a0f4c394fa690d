package dev.driftless.webhook.domain;

import java.util.List;
import java.util.Optional;

/**
 * The webhook secret of some repositories: pushes for a repository it matches must be signed with its secret and no
 * other (the provider default does not do), or, when {@code unsigned}, are accepted without a signature and published
 * with {@code verified: false}.
 *
 * @param name the rule's name, for messages (never the secret)
 * @param repositories the repositories it covers: exact URLs or globs
 * @param provider the provider it is for, or empty for every provider
 * @param secret the secret; empty exactly when {@code unsigned}
 * @param unsigned whether these repositories' hooks are accepted unsigned
 */
public record RepositorySecret(
        String name,
        List<RepositoryPattern> repositories,
        Optional<String> provider,
        Optional<String> secret,
        boolean unsigned) {

    public RepositorySecret {
        repositories = List.copyOf(repositories);
        secret = secret.filter(s -> !s.isEmpty());
        provider = provider.filter(p -> !p.isBlank());
        if (repositories.isEmpty()) {
            throw new IllegalArgumentException("repository secret " + name + " names no repositories");
        }
        if (unsigned == secret.isPresent()) {
            throw new IllegalArgumentException("repository secret " + name
                    + (unsigned ? " is unsigned but has a secret" : " has no secret (set one, or unsigned: true)"));
        }
    }

    /** Whether it applies to hooks of this provider. */
    public boolean appliesTo(String providerName) {
        return provider.map(providerName::equals).orElse(true);
    }

    /** How specifically it covers the repository: -1 when it does not. */
    public int specificity(String repository) {
        return repositories.stream()
                .filter(p -> p.matches(repository))
                .mapToInt(RepositoryPattern::specificity)
                .max()
                .orElse(-1);
    }
}
