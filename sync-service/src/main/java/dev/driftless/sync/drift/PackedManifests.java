package dev.driftless.sync.drift;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.sync.domain.ObjectRef;
import dev.driftless.sync.domain.SyncPlan;
import dev.driftless.sync.kube.CompactJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What Git wants of every object the drift watch follows, kept packed: one {@link CompactJson} per kind, so each
 * manifest of an application costs a few hundred bytes between comparisons instead of a tree of maps. Thread-safe.
 */
final class PackedManifests {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> TREE = new TypeReference<>() {};

    private final Map<String, CompactJson> kinds = new ConcurrentHashMap<>();

    /** An application's objects, packed, in apply order. */
    Wanted pack(List<SyncPlan.Desired> objects) {
        Map<ObjectRef, byte[]> packed = new LinkedHashMap<>();
        for (SyncPlan.Desired d : objects) {
            try {
                packed.put(d.ref(), packerOf(d.ref()).pack(JSON.writeValueAsBytes(d.manifest())));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot keep the manifest of " + d.ref(), e);
            }
        }
        return new Wanted(Collections.unmodifiableMap(packed));
    }

    private CompactJson packerOf(ObjectRef ref) {
        return kinds.computeIfAbsent(ref.apiVersion() + "/" + ref.kind(), k -> new CompactJson());
    }

    /** One application's objects: their references, and each manifest read back when asked for. */
    final class Wanted {

        private final Map<ObjectRef, byte[]> packed;

        private Wanted(Map<ObjectRef, byte[]> packed) {
            this.packed = packed;
        }

        /** The objects, in apply order. */
        Set<ObjectRef> refs() {
            return packed.keySet();
        }

        /** Git's manifest of the object (a new tree each call, the caller's to change), or {@code null}. */
        Map<String, Object> manifest(ObjectRef ref) {
            byte[] bytes = packed.get(ref);
            if (bytes == null) {
                return null;
            }
            try {
                return JSON.readValue(packerOf(ref).unpack(bytes), TREE);
            } catch (IOException e) {
                throw new UncheckedIOException("the manifest of " + ref + " cannot be read", e);
            }
        }
    }
}
