package dev.driftless.audit.store;

import dev.driftless.audit.domain.HashChain;
import dev.driftless.events.ChainCheckpoint;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One verification of the change log, over one connection, the same for audit-service ({@link ChainVerifier}) and
 * for the offline verifier ({@link dev.driftless.audit.offline.OfflineVerifier}): every chain walked (with the
 * recorded redactions), every archived month the log continues from present, and, given a signed checkpoint, every
 * head it saw still there.
 */
public final class LogVerification {

    private LogVerification() {}

    /** What is wrong with the log, each with its word; empty when it is intact. */
    public static List<HashChain.Break> problems(Connection c, ChainCheckpoint checkpoint) throws SQLException {
        List<HashChain.Break> broken = new ArrayList<>();
        Map<Long, String> redacted = SecretRedaction.recorded(c);
        for (String chain : ChangeLog.chains(c)) {
            ChangeLog.walk(c, chain, redacted).ifPresent(broken::add);
        }
        beyondTheWalks(c, checkpoint, broken);
        return broken;
    }

    /**
     * Adds to what the walks found what no walk can see: archived months gone or not matching their checkpoints, and
     * (given a signed checkpoint) each head it saw that the log no longer holds, for the chains not reported already.
     */
    static void beyondTheWalks(Connection c, ChainCheckpoint checkpoint, List<HashChain.Break> broken)
            throws SQLException {
        broken.addAll(ChangeLog.missingArchives(c));
        if (checkpoint != null) {
            // what a holder of the database removed, or rewrote whole, since the checkpoint was signed
            Set<String> reported = new HashSet<>();
            broken.forEach(b -> reported.add(b.chain()));
            for (ChainCheckpoint.Head head : checkpoint.heads()) {
                if (!reported.contains(head.chain())) {
                    ChangeLog.against(c, head).ifPresent(broken::add);
                }
            }
        }
    }
}
