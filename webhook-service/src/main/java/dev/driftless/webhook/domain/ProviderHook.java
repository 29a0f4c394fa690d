package dev.driftless.webhook.domain;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One Git provider's webhooks: how its requests are authenticated, and how its push payload maps to
 * {@code commit.pushed} events. Pure: no I/O.
 */
public interface ProviderHook {

    /** The provider's name, as in {@code POST /hooks/{name}} and the events' {@code provider}. */
    String name();

    /**
     * Checks the request's authentication against the secret, over the raw body, in constant time.
     *
     * @throws WebhookRejected with {@link Reason#SignatureInvalid} or {@link Reason#SecretNotConfigured}
     */
    void verify(HookRequest request, String secret);

    /**
     * Reads a verified request.
     *
     * @throws WebhookRejected with {@link Reason#PayloadMalformed} when a push body is not a push
     */
    HookEvent parse(HookRequest request, ObjectMapper json);
}
