package dev.driftless.webhook.domain;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A webhook request as it arrived: its headers (looked up case-insensitively), its raw body, and when it came.
 * Signatures are checked against exactly these bytes, before anything parses them.
 */
public record HookRequest(Map<String, String> headers, byte[] body, Instant receivedAt) {

    public HookRequest {
        Map<String, String> lower = new TreeMap<>();
        headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        headers = Map.copyOf(lower);
        body = body == null ? new byte[0] : body;
    }

    /** A header's value, or {@code null}. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }
}
