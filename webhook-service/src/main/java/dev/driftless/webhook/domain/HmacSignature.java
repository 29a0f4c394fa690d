package dev.driftless.webhook.domain;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies {@code sha256=<hex>} HMAC-SHA256 signatures over the raw request body, comparing in constant time so the
 * time taken says nothing about how much of a forged signature was right.
 */
public final class HmacSignature {

    private static final String PREFIX = "sha256=";

    private HmacSignature() {}

    /**
     * Checks a GitHub-style {@code X-Hub-Signature-256} header against the body.
     *
     * @throws WebhookRejected with {@link Reason#SignatureInvalid} when the header is missing, malformed or wrong
     */
    public static void verify(String header, byte[] body, String secret) {
        requireSecret(secret);
        if (header == null || header.isBlank()) {
            throw new WebhookRejected(Reason.SignatureInvalid, "the X-Hub-Signature-256 header is missing");
        }
        String value = header.trim();
        if (!value.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            throw new WebhookRejected(Reason.SignatureInvalid, "the signature must be sha256=<hex>");
        }
        compare(value.substring(PREFIX.length()), body, secret);
    }

    /**
     * Checks a hex HMAC-SHA256 signature without prefix (Gitea, Forgejo, Gogs) against the body.
     *
     * @param header the name of the header it came in, for the error message
     * @throws WebhookRejected with {@link Reason#SignatureInvalid} when it is missing, malformed or wrong
     */
    public static void verifyHex(String hex, String header, byte[] body, String secret) {
        requireSecret(secret);
        if (hex == null || hex.isBlank()) {
            throw new WebhookRejected(Reason.SignatureInvalid, "the " + header + " header is missing");
        }
        compare(hex.trim(), body, secret);
    }

    /**
     * Checks a shared token sent as it is (GitLab's {@code X-Gitlab-Token}) in constant time.
     *
     * @throws WebhookRejected with {@link Reason#SignatureInvalid} when it is missing or wrong
     */
    public static void verifyToken(String token, String header, String secret) {
        requireSecret(secret);
        if (token == null || token.isEmpty()) {
            throw new WebhookRejected(Reason.SignatureInvalid, "the " + header + " header is missing");
        }
        byte[] expected = sha256(secret.getBytes(StandardCharsets.UTF_8));
        if (!MessageDigest.isEqual(expected, sha256(token.getBytes(StandardCharsets.UTF_8)))) {
            throw new WebhookRejected(Reason.SignatureInvalid, "the " + header + " does not match");
        }
    }

    private static void requireSecret(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new WebhookRejected(Reason.SecretNotConfigured, "no webhook secret is configured; refusing");
        }
    }

    private static void compare(String hex, byte[] body, String secret) {
        byte[] given;
        try {
            given = HexFormat.of().parseHex(hex.toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new WebhookRejected(Reason.SignatureInvalid, "the signature is not hexadecimal");
        }
        if (!MessageDigest.isEqual(given, hmacSha256(secret.getBytes(StandardCharsets.UTF_8), body))) {
            throw new WebhookRejected(Reason.SignatureInvalid, "the signature does not match the body");
        }
    }

    private static byte[] sha256(byte[] value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** HMAC-SHA256 of the body under the key. */
    public static byte[] hmacSha256(byte[] key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
