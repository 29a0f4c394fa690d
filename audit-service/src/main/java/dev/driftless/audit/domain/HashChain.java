package dev.driftless.audit.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tamper evidence of the change log: each entry's hash is {@code SHA-256(previous hash ‖ canonical entry)} within
 * its chain, so changing, removing or reordering any entry breaks every later link of that chain. Hashes of
 * {@link #VERSION} 2 also cover where the entry sits ({@link Position}: its {@code seq}, {@code recorded_at} and
 * chain), so neither when an entry was recorded (which lead times are computed from) nor its place can change
 * unnoticed; entries recorded before keep their version 1 hashes, and a chain never goes back to version 1.
 */
public final class HashChain {

    /** The previous hash of the first entry of a chain. */
    public static final String GENESIS = "";

    /** The version of the hashes new entries are linked with. */
    public static final int VERSION = 2;

    /** Where an entry sits in the log, covered by hashes of version 2. */
    public record Position(long seq, java.time.Instant recordedAt, String chain) {}

    private HashChain() {}

    /** The version 1 hash of an entry that follows {@code previousHash} in its chain (entries recorded before 2). */
    public static String next(String previousHash, ChangeEntry entry) {
        return digest(previousHash, canonicalParts(entry));
    }

    /** The version 2 hash of an entry that follows {@code previousHash}, at that position of the log. */
    public static String next(String previousHash, ChangeEntry entry, Position at) {
        Map<String, Object> position = new LinkedHashMap<>();
        position.put("v", VERSION);
        position.put("seq", at.seq());
        position.put("recordedAt", at.recordedAt().toString());
        position.put("chain", at.chain());
        String head = Canonical.value(position);
        List<String> parts = new ArrayList<>();
        parts.add(head.substring(0, head.length() - 1) + ",\"entry\":");
        parts.addAll(canonicalParts(entry));
        parts.add("}");
        return digest(previousHash, parts);
    }

    /**
     * The hash of {@code previousHash}, a newline and the concatenated parts, each part encoded as UTF-8 a slice at a
     * time: a large event is hashed where it lies, never copied whole into one more string or byte array.
     */
    private static String digest(String previousHash, List<String> canonicalParts) {
        MessageDigest sha = sha256();
        sha.update(previousHash.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
        canonicalParts.forEach(part -> update(sha, part));
        return HexFormat.of().formatHex(sha.digest());
    }

    private static final int SLICE = 16 * 1024;

    private static void update(MessageDigest sha, String text) {
        for (int start = 0; start < text.length(); ) {
            int end = Math.min(text.length(), start + SLICE);
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                end--; // a surrogate pair is encoded whole
            }
            sha.update(text.substring(start, end).getBytes(StandardCharsets.UTF_8));
            start = end;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /**
     * The hash of an entry's content alone: what a redaction records of the entry as it left it, so the chain still
     * verifies with the hash the entry was first linked with.
     */
    public static String contentHash(ChangeEntry entry) {
        MessageDigest sha = sha256();
        canonicalParts(entry).forEach(part -> update(sha, part));
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * The canonical form of an entry (every recorded column, the event included, as canonical JSON) in parts whose
     * concatenation it is, the event's JSON one of them as it is stored.
     */
    private static List<String> canonicalParts(ChangeEntry e) {
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
        return List.of(head.substring(0, head.length() - 1) + ",\"event\":", e.eventJson(), "}");
    }

    /**
     * A stored entry with the links it was stored with, the version of its hash, and (for version 2) where it sits.
     */
    public record Link(long seq, ChangeEntry entry, String previousHash, String hash, int version, Position at) {

        /** A link of version 1. */
        public Link(long seq, ChangeEntry entry, String previousHash, String hash) {
            this(seq, entry, previousHash, hash, 1, null);
        }
    }

    /** A link a walk verified: where the next walk of its chain may start. */
    public record Mark(long seq, String hash) {}

    /** The words a broken chain is reported with. */
    public enum Problem {
        /** An entry's hash is not that of its content and place, or its links are not the entries around it. */
        HashMismatch,
        /** A chain ends before the entry a signed checkpoint saw. */
        TailMissing,
        /** A chain a signed checkpoint saw is not in the log at all. */
        ChainMissing,
        /** An archived month the log continues from is gone. */
        ArchiveMissing
    }

    /** The first link of a chain that does not hold, and what is wrong with it. */
    public record Break(String chain, long seq, String eventId, String problem, Problem reason) {

        /** A link whose hash does not hold ({@link Problem#HashMismatch}). */
        public Break(String chain, long seq, String eventId, String problem) {
            this(chain, seq, eventId, problem, Problem.HashMismatch);
        }
    }

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
        boolean linkedAtVersion2 = false;
        while (links.hasNext()) {
            Link link = links.next();
            if (link.version() < VERSION && linkedAtVersion2) {
                return Optional.of(new Break(
                        chain,
                        link.seq(),
                        link.entry().eventId(),
                        "an entry after one of hash version " + VERSION + " claims version " + link.version()));
            }
            linkedAtVersion2 |= link.version() >= VERSION;
            if (!link.previousHash().equals(expectedPrevious)) {
                return Optional.of(new Break(
                        chain,
                        link.seq(),
                        link.entry().eventId(),
                        "the previous hash does not match the entry before it"));
            }
            String recomputed = link.version() >= VERSION
                    ? next(expectedPrevious, link.entry(), link.at())
                    : next(expectedPrevious, link.entry());
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
