package dev.driftless.events;

/**
 * Kafka topic names of the Driftless pipeline. Keys give order: a repository's pushes, an application's renders
 * and syncs, each arrive in order on their topic.
 */
public final class Topics {
    /** {@link CommitPushed} events, keyed by normalised repository URL. */
    public static final String COMMITS = "driftless.commits";
    /** {@link RenderSucceeded} and {@link RenderFailed} events, keyed by application name. */
    public static final String RENDERS = "driftless.renders";
    /** {@link SyncReport} events, keyed by application name. */
    public static final String SYNCS = "driftless.syncs";
    /** {@link ResyncRequested} and {@link RollbackRequested} commands, keyed by application name. */
    public static final String COMMANDS = "driftless.commands";
    /** {@link DeadLetter} events: messages that can never succeed, with the reason. */
    public static final String DEADLETTER = "driftless.deadletter";

    /**
     * No events: each service's replicas join a consumer group of the service's own on this topic, and the one
     * holding partition 0 runs the service's once-per-deployment work ({@link Leadership}).
     */
    public static final String LEADERSHIP = "driftless.leadership";

    /**
     * {@link ChainCheckpoint} events, signed by audit-service, key {@code checkpoint}; compacted, so the latest stays.
     * Not an event of the pipeline: audit-service does not record it in the change log it describes.
     */
    public static final String CHECKPOINTS = "driftless.checkpoints";

    /** Every topic of events, in pipeline order. */
    public static final java.util.List<String> ALL = java.util.List.of(COMMITS, RENDERS, SYNCS, COMMANDS, DEADLETTER);

    private Topics() {}
}
