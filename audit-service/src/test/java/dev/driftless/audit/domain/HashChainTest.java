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
}
