package dev.driftless.events;

import java.time.Instant;
import java.util.List;

/**
 * The head of every hash chain of the change log at one moment, published by audit-service signed with its Ed25519
 * key to a compacted topic outside the database: a copy of the log's state that nobody holding the database can
 * rewrite, against which a changed row, a missing tail, a missing chain or a dropped archived month is found.
 *
 * @param at when the heads were read
 * @param heads each chain's last entry then, by chain name
 */
public record ChainCheckpoint(Instant at, List<Head> heads) {

    public ChainCheckpoint {
        heads = heads == null ? List.of() : List.copyOf(heads);
    }

    /**
     * One chain's last entry.
     *
     * @param chain the chain (an application's name, {@code ""} for events of no application)
     * @param seq the entry's sequence number in the log
     * @param hash the entry's hash
     */
    public record Head(String chain, long seq, String hash) {}
}
