package dev.driftless.sync;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Configuration of sync-service, under {@code driftless.sync}. */
@ConfigMapping(prefix = "driftless.sync")
public interface SyncConfig {

    /** The server-side apply field manager Driftless applies as. */
    @WithDefault("driftless")
    String fieldManager();

    /** Whether apply takes over fields other managers own (server-side apply {@code force}). */
    @WithDefault("true")
    boolean forceConflicts();

    /** Namespace holding each application's inventory ConfigMap; created when missing. */
    @WithDefault("driftless-system")
    String inventoryNamespace();

    /** How many times a call that failed for a transient reason (5xx, 429, no answer) is tried in all. */
    @WithDefault("4")
    int attempts();

    /** The wait before the second attempt; doubled (with jitter) for each later one. */
    @WithDefault("200ms")
    Duration backoff();

    /** Health assessment, under {@code driftless.sync.health}. */
    HealthSettings health();

    /** How health is watched. */
    interface HealthSettings {
        /** How often the objects of applications that are not yet healthy are checked. */
        @WithDefault("1s")
        Duration pollInterval();

        /** How often the objects of healthy applications are checked again (degradation after a rollout). */
        @WithDefault("30s")
        Duration recheckInterval();

        /**
         * How long an application may stay {@code Progressing} before it is {@code Degraded}; an application sets
         * its own with {@code syncPolicy.progressDeadlineSeconds}. Also the longest wait for a sync wave to become
         * healthy and for a CRD to be established.
         */
        @WithDefault("10m")
        Duration progressDeadline();
    }
}
