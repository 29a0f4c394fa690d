package dev.driftless.render.domain;

import java.time.Duration;

/**
 * The bounds every render stays within; each one crossed fails the render with its own {@link Reason}.
 *
 * @param maxFiles manifest files read per application ({@link Reason#TooManyFiles})
 * @param maxFileBytes bytes of one file read from the repository ({@link Reason#FileTooLarge})
 * @param maxBundleBytes bytes of the canonical rendered bundle ({@link Reason#BundleTooLarge})
 * @param renderTimeout time for one render; external renderers are killed after it ({@link Reason#RenderTimedOut})
 * @param maxAliases YAML aliases to collections per document ({@link Reason#YamlAliasLimit})
 * @param maxExpandedNodes values a YAML document may expand to once its aliases are resolved
 *     ({@link Reason#YamlAliasLimit})
 * @param maxNestingDepth nesting of one YAML or JSON document ({@link Reason#NestingTooDeep})
 * @param maxRenderBytes bytes read from the repository for one render, and written to its workspace for an external
 *     renderer ({@link Reason#RenderTooLarge})
 */
public record RenderLimits(
        int maxFiles,
        int maxFileBytes,
        int maxBundleBytes,
        Duration renderTimeout,
        int maxAliases,
        int maxExpandedNodes,
        int maxNestingDepth,
        long maxRenderBytes) {

    /** Limits with the default {@code max-render-bytes}. */
    public RenderLimits(
            int maxFiles,
            int maxFileBytes,
            int maxBundleBytes,
            Duration renderTimeout,
            int maxAliases,
            int maxExpandedNodes,
            int maxNestingDepth) {
        this(
                maxFiles,
                maxFileBytes,
                maxBundleBytes,
                renderTimeout,
                maxAliases,
                maxExpandedNodes,
                maxNestingDepth,
                DEFAULT_MAX_RENDER_BYTES);
    }

    /** The default of {@code driftless.render.limits.max-render-bytes}: 64 MB. */
    public static final long DEFAULT_MAX_RENDER_BYTES = 64_000_000L;

    /** The defaults of {@code driftless.render.limits.*}. */
    public static final RenderLimits DEFAULTS =
            new RenderLimits(1000, 5_000_000, 900_000, Duration.ofSeconds(60), 100, 1_000_000, 64, 64_000_000L);
}
