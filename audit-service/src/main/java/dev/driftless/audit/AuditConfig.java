package dev.driftless.audit;

import dev.driftless.audit.domain.CommitStatus;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Configuration of audit-service, under {@code driftless.audit}. */
@ConfigMapping(prefix = "driftless.audit")
public interface AuditConfig {

    /**
     * The database role entries are inserted as ({@code SET LOCAL ROLE}); it may insert and read, never update,
     * delete or truncate. Empty to insert as the connecting user.
     */
    @WithDefault("driftless_writer")
    Optional<String> writerRole();

    /**
     * The database role months of the log are archived as ({@code SET LOCAL ROLE}): it may only call the owner's
     * archiving function. Used when the login is a member; empty to archive as the connecting user.
     */
    @WithDefault("driftless_retention")
    Optional<String> retentionRole();

    /** How often every hash chain is verified in the background; the result is the metric {@code driftless_audit_chain_intact}. */
    @WithDefault("5m")
    Duration verifyInterval();

    /**
     * Whether to redact, at start, the Secret values an older version recorded in clear (render events from before
     * Secrets were sealed), recording the redaction as a chained entry. Without it audit-service refuses to start over
     * such a log, saying how many entries hold values and how to redact them.
     */
    @WithDefault("false")
    boolean redactClearSecrets();

    /**
     * The Ed25519 key pair (PEM) that signs the resync and rollback commands this service publishes (render-service
     * acts on no unsigned command) and the checkpoints of the change log.
     */
    Optional<java.nio.file.Path> signingKeyFile();

    /** How often the signed checkpoint of every chain's head is published (on the replica that leads). */
    @WithDefault("1m")
    java.time.Duration checkpointInterval();

    /**
     * sync-service's API ({@code DRIFTLESS_SYNC_URL}), which audit-service asks for an application's live objects and
     * its diff with Git, so that the console and the command line need one address. Unset: those two answer 503.
     */
    Optional<java.net.URI> syncUrl();

    /** render-service's API ({@code DRIFTLESS_RENDER_URL}), asked for the catalog. Unset: {@code /api/catalog} is 503. */
    Optional<java.net.URI> renderUrl();

    /** API access. */
    Api api();

    /** Retention of the change log. */
    Retention retention();

    /** Retention settings. */
    interface Retention {
        /**
         * Archive whole months that ended longer ago than this (ISO-8601, e.g. {@code P400D}): they are detached
         * from the live log and kept as tables of their own; no row is deleted. Unset (the default): unlimited.
         */
        Optional<Duration> archiveAfter();
    }

    /**
     * Where to report commit statuses, by name: each entry names a repository pattern and the provider API that
     * hosts it. Empty by default: nothing is reported.
     */
    Map<String, StatusTarget> commitStatus();

    /** One provider API that commit statuses are reported to. */
    interface StatusTarget {
        /** An exact normalised repository URL or a glob such as {@code https://github.com/acme/*}. */
        String repository();

        /** {@code github}, {@code gitlab} or {@code gitea} (Forgejo too). */
        CommitStatus.Provider provider();

        /** The API base URL, e.g. {@code https://api.github.com}, {@code https://gitlab.com/api/v4}. */
        String apiUrl();

        /** The API token; from the environment or a mounted secret, never from a committed file. */
        String token();
    }

    /** API access settings. */
    interface Api {
        /**
         * Bearer tokens, each {@code name:role:token} with role {@code read} or {@code write}
         * ({@code DRIFTLESS_API_TOKENS}, comma-separated). The name is recorded as the actor of what the token does.
         * Without any, every API request is refused.
         */
        Optional<List<String>> tokens();

        /** Base URL of this API as people reach it, used in links. */
        @WithDefault("http://127.0.0.1:8084")
        String publicUrl();
    }
}
