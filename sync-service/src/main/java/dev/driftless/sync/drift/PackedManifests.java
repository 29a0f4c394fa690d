package dev.driftless.sync.drift;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.sync.domain.ObjectRef;
import dev.driftless.sync.domain.SyncPlan;
import dev.driftless.sync.kube.CompactJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
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
        ObjectRef[] refs = new ObjectRef[objects.size()];
        byte[][] packed = new byte[objects.size()][];
        for (int i = 0; i < refs.length; i++) {
            SyncPlan.Desired d = objects.get(i);
            refs[i] = d.ref();
            try {
                packed[i] = packerOf(d.ref()).pack(JSON.writeValueAsBytes(d.manifest()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot keep the manifest of " + d.ref(), e);
            }
        }
        return new Wanted(refs, packed);
    }

    private CompactJson packerOf(ObjectRef ref) {
        return kinds.computeIfAbsent(ref.apiVersion() + "/" + ref.kind(), k -> new CompactJson());
    }

    /**
     * One application's objects: their references, and each manifest read back when asked for. Two arrays, not a map:
     * an application has a few objects, and a map's entries cost more than its packed manifests.
     */
    final class Wanted {

        private final ObjectRef[] refs;
        private final byte[][] packed;

        private Wanted(ObjectRef[] refs, byte[][] packed) {
            this.refs = refs;
            this.packed = packed;
        }

        /** The objects, in apply order. */
        List<ObjectRef> refs() {
            return Collections.unmodifiableList(Arrays.asList(refs));
        }

        /** Git's manifest of the object (a new tree each call, the caller's to change), or {@code null}. */
        Map<String, Object> manifest(ObjectRef ref) {
            byte[] bytes = null;
            for (int i = 0; i < refs.length && bytes == null; i++) {
                if (refs[i].equals(ref)) {
                    bytes = packed[i];
                }
            }
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
