package dev.driftless.events;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.framework.stream.StandardDecryptingChannelFactory;
import com.exceptionfactory.jagged.framework.stream.StandardEncryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How a Secret travels from render-service to sync-service without its values in clear: in a render event, each value
 * of a Secret's {@code data} (and {@code stringData}, folded into {@code data}) is replaced by a keyed digest
 * ({@code hmac-sha256:<hex>}, HMAC with a key only Driftless holds, so a short value cannot be guessed from it, and a
 * changed value still changes the bundle's digest and shows which keys changed), and the values themselves are
 * encrypted with <a href="https://age-encryption.org/v1">age</a> (X25519) to sync-service's recipients, in the field
 * {@value #FIELD}: {@code {"recipients": [key ids], "age": "<base64 of the age file>"}}. render-service holds only
 * public recipients and the digest key; sync-service holds the identities and opens the values in memory just before
 * it applies. A record read off the topic, or a row of the change log, is useless without an identity.
 *
 * <p>Rotation: render-service seals to every recipient it is given (old and new while sync-service's replicas change
 * over), sync-service opens with any identity it holds; a bundle sealed only to a key sync-service no longer holds is
 * {@code SecretUndecryptable}, naming the key id.
 */
public final class SealedSecrets {

    /** The field of a sealed Secret that holds its encrypted values. */
    public static final String FIELD = "driftless.dev/sealed";
    /** The prefix of a value replaced by its keyed digest. */
    public static final String DIGEST_PREFIX = "hmac-sha256:";
    /** The annotation kubectl writes with the whole object, values included, in clear; never carried. */
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SealedSecrets() {}

    /** Why a Secret could not be sealed or opened; the message never holds a value. */
    public static final class SecretException extends Exception {
        private final String reason;

        /** A failure with its reason word ({@code SecretInvalid}, {@code SecretKeyMissing}, ...). */
        public SecretException(String reason, String message) {
            super(message);
            this.reason = reason;
        }

        /** The reason word. */
        public String reason() {
            return reason;
        }
    }

    /**
     * What render-service seals with: sync-service's age recipients ({@code age1...}) and the digest key.
     *
     * @param recipients age X25519 recipients, at least one
     * @param digestKey the HMAC key of the value digests, at least 32 bytes
     */
    public record SealingKey(List<String> recipients, byte[] digestKey) {

        public SealingKey {
            recipients = List.copyOf(recipients);
            digestKey = digestKey.clone();
        }

        /**
         * Reads a recipients file (one {@code age1...} per line, {@code #} comments, as {@code age-keygen -y} writes)
         * and a digest key file (at least 32 bytes; text is taken as base64 when it decodes to 32 or more bytes).
         *
         * @throws SecretException {@code SecretKeyMissing} naming the file when one cannot be read or holds no key
         */
        public static SealingKey read(Path recipientsFile, Path digestKeyFile) throws SecretException {
            List<String> recipients = keyLines(recipientsFile, "age1");
            for (String recipient : recipients) {
                try {
                    X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(recipient);
                } catch (GeneralSecurityException | RuntimeException e) {
                    throw new SecretException(
                            "SecretKeyMissing", recipientsFile + " holds a line that is not an age X25519 recipient");
                }
            }
            return new SealingKey(recipients, readDigestKey(digestKeyFile));
        }
    }

    /**
     * What sync-service opens with: its age identities ({@code AGE-SECRET-KEY-1...}).
     *
     * @param identities age X25519 identities, at least one
     */
    public record OpeningKey(List<String> identities) {

        public OpeningKey {
            identities = List.copyOf(identities);
        }

        /**
         * Reads an identity file (one {@code AGE-SECRET-KEY-1...} per line, {@code #} comments, as {@code age-keygen}
         * writes; two during a rotation).
         *
         * @throws SecretException {@code SecretKeyMissing} naming the file when it cannot be read or holds no key
         */
        public static OpeningKey read(Path identityFile) throws SecretException {
            List<String> identities = keyLines(identityFile, "AGE-SECRET-KEY-1");
            for (String identity : identities) {
                try {
                    X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(identity);
                } catch (GeneralSecurityException | RuntimeException e) {
                    throw new SecretException(
                            "SecretKeyMissing", identityFile + " holds a line that is not an age X25519 identity");
                }
            }
            return new OpeningKey(identities);
        }

        @Override
        public String toString() {
            return "OpeningKey[" + identities.size() + " identities]";
        }
    }

    /**
     * A new age X25519 key, as {@code age-keygen} makes one.
     *
     * @param identity the private half, {@code AGE-SECRET-KEY-1...}, for sync-service's identity file
     * @param recipient the public half, {@code age1...}, for render-service's recipients file
     */
    public record AgeKey(String identity, String recipient) {
        @Override
        public String toString() {
            return "AgeKey[recipient=" + recipient + "]";
        }
    }

    /** Makes a new age X25519 key. */
    public static AgeKey generate() {
        try {
            java.security.KeyPair pair =
                    new com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator().generateKeyPair();
            return new AgeKey(pair.getPrivate().toString(), pair.getPublic().toString());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether a manifest is a Secret ({@code v1}, {@code Secret}). */
    public static boolean isSecret(Map<String, Object> manifest) {
        return "Secret".equals(manifest.get("kind")) && "v1".equals(manifest.get("apiVersion"));
    }

    /** Whether a manifest is a Secret sealed by {@link #seal}. */
    public static boolean isSealed(Map<String, Object> manifest) {
        return isSecret(manifest) && manifest.get(FIELD) instanceof Map<?, ?>;
    }

    /** The id of a recipient in sealed Secrets and messages: the first 16 hex digits of its SHA-256. */
    public static String keyId(String recipient) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(recipient.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A copy of a Secret with its values replaced by keyed digests and sealed to the recipients. {@code stringData}
     * is folded into {@code data} (as Kubernetes does, {@code stringData} winning), and kubectl's
     * last-applied-configuration annotation, which holds the values in clear, is dropped.
     *
     * @throws SecretException {@code SecretInvalid} when a value of {@code data} is not base64 or a value is not a
     *     string (the message names the key, never the value)
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> seal(Map<String, Object> secret, SealingKey key) throws SecretException {
        String name = nameOf(secret);
        Map<String, String> values = new TreeMap<>();
        if (secret.get("data") instanceof Map<?, ?> data) {
            for (Map.Entry<?, ?> entry : data.entrySet()) {
                if (!(entry.getValue() instanceof String text)) {
                    throw invalid(name, "data." + entry.getKey(), "is not a string");
                }
                try {
                    Base64.getDecoder().decode(text.strip());
                } catch (IllegalArgumentException e) {
                    throw invalid(name, "data." + entry.getKey(), "is not base64");
                }
                values.put(String.valueOf(entry.getKey()), text.strip());
            }
        } else if (secret.get("data") != null) {
            throw invalid(name, "data", "is not a map of keys to base64 values");
        }
        if (secret.get("stringData") instanceof Map<?, ?> stringData) {
            for (Map.Entry<?, ?> entry : stringData.entrySet()) {
                if (!(entry.getValue() instanceof String text)) {
                    throw invalid(name, "stringData." + entry.getKey(), "is not a string");
                }
                values.put(
                        String.valueOf(entry.getKey()),
                        Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)));
            }
        } else if (secret.get("stringData") != null) {
            throw invalid(name, "stringData", "is not a map of keys to strings");
        }
        Map<String, Object> sealed = new LinkedHashMap<>(secret);
        sealed.remove("stringData");
        Map<String, Object> metadata =
                new LinkedHashMap<>((Map<String, Object>) secret.getOrDefault("metadata", Map.of()));
        if (metadata.get("annotations") instanceof Map<?, ?> annotations && annotations.containsKey(LAST_APPLIED)) {
            Map<String, Object> kept = new LinkedHashMap<>((Map<String, Object>) annotations);
            kept.remove(LAST_APPLIED);
            metadata.put("annotations", kept);
        }
        sealed.put("metadata", metadata);
        Map<String, Object> digests = new LinkedHashMap<>();
        values.forEach((k, v) -> digests.put(k, DIGEST_PREFIX + hmac(key.digestKey(), k, v)));
        if (!values.isEmpty() || secret.containsKey("data")) {
            sealed.put("data", digests);
        }
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put(
                "recipients",
                key.recipients().stream().map(SealedSecrets::keyId).toList());
        envelope.put("age", Base64.getEncoder().encodeToString(encrypt(json(values), key.recipients())));
        sealed.put(FIELD, envelope);
        return sealed;
    }

    /**
     * The Secret a sealed one stands for, its values in {@code data}, without the sealed field: for sync-service, in
     * memory, just before it applies.
     *
     * @throws SecretException {@code SecretUndecryptable} when no identity opens it (naming the key ids it was sealed
     *     to), it was altered, or its values do not match its digests' keys
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> open(Map<String, Object> sealed, OpeningKey key) throws SecretException {
        String name = nameOf(sealed);
        Map<String, Object> envelope = (Map<String, Object>) sealed.get(FIELD);
        Object recipients = envelope.get("recipients");
        if (!(envelope.get("age") instanceof String age)) {
            throw new SecretException("SecretUndecryptable", "Secret " + name + " has no sealed values");
        }
        Map<String, String> values;
        try {
            byte[] plain = decrypt(Base64.getDecoder().decode(age), key.identities());
            values = JSON.readValue(plain, new TypeReference<TreeMap<String, String>>() {});
        } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
            throw new SecretException(
                    "SecretUndecryptable",
                    "Secret " + name + " was sealed to key(s) " + recipients + " and none of this sync-service's "
                            + key.identities().size() + " identities opens it (a rotated-out key, or altered in"
                            + " transit)");
        }
        Object digests = sealed.get("data");
        java.util.Set<String> expected = digests instanceof Map<?, ?> map
                ? new java.util.TreeSet<>(
                        map.keySet().stream().map(String::valueOf).toList())
                : java.util.Set.of();
        if (!expected.equals(values.keySet())) {
            throw new SecretException(
                    "SecretUndecryptable", "Secret " + name + ": its sealed values do not match its keys " + expected);
        }
        Map<String, Object> open = new LinkedHashMap<>(sealed);
        open.remove(FIELD);
        if (!values.isEmpty() || sealed.containsKey("data")) {
            open.put("data", new LinkedHashMap<>(values));
        }
        return open;
    }

    /**
     * A copy of any manifest with a Secret's values replaced by their keyed digests and without its sealed payload:
     * what a change log stores and an API answers. Other manifests are returned as they are.
     */
    public static Map<String, Object> withoutPayload(Map<String, Object> manifest) {
        if (!isSecret(manifest) || !manifest.containsKey(FIELD)) {
            return manifest;
        }
        Map<String, Object> copy = new LinkedHashMap<>(manifest);
        copy.remove(FIELD);
        return copy;
    }

    private static SecretException invalid(String secret, String field, String what) {
        return new SecretException("SecretInvalid", "Secret " + secret + ": " + field + " " + what);
    }

    @SuppressWarnings("unchecked")
    private static String nameOf(Map<String, Object> secret) {
        Object metadata = secret.get("metadata");
        Object name = metadata instanceof Map<?, ?> m ? ((Map<String, Object>) m).get("name") : null;
        return String.valueOf(name);
    }

    private static String hmac(byte[] key, String name, String base64Value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(name.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return HexFormat.of().formatHex(mac.doFinal(Base64.getDecoder().decode(base64Value)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] json(Map<String, String> values) {
        try {
            return JSON.writeValueAsBytes(values);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encrypt(byte[] plain, List<String> recipients) {
        try {
            List<RecipientStanzaWriter> writers = new ArrayList<>();
            for (String recipient : recipients) {
                writers.add(X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(recipient));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length + 256);
            try (WritableByteChannel channel =
                    new StandardEncryptingChannelFactory().newEncryptingChannel(Channels.newChannel(out), writers)) {
                ByteBuffer buffer = ByteBuffer.wrap(plain);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
            return out.toByteArray();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("age encryption failed", e);
        }
    }

    private static byte[] decrypt(byte[] sealed, List<String> identities) throws GeneralSecurityException, IOException {
        List<RecipientStanzaReader> readers = new ArrayList<>();
        for (String identity : identities) {
            readers.add(X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(identity));
        }
        try (ReadableByteChannel channel = new StandardDecryptingChannelFactory()
                        .newDecryptingChannel(Channels.newChannel(new ByteArrayInputStream(sealed)), readers);
                InputStream in = Channels.newInputStream(channel)) {
            return in.readNBytes(16 * 1024 * 1024);
        }
    }

    private static List<String> keyLines(Path file, String prefix) throws SecretException {
        List<String> keys = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                if (!trimmed.startsWith(prefix)) {
                    throw new SecretException(
                            "SecretKeyMissing", file + " holds a line that is not a " + prefix + "... key");
                }
                keys.add(trimmed);
            }
        } catch (IOException e) {
            throw new SecretException(
                    "SecretKeyMissing",
                    "cannot read " + file + ": " + e.getClass().getSimpleName());
        }
        if (keys.isEmpty()) {
            throw new SecretException("SecretKeyMissing", file + " holds no " + prefix + "... key");
        }
        return keys;
    }

    private static byte[] readDigestKey(Path file) throws SecretException {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new SecretException(
                    "SecretKeyMissing",
                    "cannot read " + file + ": " + e.getClass().getSimpleName());
        }
        String text = new String(raw, StandardCharsets.US_ASCII).strip();
        try {
            byte[] decoded = Base64.getDecoder().decode(text);
            if (decoded.length >= 32) {
                return decoded;
            }
        } catch (IllegalArgumentException e) {
            // not base64: the bytes themselves
        }
        if (raw.length < 32) {
            throw new SecretException("SecretKeyMissing", file + " holds fewer than 32 bytes of digest key");
        }
        return raw;
    }
}
