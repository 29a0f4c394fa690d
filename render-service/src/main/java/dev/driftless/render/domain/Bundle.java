package dev.driftless.render.domain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.driftless.events.SealedSecrets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A rendered bundle: the manifests of one application at one commit, with a digest over their canonical JSON (keys
 * sorted) so that the same objects always give the same digest, whatever the file layout or key order.
 *
 * @param manifests the objects in apply order as rendered
 * @param digest {@code sha256:<hex>}
 * @param sizeBytes size of the canonical JSON
 */
public record Bundle(List<Map<String, Object>> manifests, String digest, int sizeBytes) {

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    /**
     * Builds a bundle and its digest. A sealed Secret counts by its keyed value digests, not by its encrypted payload
     * (which differs at every sealing), so the same values give the same digest and a changed value another.
     */
    public static Bundle of(List<Map<String, Object>> manifests) {
        try {
            byte[] canonical = CANONICAL.writeValueAsBytes(manifests);
            boolean sealed = manifests.stream().anyMatch(SealedSecrets::isSealed);
            byte[] digested = sealed
                    ? CANONICAL.writeValueAsBytes(manifests.stream()
                            .map(SealedSecrets::withoutPayload)
                            .toList())
                    : canonical;
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(digested);
            return new Bundle(List.copyOf(manifests), "sha256:" + HexFormat.of().formatHex(hash), canonical.length);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot digest bundle", e);
        }
    }
}
