package dev.driftless.webhook.domain;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
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
        verify(header, "X-Hub-Signature-256", body, secret);
    }

    /**
     * Checks a {@code sha256=<hex>} signature that came in the named header against the body.
     *
     * @throws WebhookRejected with {@link Reason#SignatureInvalid} when the header is missing, malformed or wrong
     */
    public static void verify(String header, String name, byte[] body, String secret) {
        requireSecret(secret);
        if (header == null || header.isBlank()) {
            throw new WebhookRejected(Reason.SignatureInvalid, "the " + name + " header is missing");
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

    /**
     * Checks a Standard Webhooks signature (GitLab's signing token): {@code webhook-signature} holds one or more
     * space-separated {@code v1,<base64 HMAC-SHA256>} over {@code "{webhook-id}.{webhook-timestamp}.{body}"}, and the
     * timestamp (Unix seconds) must lie within the tolerance of when the request arrived, so a captured request
     * cannot be replayed later. A secret of the form {@code whsec_<base64>} is the base64-decoded key, as the
     * specification says; any other secret is used as it is.
     *
     * @throws WebhookRejected with {@link Reason#SignatureInvalid} when a header is missing, stale or wrong
     */
    public static void verifyStandardWebhook(HookRequest request, String secret, Duration tolerance) {
        requireSecret(secret);
        String id = request.header("webhook-id");
        String timestamp = request.header("webhook-timestamp");
        String signatures = request.header("webhook-signature");
        if (id == null || timestamp == null || signatures == null) {
            throw new WebhookRejected(
                    Reason.SignatureInvalid,
                    "a signed request needs webhook-id, webhook-timestamp and webhook-signature headers");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            throw new WebhookRejected(Reason.SignatureInvalid, "webhook-timestamp is not a number of seconds");
        }
        long skew = Math.abs(request.receivedAt().getEpochSecond() - seconds);
        if (skew > tolerance.toSeconds()) {
            throw new WebhookRejected(
                    Reason.SignatureInvalid,
                    "webhook-timestamp is " + skew + " s away from now, beyond the " + tolerance.toSeconds()
                            + " s tolerance");
        }
        byte[] prefix = (id + "." + timestamp.trim() + ".").getBytes(StandardCharsets.UTF_8);
        byte[] signed = new byte[prefix.length + request.body().length];
        System.arraycopy(prefix, 0, signed, 0, prefix.length);
        System.arraycopy(request.body(), 0, signed, prefix.length, request.body().length);
        byte[] expected = hmacSha256(standardWebhookKey(secret), signed);
        boolean matched = false;
        for (String entry : signatures.trim().split("\\s+")) {
            if (!entry.startsWith("v1,")) {
                continue;
            }
            byte[] given;
            try {
                given = Base64.getDecoder().decode(entry.substring(3));
            } catch (IllegalArgumentException e) {
                continue;
            }
            matched |= MessageDigest.isEqual(given, expected);
        }
        if (!matched) {
            throw new WebhookRejected(Reason.SignatureInvalid, "the webhook-signature does not match the body");
        }
    }

    private static byte[] standardWebhookKey(String secret) {
        if (secret.startsWith("whsec_")) {
            try {
                return Base64.getDecoder().decode(secret.substring("whsec_".length()));
            } catch (IllegalArgumentException e) {
                // not the specification's form after all: the secret as it is
            }
        }
        return secret.getBytes(StandardCharsets.UTF_8);
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
