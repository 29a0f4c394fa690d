package dev.driftless.events;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every CloudEvent type Driftless emits, with its data record, its topic and its JSON schema. An additive change
 * keeps the version; anything else is a new constant with a new type string.
 */
public enum EventType {
    COMMIT_PUSHED("dev.driftless.commit.pushed.v1", CommitPushed.class, Topics.COMMITS, "commit-pushed"),
    RENDER_SUCCEEDED("dev.driftless.render.succeeded.v1", RenderSucceeded.class, Topics.RENDERS, "render-succeeded"),
    RENDER_FAILED("dev.driftless.render.failed.v1", RenderFailed.class, Topics.RENDERS, "render-failed"),
    APPLICATION_REMOVED(
            "dev.driftless.application.removed.v1", ApplicationRemoved.class, Topics.RENDERS, "application-removed"),
    SYNC_SUCCEEDED("dev.driftless.sync.succeeded.v1", SyncReport.class, Topics.SYNCS, "sync-report"),
    SYNC_FAILED("dev.driftless.sync.failed.v1", SyncReport.class, Topics.SYNCS, "sync-report"),
    DRIFT_DETECTED("dev.driftless.drift.detected.v1", DriftDetected.class, Topics.SYNCS, "drift-detected"),
    HEALTH_CHANGED("dev.driftless.health.changed.v1", HealthChanged.class, Topics.SYNCS, "health-changed"),
    COMMAND_RESYNC("dev.driftless.command.resync.v1", ResyncRequested.class, Topics.COMMANDS, "resync-requested"),
    COMMAND_ROLLBACK(
            "dev.driftless.command.rollback.v1", RollbackRequested.class, Topics.COMMANDS, "rollback-requested"),
    DEAD_LETTER("dev.driftless.deadletter.v1", DeadLetter.class, Topics.DEADLETTER, "dead-letter"),
    AUDIT_CHECKPOINT(
            "dev.driftless.audit.checkpoint.v1", ChainCheckpoint.class, Topics.CHECKPOINTS, "chain-checkpoint");

    private final String type;
    private final Class<? extends Record> dataClass;
    private final String topic;
    private final String schemaName;

    EventType(String type, Class<? extends Record> dataClass, String topic, String schemaName) {
        this.type = type;
        this.dataClass = dataClass;
        this.topic = topic;
        this.schemaName = schemaName;
    }

    /** The CloudEvent {@code type} attribute. */
    public String type() {
        return type;
    }

    /** The record carried as the event's JSON data. */
    public Class<? extends Record> dataClass() {
        return dataClass;
    }

    /** The topic events of this type are published to. */
    public String topic() {
        return topic;
    }

    /** Class-path resource of the JSON Schema of this type's data. */
    public String schemaResource() {
        return "/schemas/" + schemaName + ".schema.json";
    }

    /** The event type with the given CloudEvent {@code type}, if Driftless knows it. */
    public static Optional<EventType> of(String type) {
        return Arrays.stream(values()).filter(t -> t.type.equals(type)).findFirst();
    }
}
