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

    /** How often the catalog directory is checked for added, changed or removed files. */
    @WithDefault("2s")
    Duration catalogPollInterval();

    /** Directory of the bare Git mirrors, one per repository; survives restarts and is rebuilt if corrupt. */
    @WithDefault("${java.io.tmpdir}/driftless-render-cache")
    Path cacheDir();

    /** Largest bundle (canonical JSON bytes) published; larger renders fail with {@code BundleTooLarge}. */
    @WithDefault("900000")
    int maxBundleBytes();

    /** Largest single file read from a repository. */
    @WithDefault("5000000")
    int maxFileBytes();

    /** How many times a fetch is tried before the render fails with {@code RepositoryUnreachable}. */
    @WithDefault("3")
    int fetchAttempts();

    /** The wait before the second fetch attempt; doubled for each later one. */
    @WithDefault("500ms")
    Duration fetchBackoff();

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
    }
}
