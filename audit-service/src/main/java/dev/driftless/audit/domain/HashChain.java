package dev.driftless.audit.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The tamper evidence of the change log: each entry's hash is {@code SHA-256(previous hash ‖ canonical entry)} within
 * its chain, so changing, removing or reordering any entry breaks every later link of that chain.
 */
public final class HashChain {

    /** The previous hash of the first entry of a chain. */
    public static final String GENESIS = "";

    private HashChain() {}

    /** The hash of an entry that follows {@code previousHash} in its chain. */
    public static String next(String previousHash, ChangeEntry entry) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(previousHash.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
            sha.update(canonical(entry).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /**
     * The hash of an entry's content alone: what a redaction records of the entry as it left it, so the chain still
     * verifies with the hash the entry was first linked with.
     */
    public static String contentHash(ChangeEntry entry) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(canonical(entry).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** The canonical form of an entry: every recorded column, the event included, as canonical JSON. */
    static String canonical(ChangeEntry e) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("eventId", e.eventId());
        fields.put("type", e.type());
        fields.put("source", e.source());
        fields.put("subject", e.subject());
        fields.put("eventTime", e.eventTime() == null ? null : e.eventTime().toString());
        fields.put("topic", e.topic());
        fields.put("key", e.key());
        fields.put("application", e.application());
        fields.put("repository", e.repository());
        fields.put("commit", e.commit());
        fields.put("deliveryId", e.deliveryId());
        fields.put("actor", e.actor());
        fields.put("reason", e.reason());
        fields.put("rejected", e.rejected());
        fields.put("rejectionReason", e.rejectionReason());
        String head = Canonical.value(fields);
        return head.substring(0, head.length() - 1) + ",\"event\":" + e.eventJson() + "}";
    }

    /** A stored entry with the links it was stored with. */
    public record Link(long seq, ChangeEntry entry, String previousHash, String hash) {}

    /** The first link of a chain that does not hold, and what is wrong with it. */
    public record Break(String chain, long seq, String eventId, String problem) {}

    /**
     * Walks one chain in log order and returns the first broken link, if any: an entry whose recorded previous hash
     * is not the hash before it (an entry was removed or reordered), or whose hash is not the hash of its content
     * (an entry was edited).
     */
    public static Optional<Break> verify(String chain, Iterator<Link> links) {
        return verify(chain, GENESIS, links);
    }

    /**
     * Walks a chain that continues from {@code startHash}: the last hash of its archived part, or {@link #GENESIS}.
     */
    public static Optional<Break> verify(String chain, String startHash, Iterator<Link> links) {
        return verify(chain, startHash, links, Map.of());
    }

    /**
     * Walks a chain in which some entries were redacted by a recorded, chained redaction: an entry whose content no
     * longer gives its hash holds when its content hash is the one the redaction recorded for its {@code seq}
     * ({@code redacted}), and nothing else about it changed (its links are the original ones).
     */
    public static Optional<Break> verify(
            String chain, String startHash, Iterator<Link> links, Map<Long, String> redacted) {
        String expectedPrevious = startHash;
        while (links.hasNext()) {
            Link link = links.next();
            if (!link.previousHash().equals(expectedPrevious)) {
                return Optional.of(new Break(
                        chain,
                        link.seq(),
                        link.entry().eventId(),
                        "the previous hash does not match the entry before it"));
            }
            String recomputed = next(expectedPrevious, link.entry());
            boolean redactedAsRecorded =
                    redacted.containsKey(link.seq()) && redacted.get(link.seq()).equals(contentHash(link.entry()));
            if (!recomputed.equals(link.hash()) && !redactedAsRecorded) {
                return Optional.of(new Break(
                        chain, link.seq(), link.entry().eventId(), "the hash does not match the entry's content"));
            }
            expectedPrevious = link.hash();
        }
        return Optional.empty();
    }
}
