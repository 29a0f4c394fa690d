package dev.driftless.audit.domain;

import dev.driftless.events.ApplicationRemoved;
import dev.driftless.events.CommitPushed;
import dev.driftless.events.DeadLetter;
import dev.driftless.events.DriftDetected;
import dev.driftless.events.HealthChanged;
import dev.driftless.events.RenderFailed;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.ResyncRequested;
import dev.driftless.events.RollbackRequested;
import dev.driftless.events.SyncReport;

/**
 * The columns a change-log entry is indexed by, read from the event's own record in {@code events/} (decoded with the
 * codec its producer encoded it with), so renaming a record's field breaks the build here instead of emptying a column
 * of the log. Empty strings count as absent.
 */
record Indexed(String application, String repository, String commit, String deliveryId, String actor, String reason) {

    static final Indexed NONE = new Indexed(null, null, null, null, null, null);

    Indexed {
        application = present(application);
        repository = present(repository);
        commit = present(commit);
        deliveryId = present(deliveryId);
        actor = present(actor);
        reason = present(reason);
    }

    /** What a Driftless event's data says of the columns; {@link #NONE} for a record that names none of them. */
    static Indexed of(Record data) {
        if (data instanceof CommitPushed p) {
            return new Indexed(null, p.repository(), p.after(), p.deliveryId(), p.pusher(), null);
        } else if (data instanceof RenderSucceeded r) {
            return new Indexed(r.application(), r.repository(), r.commit(), null, null, null);
        } else if (data instanceof RenderFailed r) {
            return new Indexed(r.application(), r.repository(), r.commit(), null, null, r.reason());
        } else if (data instanceof ApplicationRemoved r) {
            return new Indexed(r.application(), r.repository(), null, null, null, null);
        } else if (data instanceof SyncReport r) {
            return new Indexed(r.application(), null, r.commit(), null, null, r.reason());
        } else if (data instanceof DriftDetected d) {
            return new Indexed(d.application(), null, d.commit(), null, null, null);
        } else if (data instanceof HealthChanged h) {
            return new Indexed(h.application(), null, h.commit(), null, null, null);
        } else if (data instanceof ResyncRequested r) {
            return new Indexed(r.application(), null, null, null, r.actor(), r.reason());
        } else if (data instanceof RollbackRequested r) {
            return new Indexed(r.application(), null, r.commit(), null, r.actor(), r.reason());
        } else if (data instanceof DeadLetter d) {
            return new Indexed(null, null, null, null, null, d.reason());
        }
        return NONE;
    }

    private static String present(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
