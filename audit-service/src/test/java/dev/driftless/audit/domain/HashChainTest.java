package dev.driftless.audit.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HashChainTest {

    static ChangeEntry entry(String id, String data) {
        return new ChangeEntry(
                id,
                "dev.driftless.sync.succeeded.v1",
                "urn:s",
                "demo",
                Instant.parse("2026-01-01T00:00:00.123456Z"),
                "driftless.syncs",
                "demo",
                "demo",
                "https://h/r",
                "c".repeat(40),
                null,
                null,
                null,
                data,
                false,
                null);
    }

    static List<HashChain.Link> chain(List<ChangeEntry> entries) {
        List<HashChain.Link> links = new ArrayList<>();
        String previous = HashChain.GENESIS;
        long seq = 1;
        for (ChangeEntry e : entries) {
            String hash = HashChain.next(previous, e);
            links.add(new HashChain.Link(seq++, e, previous, hash));
            previous = hash;
        }
        return links;
    }

    static final List<ChangeEntry> ENTRIES =
            List.of(entry("a", "{\"n\":1}"), entry("b", "{\"n\":2}"), entry("c", "{\"n\":3}"));

    @Test
    void anUntouchedChainVerifies() {
        assertThat(HashChain.verify("demo", chain(ENTRIES).iterator())).isEmpty();
    }

    @Test
    void anEditedEntryBreaksItsLink() {
        List<HashChain.Link> links = new ArrayList<>(chain(ENTRIES));
        HashChain.Link second = links.get(1);
        links.set(1, new HashChain.Link(second.seq(), entry("b", "{\"n\":99}"), second.previousHash(), second.hash()));

        assertThat(HashChain.verify("demo", links.iterator())).hasValueSatisfying(b -> {
            assertThat(b.eventId()).isEqualTo("b");
            assertThat(b.problem()).contains("content");
        });
    }

    @Test
    void aRemovedEntryBreaksTheNextLink() {
        List<HashChain.Link> links = new ArrayList<>(chain(ENTRIES));
        links.remove(1);

        assertThat(HashChain.verify("demo", links.iterator()))
                .hasValueSatisfying(b -> assertThat(b.eventId()).isEqualTo("c"));
    }

    @Test
    void reorderedEntriesBreakTheChain() {
        List<HashChain.Link> links = new ArrayList<>(chain(ENTRIES));
        links.add(0, links.remove(1));

        assertThat(HashChain.verify("demo", links.iterator())).isPresent();
    }

    @Test
    void theHashCoversEveryColumnAndDataKeyOrderDoesNotMatter() {
        ChangeEntry base = entry("a", Canonical.json("{\"b\":1,\"a\":2}"));
        ChangeEntry reordered = entry("a", Canonical.json("{\"a\":2,\"b\":1}"));
        ChangeEntry otherActor = new ChangeEntry(
                "a",
                base.type(),
                base.source(),
                base.subject(),
                base.eventTime(),
                base.topic(),
                base.key(),
                base.application(),
                base.repository(),
                base.commit(),
                null,
                "mallory",
                null,
                base.eventJson(),
                false,
                null);

        assertThat(HashChain.next("", reordered)).isEqualTo(HashChain.next("", base));
        assertThat(HashChain.next("", otherActor)).isNotEqualTo(HashChain.next("", base));
        assertThat(HashChain.next("x", base)).isNotEqualTo(HashChain.next("", base));
    }

    /** A chain linked as audit-service links it now: hashes of version 2, which cover each entry's position. */
    static List<HashChain.Link> chainV2(List<ChangeEntry> entries) {
        List<HashChain.Link> links = new ArrayList<>();
        String previous = HashChain.GENESIS;
        long seq = 10;
        Instant at = Instant.parse("2026-11-30T10:00:00.000001Z");
        for (ChangeEntry e : entries) {
            HashChain.Position position = new HashChain.Position(seq, at, "demo");
            String hash = HashChain.next(previous, e, position);
            links.add(new HashChain.Link(seq, e, previous, hash, HashChain.VERSION, position));
            previous = hash;
            seq += 3;
            at = at.plusMillis(5);
        }
        return links;
    }

    @Test
    void aVersion2ChainVerifiesAndItsPositionIsCovered() {
        assertThat(HashChain.verify("demo", chainV2(ENTRIES).iterator())).isEmpty();

        for (int change = 0; change < 3; change++) {
            List<HashChain.Link> links = new ArrayList<>(chainV2(ENTRIES));
            HashChain.Link second = links.get(1);
            HashChain.Position p = second.at();
            HashChain.Position moved =
                    switch (change) {
                        // recorded earlier, which shortens a lead time
                        case 0 -> new HashChain.Position(p.seq(), p.recordedAt().minusSeconds(3600), p.chain());
                        case 1 -> new HashChain.Position(p.seq() + 1, p.recordedAt(), p.chain());
                        default -> new HashChain.Position(p.seq(), p.recordedAt(), "other-chain");
                    };
            links.set(
                    1, new HashChain.Link(moved.seq(), second.entry(), second.previousHash(), second.hash(), 2, moved));
            assertThat(HashChain.verify("demo", links.iterator()))
                    .as("position change %d", change)
                    .hasValueSatisfying(b -> assertThat(b.reason()).isEqualTo(HashChain.Problem.HashMismatch));
        }
    }

    @Test
    void aChainNeverGoesBackToVersion1() {
        List<HashChain.Link> links = new ArrayList<>(chainV2(ENTRIES));
        HashChain.Link last = links.get(2);
        // re-linked as version 1, which would hide a changed recorded_at
        links.set(
                2,
                new HashChain.Link(
                        last.seq(),
                        last.entry(),
                        last.previousHash(),
                        HashChain.next(last.previousHash(), last.entry())));

        assertThat(HashChain.verify("demo", links.iterator()))
                .hasValueSatisfying(b -> assertThat(b.problem()).contains("version"));
    }

    @Test
    void aVersion1ChainContinuesAtVersion2() {
        List<HashChain.Link> old = chain(ENTRIES.subList(0, 2));
        String previous = old.get(1).hash();
        HashChain.Position at = new HashChain.Position(3, Instant.parse("2026-11-30T10:00:00Z"), "demo");
        List<HashChain.Link> links = new ArrayList<>(old);
        links.add(new HashChain.Link(
                3, ENTRIES.get(2), previous, HashChain.next(previous, ENTRIES.get(2), at), HashChain.VERSION, at));

        assertThat(HashChain.verify("demo", links.iterator())).isEmpty();
    }

    /**
     * Hashes already stored must verify for ever: the hash of a large event with characters outside the BMP (whose
     * UTF-16 pairs straddle the slices a large event is hashed in) is the one every earlier version computed.
     */
    @Test
    void theHashOfAStoredEntryNeverChanges() {
        // the event's text is hashed in slices of 16,384 UTF-16 units: a rocket (two units) straddles the first end
        String text = "x".repeat(16_383 - "{\"text\":\"".length()) + "\uD83D\uDE80".repeat(5_000) + "é";
        ChangeEntry large = entry("large", "{\"text\":\"" + text + "\"}");

        assertThat(HashChain.next("prev", large))
                .isEqualTo("4d7657cebb5677da436457c00ebdd258032e3c89823cfd3da03122e34fcb3412");
        assertThat(HashChain.next(
                        "prev", large, new HashChain.Position(7, Instant.parse("2026-02-03T04:05:06.789Z"), "demo")))
                .isEqualTo("b65cc882d543c1699482fcadc16cd9f4c9c53f496cf0deb202d4fe1cdbb744cf");
        assertThat(HashChain.contentHash(large))
                .isEqualTo("aa0039359fc3182040a0a837417a9dc2f0c3a969f9d1f3ba3445d838415b7c17");
    }
}
