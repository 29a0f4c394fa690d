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

    /**
     * How long a sync waits for a namespace that is being deleted (its objects finalised by the namespace controller)
     * to be gone before it creates it again; past it the object fails with {@code NamespaceTerminating}.
     */
    @WithDefault("2m")
    Duration namespaceTerminationTimeout();

    /**
     * How many applications are synced at once. Syncs of one application run one after another in the order their
     * renders arrived; a sync waiting for a wave to become healthy holds one of these, never a Kafka partition.
     */
    @WithDefault("8")
    int parallelApplications();

    /** How many renders may be taken from the topic and not yet synced; the consumer waits beyond it. */
    @WithDefault("256")
    int maxRendersInFlight();

    /**
     * The ServiceAccount sync-service impersonates for applications whose project names none for their destination:
     * a name (that ServiceAccount in the application's destination namespace) or {@code namespace/name}. Unset,
     * such applications are applied with sync-service's own identity (a single-tenant install); deploy/ sets it to
     * {@code driftless-deployer}, so every application is held to the RBAC of its own namespace's deployer.
     */
    @io.smallrye.config.WithName("impersonation.default-service-account")
    java.util.Optional<String> defaultServiceAccount();

    /** Health assessment, under {@code driftless.sync.health}. */
    HealthSettings health();

    /**
     * sync-service's age identities (one {@code AGE-SECRET-KEY-1...} per line, as {@code age-keygen} writes them; two
     * during a rotation), which open the Secrets render-service sealed to their recipients. Read at each sync that has
     * a Secret, so a rotation needs no restart. Without it a sealed Secret fails the sync with
     * {@code SecretUndecryptable}.
     */
    @io.smallrye.config.WithName("secrets.identity-file")
    java.util.Optional<java.nio.file.Path> secretsIdentityFile();

    /**
     * The Ed25519 public keys (PEM {@code PUBLIC KEY} blocks, several during a rotation) whose signatures on render
     * events are trusted. A render event not signed by one of them is set aside ({@code BundleUnsigned}) and nothing
     * of it is applied or pruned; without this file every render event is.
     */
    java.util.Optional<java.nio.file.Path> trustedRenderKeysFile();

    /**
     * The Ed25519 key pair (PEM) that signs the resync commands this service publishes when it takes over
     * applications; render-service acts on no unsigned command.
     */
    java.util.Optional<java.nio.file.Path> signingKeyFile();

    /**
     * The tokens that may call {@code /api} ({@code name:role:token[:applications=a|b|:projects=p|q]}, the same list
     * as audit-service's); none: every request is refused.
     */
    @io.smallrye.config.WithName("api.tokens")
    java.util.Optional<java.util.List<String>> apiTokens();

    /** How health is watched. */
    interface HealthSettings {
        /**
         * How often applications are looked at: one whose objects a watch saw change is read again at the next poll,
         * and one not yet healthy or degraded with some objects read from the API server (no watch tells their
         * progress) at every poll.
         */
        @WithDefault("1s")
        Duration pollInterval();

        /**
         * How often a healthy (or degraded) application is checked again when some of its objects are not followed by
         * a watch (read from the API server instead), and a progressing one whose objects a watch follows; one whose
         * objects a watch follows is checked again at the next poll after any of them changes, status included.
         */
        @WithDefault("30s")
        Duration recheckInterval();

        /**
         * How often a healthy (or degraded) application whose objects a running watch follows is checked again
         * though the watch told no change (from the watch's cache: a watch that breaks is not read until it watches
         * again, and its applications are read from the API server every {@code recheck-interval} meanwhile).
         */
        @WithDefault("10m")
        Duration watchedRecheckInterval();

        /**
         * How long an application may stay {@code Progressing} before it is {@code Degraded}; an application sets
         * its own with {@code syncPolicy.progressDeadlineSeconds}. Also the longest wait for a sync wave to become
         * healthy and for a CRD to be established.
         */
        @WithDefault("10m")
        Duration progressDeadline();
    }

    /**
     * Target clusters by name, chosen by an application's {@code destination.cluster}. {@code default} is the cluster
     * of Quarkus's Kubernetes client (KUBECONFIG, in-cluster, or {@code quarkus.kubernetes-client.*}) unless
     * configured here.
     */
    java.util.Map<String, ClusterTarget> clusters();

    /** Drift detection, under {@code driftless.sync.drift}. */
    DriftSettings drift();

    /** How drift is looked for. */
    interface DriftSettings {
        /** How often every application is compared with the cluster in full, for what a watch missed. */
        @WithDefault("10m")
        Duration fullCheckInterval();
    }

    /** How to reach one cluster: a kubeconfig file (and context), or the in-cluster service account. */
    interface ClusterTarget {
        /** A kubeconfig file; its current context unless {@code context} is set. */
        java.util.Optional<java.nio.file.Path> kubeconfig();

        /** The kubeconfig context to use. */
        java.util.Optional<String> context();

        /** Use the pod's service account (sync-service runs in this cluster) instead of a kubeconfig. */
        @WithDefault("false")
        boolean inCluster();
    }
}
