package dev.driftless.render;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;

/** Configuration of render-service, under {@code driftless.render}. */
@ConfigMapping(prefix = "driftless.render")
public interface RenderConfig {

    /** Directory of application YAML files ({@code DRIFTLESS_CATALOG_DIR}); rescanned for changes. */
    @WithDefault("catalog")
    Path catalogDir();

    /** Application and Project resources in the cluster, read beside the catalog directory. */
    ClusterCatalog clusterCatalog();

    /** Where the catalog's cluster resources are read, under {@code driftless.render.cluster-catalog}. */
    interface ClusterCatalog {
        /** Whether Application and Project resources ({@code driftless.dev/v1alpha1}) are read; off by default. */
        @WithDefault("false")
        boolean enabled();

        /** The namespace they are read in. */
        @WithDefault("driftless-system")
        String namespace();

        /**
         * Other namespaces whose Application resources are read too ({@code *} for every namespace): an Application
         * there is accepted only when its project's {@code spec.sourceNamespaces} names that namespace. Projects are
         * read in {@link #namespace()} only. None by default.
         */
        java.util.Optional<java.util.List<String>> applicationNamespaces();

        /** A kubeconfig to reach the cluster with; in-cluster configuration (or {@code KUBECONFIG}) when unset. */
        java.util.Optional<Path> kubeconfig();
    }

    /** How often the catalog directory is checked for added, changed or removed files. */
    @WithDefault("2s")
    Duration catalogPollInterval();

    /**
     * How often every application is compared with the head of its source (jittered by a tenth either way) and
     * rendered again when it is behind or its last render failed, so a lost webhook or a failed fetch heals without a
     * new push; {@code 0} turns it off. An application whose last render succeeded at the head is not rendered again.
     */
    @WithDefault("3m")
    Duration reconcileInterval();

    /** Directory of the bare Git mirrors, one per repository; survives restarts and is rebuilt if corrupt. */
    @WithDefault("${java.io.tmpdir}/driftless-render-cache")
    Path cacheDir();

    /**
     * How many applications one push renders at once (each still one render at a time); each render is published as
     * soon as it is done. Kustomize and Helm renders run a process each, so a base shared by a hundred overlays is
     * rendered this many at a time. Default: the number of processors.
     */
    java.util.OptionalInt parallelism();

    /** The bounds of every render; each crossed fails with its own reason. */
    Limits limits();

    /** Kustomize: which tool renders, and which remote bases may be fetched. */
    Kustomize kustomize();

    /** Helm: which chart repositories dependencies may come from. */
    Helm helm();

    /**
     * Named sets of trusted signing keys; an application naming one in {@code spec.source.verifySignature} renders
     * only commits signed by one of its keys ({@code SignatureUntrusted} otherwise). Files are re-read at each check.
     */
    java.util.Map<String, TrustedSigners> trustedSigners();

    /** Keys whose commit signatures are trusted, under {@code driftless.render.trusted-signers.<name>}. */
    interface TrustedSigners {
        /** ASCII-armoured OpenPGP public keys (one file, any number of keys), as {@code gpg --export --armor} writes. */
        java.util.Optional<Path> gpgPublicKeysFile();

        /** An OpenSSH allowed-signers file ({@code ssh-keygen -Y verify} format) for SSH-signed commits. */
        java.util.Optional<Path> sshAllowedSignersFile();
    }

    /**
     * How often every mirror is garbage-collected ({@code git gc}: one pack instead of one per fetch, loose objects
     * packed, unreachable ones pruned after JGit's two weeks), each under its repository's lock; {@code off} turns it
     * off.
     */
    @WithDefault("1h")
    String gcInterval();

    /** Render limits, under {@code driftless.render.limits}. */
    interface Limits {
        /** Manifest files per application (directory) or files written for an external renderer. */
        @WithDefault("1000")
        int maxFiles();

        /** Largest single file read from a repository. */
        @WithDefault("5000000")
        int maxFileBytes();

        /**
         * Largest bundle published, as it travels (canonical JSON, or compressed: see {@code compress-above}); larger
         * renders fail with {@code BundleTooLarge}. Keep it below the renders topic's {@code max.message.bytes} and
         * the producer's {@code max.request.size}.
         */
        @WithDefault("900000")
        int maxBundleBytes();

        /**
         * A bundle larger than this (canonical JSON bytes) travels gzip-compressed ({@code manifestsGzip}): CRDs of
         * several MB compress about tenfold, so they fit {@code max-bundle-bytes}.
         */
        @WithDefault("256000")
        int compressAbove();

        /** Longest render; kustomize and helm are killed after it, with the processes they started. */
        @WithDefault("60s")
        Duration renderTimeout();

        /** YAML aliases to collections per document. */
        @WithDefault("100")
        int maxAliases();

        /** Values one YAML document may expand to once its aliases are resolved. */
        @WithDefault("1000000")
        int maxExpandedNodes();

        /** Nesting depth of one YAML or JSON document. */
        @WithDefault("64")
        int maxNestingDepth();

        /**
         * Bytes one render reads from the repository, and writes to its workspace for kustomize or Helm
         * ({@code RenderTooLarge}): with {@code max-files} and {@code max-file-bytes} alone, 1,000 files of 5 MB.
         */
        @WithDefault("64000000")
        long maxRenderBytes();

        /**
         * Bytes one fetch may bring over HTTP (the pack a Git server sends; {@code FetchTooLarge}), so a repository
         * cannot fill the mirror cache's disk in one push. 1 GB by default: big monorepos' first fetch fits.
         */
        @WithDefault("1000000000")
        long maxFetchBytes();
    }

    /** Kustomize settings, under {@code driftless.render.kustomize}. */
    interface Kustomize {
        /**
         * The command that builds a directory, the directory appended ({@code kustomize build} or
         * {@code kubectl kustomize}); by default {@code kustomize} if it is on the PATH, else {@code kubectl}.
         */
        java.util.Optional<java.util.List<String>> command();

        /**
         * URL prefixes of remote bases and resources a kustomization may use ({@code https://github.com/acme/});
         * every other remote reference fails the render with {@code RemoteBaseRefused}. Empty by default.
         */
        java.util.Optional<java.util.List<String>> allowedRemoteBases();
    }

    /**
     * The Ed25519 key pair (PEM: {@code PRIVATE KEY} and its {@code PUBLIC KEY}) that signs every render event, so
     * sync-service applies only what render-service published. Without it render events go unsigned and sync-service
     * refuses them ({@code BundleUnsigned}).
     */
    java.util.Optional<Path> signingKeyFile();

    /**
     * The Ed25519 public keys (PEM) whose signatures on commands (resync, rollback) are trusted: audit-service's and
     * sync-service's. A command no trusted key signed is set aside ({@code CommandUnsigned}) and nothing is rendered
     * for it; without the file every command is.
     */
    java.util.Optional<Path> trustedCommandKeysFile();

    /**
     * The Ed25519 public keys (PEM) whose signatures on pushes are trusted: webhook-service's. A push no trusted key
     * signed is set aside ({@code PushUnsigned}) and nothing is rendered for it; without the file every push is.
     */
    java.util.Optional<Path> trustedPushKeysFile();

    /** How Secrets are sealed in render events, under {@code driftless.render.secrets}. */
    Secrets secrets();

    /** API access, under {@code driftless.render.api}. */
    Api api();

    /** API settings. */
    interface Api {
        /**
         * The tokens that may call {@code /api} ({@code name:role:token[:applications=a|b|:projects=p|q]}, the same
         * list as audit-service's); none: every request is refused.
         */
        java.util.Optional<java.util.List<String>> tokens();
    }

    /** Secret sealing settings. */
    interface Secrets {
        /**
         * sync-service's age recipients, one {@code age1...} per line ({@code age-keygen -y} of its identity file):
         * every Secret's values are encrypted to all of them. Without it a render containing a Secret fails with
         * {@code SecretKeyMissing}; nothing is ever published in clear.
         */
        java.util.Optional<Path> recipientsFile();

        /** At least 32 random bytes (raw, or base64) keying the digests that stand for Secret values in events. */
        java.util.Optional<Path> digestKeyFile();
    }

    /** Helm settings, under {@code driftless.render.helm}. */
    interface Helm {
        /**
         * The {@code helm} program (and any leading arguments) render-service runs {@code helm template} with, out of
         * its own process; by default {@code helm} on the PATH ({@code ./driftless up} and CI build it with the
         * control plane). Without one, Helm applications fail with {@code RendererUnavailable}.
         */
        java.util.Optional<java.util.List<String>> command();

        /**
         * Chart repository URL prefixes dependencies may be fetched from; a dependency from any other repository
         * must be vendored under the chart's {@code charts/} or the render fails with {@code ChartDependencyRefused}.
         */
        java.util.Optional<java.util.List<String>> allowedRepositories();
    }

    /** How many times a fetch is tried before the render fails with {@code RepositoryUnreachable}. */
    @WithDefault("3")
    int fetchAttempts();

    /** The wait before the second fetch attempt; doubled for each later one. */
    @WithDefault("500ms")
    Duration fetchBackoff();

    /** The limits as the domain reads them. */
    default dev.driftless.render.domain.RenderLimits renderLimits() {
        return new dev.driftless.render.domain.RenderLimits(
                limits().maxFiles(),
                limits().maxFileBytes(),
                limits().maxBundleBytes(),
                limits().renderTimeout(),
                limits().maxAliases(),
                limits().maxExpandedNodes(),
                limits().maxNestingDepth(),
                limits().maxRenderBytes());
    }

    /**
     * JGit's object caches, sized for a server (JGit's own defaults are 10 MiB each): bytes of pack files kept in
     * memory, bytes of delta bases kept to resolve deltas, and pack files kept open.
     */
    Git git();

    /** JGit cache sizes. */
    interface Git {
        /** Pack-file bytes cached in memory ({@code core.packedGitLimit}). */
        @WithDefault("64M")
        io.quarkus.runtime.configuration.MemorySize packedGitLimit();

        /** Delta-base bytes cached ({@code core.deltaBaseCacheLimit}). */
        @WithDefault("16M")
        io.quarkus.runtime.configuration.MemorySize deltaBaseCacheLimit();

        /** Pack files kept open ({@code core.packedGitOpenFiles}). */
        @WithDefault("128")
        int packedGitOpenFiles();

        /**
         * Credentials for private repositories, by a name of your choice: the longest {@code url-prefix} that starts
         * a repository's URL (as written in the catalog) is used.
         */
        java.util.Map<String, Credential> credentials();
    }

    /**
     * How to authenticate to the repositories whose URL starts with {@code url-prefix}: over HTTPS with a user name
     * and a password or token, over SSH with a private key. Secrets are best given as files (a mounted Kubernetes
     * Secret), re-read at every fetch so a rotated secret needs no restart; they are never logged.
     */
    interface Credential {
        /** Repository URLs starting with this use the credential ({@code https://github.com/acme/}). */
        String urlPrefix();

        /** HTTPS user name; {@code x-access-token} by default, which GitHub and Gitea accept with a token. */
        @WithDefault("x-access-token")
        String username();

        /** HTTPS password or token, inline (prefer {@code password-file}). */
        java.util.Optional<String> password();

        /** A file holding the HTTPS password or token (trailing newline ignored). */
        java.util.Optional<Path> passwordFile();

        /** SSH private key file (OpenSSH format) for {@code ssh://} and {@code git@host:} URLs. */
        java.util.Optional<Path> sshPrivateKeyFile();

        /** known_hosts file the SSH server's key must be in; without it no SSH server is trusted. */
        java.util.Optional<Path> sshKnownHostsFile();
    }
}
