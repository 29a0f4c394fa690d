package dev.driftless.sync.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Keeps JSON documents of one kind small in memory: each is deflated with a dictionary learnt from the shape of the
 * first document packed (objects of one kind on one cluster share most of their keys and values: field managers,
 * labels, the shape of their status), and inflated again when read. The dictionary never holds what a Secret or
 * ConfigMap carries: {@code data}, {@code stringData}, {@code binaryData} and the annotations (where client-side
 * apply copies them) are left out of it, so no value outlives its object in it. A Deployment the API server returns (about 3 kB of JSON, some 25 kB as
 * a tree of maps) packs into a few hundred bytes.
 *
 * <p>Thread-safe: the dictionary is fixed by the first {@link #pack} and never changes after, so every packed document
 * stays readable.
 */
public final class CompactJson {

    /** Deflate looks back 32 kB at most: a longer first document contributes its end. */
    private static final int MAX_DICTIONARY = 32 * 1024;

    /** A buffer grown for a large document is not kept for the thread beyond this. */
    private static final int MAX_KEPT_BUFFER = 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Deflaters and inflaters for reuse. Each holds zlib's native memory (a deflater about 256 kB), outside the heap
     * and the JVM's own accounting: one per thread that ever packed (informers', syncs', the API's) was several MB of a
     * service's resident memory, so a few are kept for whichever thread packs next and the rest are ended.
     */
    private static final int KEPT = 4;

    private static final Kept<Deflater> DEFLATERS =
            new Kept<>(() -> new Deflater(Deflater.DEFAULT_COMPRESSION, true), Deflater::reset, Deflater::end);
    private static final Kept<Inflater> INFLATERS =
            new Kept<>(() -> new Inflater(true), Inflater::reset, Inflater::end);

    /** Up to {@link #KEPT} idle zlib objects of one kind, lent to one caller at a time, the rest ended. */
    private static final class Kept<T> {

        private final java.util.concurrent.BlockingQueue<T> idle = new java.util.concurrent.ArrayBlockingQueue<>(KEPT);
        private final java.util.function.Supplier<T> create;
        private final java.util.function.Consumer<T> reset;
        private final java.util.function.Consumer<T> end;

        Kept(
                java.util.function.Supplier<T> create,
                java.util.function.Consumer<T> reset,
                java.util.function.Consumer<T> end) {
            this.create = create;
            this.reset = reset;
            this.end = end;
        }

        <R> R lend(java.util.function.Function<T, R> use) {
            T polled = idle.poll();
            T lent = polled == null ? create.get() : polled;
            try {
                return use.apply(lent);
            } finally {
                reset.accept(lent);
                if (!idle.offer(lent)) {
                    end.accept(lent);
                }
            }
        }
    }

    private static final ThreadLocal<byte[]> BUFFERS = ThreadLocal.withInitial(() -> new byte[16 * 1024]);

    private volatile byte[] dictionary;

    /** The document, deflated: its length (four bytes), then the raw deflate stream. */
    public byte[] pack(byte[] json) {
        byte[] words = dictionaryFor(json);
        return DEFLATERS.lend(deflater -> pack(json, words, deflater));
    }

    private static byte[] pack(byte[] json, byte[] words, Deflater deflater) {
        if (words.length > 0) {
            deflater.setDictionary(words);
        }
        deflater.setInput(json);
        deflater.finish();
        byte[] out = BUFFERS.get();
        int length = 4;
        while (!deflater.finished()) {
            if (length == out.length) {
                out = Arrays.copyOf(out, out.length * 2);
                if (out.length <= MAX_KEPT_BUFFER) {
                    BUFFERS.set(out);
                }
            }
            length += deflater.deflate(out, length, out.length - length);
        }
        byte[] packed = Arrays.copyOf(out, length);
        packed[0] = (byte) (json.length >>> 24);
        packed[1] = (byte) (json.length >>> 16);
        packed[2] = (byte) (json.length >>> 8);
        packed[3] = (byte) json.length;
        return packed;
    }

    /** The document {@link #pack} was given. */
    public byte[] unpack(byte[] packed) {
        int length = ((packed[0] & 0xff) << 24)
                | ((packed[1] & 0xff) << 16)
                | ((packed[2] & 0xff) << 8)
                | (packed[3] & 0xff);
        return INFLATERS.lend(inflater -> unpack(packed, length, inflater));
    }

    private byte[] unpack(byte[] packed, int length, Inflater inflater) {
        byte[] json = new byte[length];
        // a raw stream has no header asking for the dictionary: it is set before inflating
        byte[] words = dictionary;
        if (words != null && words.length > 0) {
            inflater.setDictionary(words);
        }
        inflater.setInput(packed, 4, packed.length - 4);
        try {
            int read = 0;
            while (read < length) {
                int n = inflater.inflate(json, read, length - read);
                if (n == 0 && (inflater.finished() || inflater.needsInput())) {
                    throw new IllegalStateException(
                            "a packed document ended after " + read + " of " + length + " bytes");
                }
                read += n;
            }
            if (!inflater.finished()) {
                throw new IllegalStateException("a packed document is longer than the " + length + " bytes it says");
            }
        } catch (DataFormatException e) {
            throw new IllegalStateException("a packed document cannot be read: " + e.getMessage(), e);
        }
        return json;
    }

    /** Bytes of the dictionary, once one is learnt (0 before). */
    public int dictionaryBytes() {
        byte[] words = dictionary;
        return words == null ? 0 : words.length;
    }

    /** What the dictionary was learnt from (a copy; empty before one is): to check what it holds. */
    public byte[] dictionary() {
        byte[] words = dictionary;
        return words == null ? new byte[0] : words.clone();
    }

    private byte[] dictionaryFor(byte[] first) {
        byte[] words = dictionary;
        if (words != null) {
            return words;
        }
        synchronized (this) {
            if (dictionary == null) {
                byte[] shape = shapeOf(first);
                dictionary = shape.length <= MAX_DICTIONARY
                        ? shape
                        : Arrays.copyOfRange(shape, shape.length - MAX_DICTIONARY, shape.length);
            }
            return dictionary;
        }
    }

    /** The document without the values objects carry for others (data, annotations); nothing if it is no object. */
    private static byte[] shapeOf(byte[] json) {
        try {
            JsonNode tree = JSON.readTree(json);
            if (!(tree instanceof ObjectNode object)) {
                return new byte[0];
            }
            object.remove(java.util.List.of("data", "stringData", "binaryData"));
            if (object.get("metadata") instanceof ObjectNode metadata) {
                metadata.remove("annotations");
            }
            return JSON.writeValueAsBytes(object);
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
