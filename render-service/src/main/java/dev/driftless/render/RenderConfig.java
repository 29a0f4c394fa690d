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
}
