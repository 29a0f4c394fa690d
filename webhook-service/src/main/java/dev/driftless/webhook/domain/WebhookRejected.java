package dev.driftless.webhook.domain;

/** A webhook request refused for a reason the caller can act on; never retried by us. */
public class WebhookRejected extends RuntimeException {

    private final Reason reason;

    public WebhookRejected(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
