package dev.driftless.sync.kube;

import dev.driftless.sync.domain.Reason;

/** A cluster call that failed for good, after retries if it was retriable. */
public class ClusterFailure extends Exception {

    private final Reason reason;

    public ClusterFailure(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
