package dev.driftless.webhook.domain;

/**
 * Stable reason words of webhook-service: the same word in the HTTP error body, the log line, the metric tag and
 * the audit entry.
 */
public enum Reason {
    /** The signature header is missing, malformed or does not match the body. */
    SignatureInvalid,
    /** No secret is configured for this provider, so nothing can be verified and everything is refused. */
    SecretNotConfigured,
    /** The body is not the JSON shape the provider's event has. */
    PayloadMalformed,
    /** The broker did not acknowledge the event in time; the provider should retry. */
    BrokerUnavailable;
}
