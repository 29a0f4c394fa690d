package dev.driftless.webhook.domain;

import dev.driftless.events.CommitPushed;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which secret authenticates whose hooks: a default secret, one per provider, and {@link RepositorySecret}s for
 * repositories (the most specific match wins). Authentication runs in two steps so a request is checked over its raw
 * bytes before anything parses it: {@link #authenticate} finds which configured secret signed the request, then
 * {@link #authorize} checks, per pushed repository, that it was that repository's secret. Pure: no I/O.
 */
public final class SecretPolicy {

    private final Optional<String> defaultSecret;
    private final Map<String, String> providerSecrets;
    private final List<RepositorySecret> repositorySecrets;

    public SecretPolicy(
            Optional<String> defaultSecret,
            Map<String, String> providerSecrets,
            List<RepositorySecret> repositorySecrets) {
        this.defaultSecret = defaultSecret.filter(s -> !s.isEmpty());
        this.providerSecrets = Map.copyOf(providerSecrets);
        this.repositorySecrets = List.copyOf(repositorySecrets);
    }

    /**
     * The outcome of checking a request against every secret that could have signed it.
     *
     * @param secret the secret that verified it, or empty
     * @param failure why no secret verified it, when none did
     */
    public record Authentication(Optional<String> secret, WebhookRejected failure) {}

    /** The secret of a provider's hooks for repositories without a secret of their own. */
    public Optional<String> providerSecret(String provider) {
        String own = providerSecrets.get(provider);
        return own != null && !own.isEmpty() ? Optional.of(own) : defaultSecret;
    }

    /** How many repository rules there are (for the log line of a reload). */
    public int repositoryRules() {
        return repositorySecrets.size();
    }

    /**
     * Checks the request against each secret configured for the provider, over the raw body, in constant time each.
     *
     * @throws WebhookRejected when no secret verifies it and no repository of this provider may send unsigned hooks;
     *     {@link Reason#SecretNotConfigured} when there is nothing to check against at all
     */
    public Authentication authenticate(ProviderHook hook, HookRequest request) {
        Set<String> candidates = new LinkedHashSet<>();
        providerSecret(hook.name()).ifPresent(candidates::add);
        repositorySecrets.stream().filter(r -> r.appliesTo(hook.name())).forEach(r -> r.secret()
                .ifPresent(candidates::add));
        boolean unsignedAllowed = repositorySecrets.stream().anyMatch(r -> r.unsigned() && r.appliesTo(hook.name()));
        if (candidates.isEmpty() && !unsignedAllowed) {
            throw new WebhookRejected(
                    Reason.SecretNotConfigured, "no webhook secret is configured for " + hook.name() + "; refusing");
        }
        WebhookRejected failure = new WebhookRejected(Reason.SignatureInvalid, "the request is not signed");
        boolean first = true;
        for (String candidate : candidates) {
            try {
                hook.verify(request, candidate);
                return new Authentication(Optional.of(candidate), null);
            } catch (WebhookRejected e) {
                if (first) {
                    failure = e;
                    first = false;
                }
            }
        }
        if (!unsignedAllowed) {
            throw failure;
        }
        return new Authentication(Optional.empty(), failure);
    }

    /**
     * Checks each push against its repository's rule: signed with that repository's secret (or the provider's, when
     * the repository has none), or from a repository allowed to send unsigned hooks, whose pushes come back with
     * {@code verified: false}.
     *
     * @throws WebhookRejected {@link Reason#SignatureInvalid} when a push's repository needs another secret
     */
    public List<CommitPushed> authorize(String provider, Authentication authentication, List<CommitPushed> pushes) {
        List<CommitPushed> authorized = new ArrayList<>(pushes.size());
        for (CommitPushed push : pushes) {
            Optional<RepositorySecret> rule = ruleFor(provider, push.repository());
            if (rule.isPresent() && rule.get().unsigned()) {
                authorized.add(unverified(push));
                continue;
            }
            Optional<String> expected = rule.isPresent() ? rule.get().secret() : providerSecret(provider);
            if (expected.isEmpty()) {
                throw new WebhookRejected(
                        Reason.SecretNotConfigured, "no webhook secret is configured for " + push.repository());
            }
            if (authentication.secret().isEmpty()) {
                throw authentication.failure();
            }
            if (!sameSecret(expected.get(), authentication.secret().get())) {
                throw new WebhookRejected(
                        Reason.SignatureInvalid,
                        "the request is not signed with the secret configured for " + push.repository());
            }
            authorized.add(push);
        }
        return authorized;
    }

    /** The most specific repository rule for the provider's hooks of this repository. */
    Optional<RepositorySecret> ruleFor(String provider, String repository) {
        return repositorySecrets.stream()
                .filter(r -> r.appliesTo(provider) && r.specificity(repository) >= 0)
                .max(Comparator.comparingInt((RepositorySecret r) -> r.specificity(repository))
                        .thenComparing(r -> r.provider().isPresent()));
    }

    private static boolean sameSecret(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static CommitPushed unverified(CommitPushed push) {
        return new CommitPushed(
                push.repository(),
                push.ref(),
                push.before(),
                push.after(),
                push.pusher(),
                push.provider(),
                push.deliveryId(),
                push.changedPaths(),
                push.receivedAt(),
                false);
    }
}
