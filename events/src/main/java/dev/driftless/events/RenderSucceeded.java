package dev.driftless.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An application rendered at a commit: the complete bundle of manifests to apply.
 *
 * @param application application name
 * @param repository normalised repository URL
 * @param revision the ref or revision the application follows, e.g. {@code refs/heads/main}
 * @param commit the commit rendered
 * @param path the application's path in the repository
 * @param digest SHA-256 of the canonical bundle, {@code sha256:<hex>}
 * @param manifests the Kubernetes objects, as JSON objects, in file then document order; empty when they travel
 *     compressed in {@code manifestsGzip} (read them with {@link #objects()})
 * @param target destination and sync policy
 * @param triggeredBy CloudEvent id of the push or command that caused this render
 * @param renderedAt when rendering finished
 * @param durationMs how long rendering took
 * @param manifestsGzip the objects as a gzip-compressed JSON array, base64: a bundle too large to travel as it is
 *     (CRDs of several MB) travels so; {@code null} otherwise
 * @param requestedBy who asked for this render by name (a resync or rollback through the API, the CLI or the console);
 *     {@code null} for a push, a reconcile or a catalog change. An application synced by hand
 *     ({@code syncPolicy.automated: false}) applies only such renders.
 * @param declaredIn the namespace of the Application resource ({@code driftless.dev/v1alpha1}) that declares the
 *     application, whose status sync-service keeps; {@code null} for one of the catalog directory
 */
public record RenderSucceeded(
        String application,
        String repository,
        String revision,
        String commit,
        String path,
        String digest,
        List<Map<String, Object>> manifests,
        Target target,
        String triggeredBy,
        Instant renderedAt,
        long durationMs,
        String manifestsGzip,
        String requestedBy,
        String declaredIn) {

    /** The most a compressed bundle may expand to: more is refused as a compression bomb. */
    public static final int MAX_EXPANDED_BYTES = 64_000_000;

    public RenderSucceeded {
        manifests = manifests == null ? List.of() : List.copyOf(manifests);
    }

    /** A render of an application of the catalog directory. */
    public RenderSucceeded(
            String application,
            String repository,
            String revision,
            String commit,
            String path,
            String digest,
            List<Map<String, Object>> manifests,
            Target target,
            String triggeredBy,
            Instant renderedAt,
            long durationMs,
            String manifestsGzip,
            String requestedBy) {
        this(
                application,
                repository,
                revision,
                commit,
                path,
                digest,
                manifests,
                target,
                triggeredBy,
                renderedAt,
                durationMs,
                manifestsGzip,
                requestedBy,
                null);
    }

    /** A render nobody asked for by name (a push, a reconcile, a catalog change). */
    public RenderSucceeded(
            String application,
            String repository,
            String revision,
            String commit,
            String path,
            String digest,
            List<Map<String, Object>> manifests,
            Target target,
            String triggeredBy,
            Instant renderedAt,
            long durationMs,
            String manifestsGzip) {
        this(
                application,
                repository,
                revision,
                commit,
                path,
                digest,
                manifests,
                target,
                triggeredBy,
                renderedAt,
                durationMs,
                manifestsGzip,
                null);
    }

    /** This render with these objects, travelling as they are; everything else as it was. */
    public RenderSucceeded withManifests(List<Map<String, Object>> objects) {
        return new RenderSucceeded(
                application,
                repository,
                revision,
                commit,
                path,
                digest,
                objects,
                target,
                triggeredBy,
                renderedAt,
                durationMs,
                null,
                requestedBy,
                declaredIn);
    }

    /** A render whose objects travel as they are. */
    public RenderSucceeded(
            String application,
            String repository,
            String revision,
            String commit,
            String path,
            String digest,
            List<Map<String, Object>> manifests,
            Target target,
            String triggeredBy,
            Instant renderedAt,
            long durationMs) {
        this(
                application,
                repository,
                revision,
                commit,
                path,
                digest,
                manifests,
                target,
                triggeredBy,
                renderedAt,
                durationMs,
                null);
    }

    /**
     * The objects, expanded from {@code manifestsGzip} when they travel compressed.
     *
     * @throws IllegalArgumentException when the compressed form is not gzip-compressed JSON of objects, or expands
     *     past {@value #MAX_EXPANDED_BYTES} bytes
     */
    public List<Map<String, Object>> objects() {
        if (manifestsGzip == null) {
            return manifests;
        }
        try (java.io.InputStream in = new java.util.zip.GZIPInputStream(
                new java.io.ByteArrayInputStream(java.util.Base64.getDecoder().decode(manifestsGzip)))) {
            byte[] json = in.readNBytes(MAX_EXPANDED_BYTES + 1);
            if (json.length > MAX_EXPANDED_BYTES) {
                throw new IllegalArgumentException(
                        "the compressed bundle expands past " + MAX_EXPANDED_BYTES + " bytes");
            }
            return List.copyOf(EventCodec.mapper()
                    .readValue(
                            json, new com.fasterxml.jackson.core.type.TypeReference<List<Map<String, Object>>>() {}));
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("manifestsGzip cannot be read: " + e.getMessage(), e);
        }
    }

    /** The objects compressed as {@code manifestsGzip} carries them. */
    public static String compress(List<Map<String, Object>> objects) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.OutputStream out = new java.util.zip.GZIPOutputStream(bytes)) {
            EventCodec.mapper().writeValue(out, objects);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot compress a bundle", e);
        }
        return java.util.Base64.getEncoder().encodeToString(bytes.toByteArray());
    }
}
