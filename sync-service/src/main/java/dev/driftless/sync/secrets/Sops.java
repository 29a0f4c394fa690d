package dev.driftless.sync.secrets;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.framework.stream.StandardDecryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;
import dev.driftless.events.SealedSecrets.SecretException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opens a manifest encrypted with <a href="https://github.com/getsops/sops">SOPS</a> for age recipients, as Flux
 * users commit them: the data key is age-decrypted with one of sync-service's identities, each
 * {@code ENC[AES256_GCM,...]} value is decrypted with AES-256-GCM (the value's path, keys joined by {@code :} with a
 * trailing {@code :}, as additional data), and the file's MAC (SHA-512 over every value in document order, itself
 * encrypted with the last-modified time as additional data) must match, so a value changed, removed or moved after
 * encryption is refused. Only age is read; a file for PGP or a cloud KMS alone is {@code SecretUndecryptable}.
 */
public final class Sops {

    /** The top-level field SOPS keeps its metadata in. */
    public static final String METADATA = "sops";

    private static final Pattern ENCRYPTED =
            Pattern.compile("^ENC\\[AES256_GCM,data:([^,]*),iv:([^,]+),tag:([^,]+),type:([a-z]+)]$");
    private static final Pattern ARMOR =
            Pattern.compile("-----BEGIN AGE ENCRYPTED FILE-----([A-Za-z0-9+/=\\s]+)-----END AGE ENCRYPTED FILE-----");

    private Sops() {}

    /** Whether a manifest was encrypted with SOPS: it has a {@code sops} map with a {@code mac}. */
    public static boolean isEncrypted(Map<String, Object> manifest) {
        return manifest.get(METADATA) instanceof Map<?, ?> metadata && metadata.get("mac") instanceof String;
    }

    /**
     * The manifest with every value decrypted and without its SOPS metadata.
     *
     * @param name how the manifest is named in messages (never a value)
     * @throws SecretException {@code SecretUndecryptable} when no identity opens its data key, a value cannot be
     *     decrypted, or the MAC does not match
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> decrypt(Map<String, Object> manifest, List<String> identities, String name)
            throws SecretException {
        Map<String, Object> metadata = (Map<String, Object>) manifest.get(METADATA);
        byte[] dataKey = dataKey(metadata, identities, name);
        boolean macOnlyEncrypted = Boolean.TRUE.equals(metadata.get("mac_only_encrypted"));
        MessageDigest mac = sha512();
        Map<String, Object> plain = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : manifest.entrySet()) {
            if (entry.getKey().equals(METADATA)) {
                continue;
            }
            List<String> path = List.of(entry.getKey());
            plain.put(entry.getKey(), walk(entry.getValue(), path, dataKey, mac, macOnlyEncrypted, name));
        }
        String computed = HexFormat.of().formatHex(mac.digest()).toUpperCase(Locale.ROOT);
        Object stored = decryptValue(
                String.valueOf(metadata.get("mac")),
                dataKey,
                String.valueOf(metadata.get("lastmodified")),
                name,
                "sops.mac");
        if (!computed.equals(String.valueOf(stored))) {
            throw new SecretException(
                    "SecretUndecryptable",
                    name + ": the SOPS MAC does not match: the file was changed after it was encrypted (or its values"
                            + " reordered, as a kustomize build may)");
        }
        return plain;
    }

    @SuppressWarnings("unchecked")
    private static Object walk(
            Object value, List<String> path, byte[] key, MessageDigest mac, boolean macOnlyEncrypted, String name)
            throws SecretException {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, Object> entry : ((Map<String, Object>) map).entrySet()) {
                List<String> child = new ArrayList<>(path);
                child.add(entry.getKey());
                out.put(entry.getKey(), walk(entry.getValue(), child, key, mac, macOnlyEncrypted, name));
            }
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object item : list) {
                out.add(walk(item, path, key, mac, macOnlyEncrypted, name)); // SOPS keeps the path for list items
            }
            return out;
        }
        boolean encrypted =
                value instanceof String text && ENCRYPTED.matcher(text).matches();
        Object plain = encrypted
                ? decryptValue((String) value, key, String.join(":", path) + ":", name, String.join(".", path))
                : value;
        if (encrypted || !macOnlyEncrypted) {
            mac.update(bytes(plain));
        }
        return plain;
    }

    /** A value as SOPS hashes it into the MAC (booleans as {@code True}/{@code False}, as its Python origins did). */
    private static byte[] bytes(Object value) {
        String text;
        if (value == null) {
            text = "";
        } else if (value instanceof Boolean b) {
            text = b ? "True" : "False";
        } else if (value instanceof Double || value instanceof Float) {
            text = new java.math.BigDecimal(value.toString())
                    .stripTrailingZeros()
                    .toPlainString();
        } else {
            text = value.toString();
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Object decryptValue(String value, byte[] key, String additionalData, String name, String field)
            throws SecretException {
        Matcher m = ENCRYPTED.matcher(value);
        if (!m.matches()) {
            throw new SecretException("SecretUndecryptable", name + ": " + field + " is not a SOPS-encrypted value");
        }
        byte[] plain;
        try {
            Base64.Decoder b64 = Base64.getDecoder();
            byte[] data = b64.decode(m.group(1));
            byte[] iv = b64.decode(m.group(2));
            byte[] tag = b64.decode(m.group(3));
            byte[] sealed = new byte[data.length + tag.length];
            System.arraycopy(data, 0, sealed, 0, data.length);
            System.arraycopy(tag, 0, sealed, data.length, tag.length);
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(tag.length * 8, iv));
            gcm.updateAAD(additionalData.getBytes(StandardCharsets.UTF_8));
            plain = gcm.doFinal(sealed);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SecretException(
                    "SecretUndecryptable",
                    name + ": " + field + " cannot be decrypted (changed, or moved to another key, after encryption)");
        }
        String text = new String(plain, StandardCharsets.UTF_8);
        try {
            return switch (m.group(4)) {
                case "int" -> Long.parseLong(text);
                case "float" -> Double.parseDouble(text);
                case "bool" -> Boolean.parseBoolean(text.toLowerCase(Locale.ROOT));
                default -> text;
            };
        } catch (NumberFormatException e) {
            throw new SecretException(
                    "SecretUndecryptable", name + ": " + field + " is not the " + m.group(4) + " its type says");
        }
    }

    @SuppressWarnings("unchecked")
    private static byte[] dataKey(Map<String, Object> metadata, List<String> identities, String name)
            throws SecretException {
        List<String> recipients = new ArrayList<>();
        if (metadata.get("age") instanceof List<?> stanzas) {
            for (Object stanza : stanzas) {
                if (!(stanza instanceof Map<?, ?> entry) || !(entry.get("enc") instanceof String armored)) {
                    continue;
                }
                recipients.add(String.valueOf(entry.get("recipient")));
                Matcher m = ARMOR.matcher(armored);
                if (!m.find()) {
                    continue;
                }
                byte[] file = Base64.getMimeDecoder().decode(m.group(1).replaceAll("\\s", ""));
                for (String identity : identities) {
                    try {
                        RecipientStanzaReader reader =
                                X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(identity);
                        try (InputStream in = Channels.newInputStream(new StandardDecryptingChannelFactory()
                                .newDecryptingChannel(
                                        Channels.newChannel(new ByteArrayInputStream(file)), List.of(reader)))) {
                            byte[] key = in.readNBytes(64);
                            if (key.length == 32) {
                                return key;
                            }
                        }
                    } catch (GeneralSecurityException | IOException e) {
                        // not this identity's stanza: try the next
                    }
                }
            }
        }
        throw new SecretException(
                "SecretUndecryptable",
                name + " is encrypted with SOPS "
                        + (recipients.isEmpty()
                                ? "for no age recipient (Driftless opens age only, not PGP or a cloud KMS)"
                                : "for age recipient(s) " + recipients
                                        + ", and no identity of this sync-service opens it"));
    }

    private static MessageDigest sha512() {
        try {
            return MessageDigest.getInstance("SHA-512");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
