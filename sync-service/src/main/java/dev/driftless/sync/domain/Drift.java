package dev.driftless.sync.domain;

import dev.driftless.events.DriftDetected.Difference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where a live object differs from what applying Git's version would make of it (the result of a server-side
 * dry-run apply). Bookkeeping the server keeps for itself (resource version, generation, managed fields, timestamps)
 * and {@code status} are not drift. Pure.
 */
public final class Drift {

    private static final Set<String> SERVER_METADATA =
            Set.of("resourceVersion", "generation", "managedFields", "creationTimestamp", "uid", "selfLink");

    private Drift() {}

    /**
     * The fields that differ, as JSON pointers with both values.
     *
     * @param resource how the object is named in the differences
     */
    public static List<Difference> between(String resource, Map<String, Object> live, Map<String, Object> desired) {
        List<Difference> differences = new ArrayList<>();
        compare(resource, "", withoutNoise(live), withoutNoise(desired), differences);
        if ("Secret".equals(live.get("kind"))) {
            // which keys differ is worth knowing; their values must not travel in events or API answers
            return differences.stream()
                    .map(d -> new Difference(d.resource(), d.path(), redacted(d.live()), redacted(d.desired())))
                    .toList();
        }
        return differences;
    }

    private static Object redacted(Object value) {
        return value == null ? null : "(redacted)";
    }

    /**
     * A fingerprint of which object this is and which version of it ({@code metadata.uid} and
     * {@code metadata.resourceVersion}): the API server gives every change a new version, so an equal fingerprint is
     * the same object unchanged. 0 when the object has no {@code resourceVersion} (no version to tell apart).
     */
    public static long versionOf(Map<String, Object> live) {
        if (!(live.get("metadata") instanceof Map<?, ?> metadata)
                || !(metadata.get("resourceVersion") instanceof String version)) {
            return 0;
        }
        Object uid = metadata.get("uid");
        // 64-bit FNV-1a: two versions of an object share a fingerprint once in 2^64
        long hash = 0xcbf29ce484222325L;
        for (String part : new String[] {uid == null ? "" : uid.toString(), "/", version}) {
            for (int i = 0; i < part.length(); i++) {
                hash ^= part.charAt(i);
                hash *= 0x100000001b3L;
            }
        }
        return hash == 0 ? 1 : hash;
    }

    /** A deleted object: one difference for the whole of it. */
    public static Difference deleted(String resource) {
        return new Difference(resource, "", null, "present");
    }

    @SuppressWarnings("unchecked")
    private static void compare(String resource, String path, Object live, Object desired, List<Difference> out) {
        if (live instanceof Map<?, ?> liveMap && desired instanceof Map<?, ?> desiredMap) {
            Set<String> keys = new TreeSet<>();
            liveMap.keySet().forEach(k -> keys.add(String.valueOf(k)));
            desiredMap.keySet().forEach(k -> keys.add(String.valueOf(k)));
            for (String key : keys) {
                compare(
                        resource,
                        path + "/" + key.replace("~", "~0").replace("/", "~1"),
                        ((Map<String, Object>) liveMap).get(key),
                        ((Map<String, Object>) desiredMap).get(key),
                        out);
            }
        } else if (!equalValues(live, desired)) {
            out.add(new Difference(resource, path, live, desired));
        }
    }

    /** Numbers compare by value (an API server may answer 1 where 1.0 was sent). */
    private static boolean equalValues(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return new java.math.BigDecimal(x.toString()).compareTo(new java.math.BigDecimal(y.toString())) == 0;
        }
        return Objects.equals(a, b);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> withoutNoise(Map<String, Object> object) {
        Map<String, Object> copy = new java.util.LinkedHashMap<>(object);
        copy.remove("status");
        if (copy.get("metadata") instanceof Map<?, ?> metadata) {
            Map<String, Object> cleaned = new java.util.LinkedHashMap<>((Map<String, Object>) metadata);
            SERVER_METADATA.forEach(cleaned::remove);
            if (cleaned.get("annotations") instanceof Map<?, ?> annotations
                    && annotations.containsKey("kubectl.kubernetes.io/last-applied-configuration")) {
                Map<String, Object> kept = new java.util.LinkedHashMap<>((Map<String, Object>) annotations);
                kept.remove("kubectl.kubernetes.io/last-applied-configuration"); // a copy of the object, secrets too
                cleaned.put("annotations", kept);
            }
            copy.put("metadata", cleaned);
        }
        return copy;
    }
}
