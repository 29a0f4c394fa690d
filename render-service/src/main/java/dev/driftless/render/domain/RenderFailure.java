package dev.driftless.render.domain;

/** A render that cannot succeed for the input it was given; carries the reason everywhere it is reported. */
public class RenderFailure extends Exception {

    private final Reason reason;

    public RenderFailure(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public RenderFailure(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
