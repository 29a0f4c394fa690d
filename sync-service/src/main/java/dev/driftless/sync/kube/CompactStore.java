package dev.driftless.sync.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * An informer's cache that keeps each object packed ({@link CompactJson}) and reads it back when asked: what a watch
 * of thousands of applications' objects costs grows by a few hundred bytes an object, not by a tree of maps each.
 * Reads parse (a fraction of a millisecond), which the watch's readers do once per change or health check; an update
 * parses the object it replaces (the informer hands both to its handler), and a list or relist reads every object
 * once, so the saving holds between relists, not during one.
 *
 * @param <T> the objects' type
 */
public final class CompactStore<T extends HasMetadata> implements ItemStore<T> {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Class<T> type;
    private final CompactJson packer = new CompactJson();
    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();

    /** A store of objects of this type. */
    public CompactStore(Class<T> type) {
        this.type = type;
    }

    @Override
    public String getKey(T object) {
        return Cache.metaNamespaceKeyFunc(object);
    }

    @Override
    public T put(String key, T object) {
        return read(objects.put(key, write(object)));
    }

    @Override
    public T remove(String key) {
        return read(objects.remove(key));
    }

    @Override
    public Stream<String> keySet() {
        return objects.keySet().stream();
    }

    @Override
    public Stream<T> values() {
        return objects.values().stream().map(this::read);
    }

    @Override
    public int size() {
        return objects.size();
    }

    @Override
    public T get(String key) {
        return read(objects.get(key));
    }

    /** The bytes the objects take packed (without the map's own). */
    public long packedBytes() {
        return objects.values().stream().mapToLong(b -> b.length).sum() + packer.dictionaryBytes();
    }

    private byte[] write(T object) {
        try {
            return packer.pack(JSON.writeValueAsBytes(object));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep " + getKey(object) + " in the watch's cache", e);
        }
    }

    private T read(byte[] packed) {
        if (packed == null) {
            return null;
        }
        try {
            return JSON.readValue(packer.unpack(packed), type);
        } catch (IOException e) {
            throw new UncheckedIOException("an object in the watch's cache cannot be read", e);
        }
    }
}
