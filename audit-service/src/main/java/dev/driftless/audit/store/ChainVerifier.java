package dev.driftless.audit.store;

import dev.driftless.audit.domain.HashChain;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Verifies every hash chain, on request and on a schedule (on the replica that leads, see
 * {@link dev.driftless.events.Leadership}); the scheduled result is published as the metrics
 * {@code driftless_audit_chain_intact} (1 or 0) and {@code driftless_audit_chain_verified_seconds} (when).
 */
@ApplicationScoped
public class ChainVerifier {

    private static final Logger LOG = Logger.getLogger(ChainVerifier.class);

    /** The outcome of a verification. */
    public record Report(
            boolean intact,
            int chains,
            List<HashChain.Break> broken,
            Instant verifiedAt,
            List<SecretRedaction.Redaction> redactions,
            Instant checkpoint,
            Long walked) {}

    /** Each chain's last link a scheduled verification verified: where the next one starts. */
    private final java.util.Map<String, HashChain.Mark> verified = new java.util.concurrent.ConcurrentHashMap<>();

    @Inject
    SecretRedaction redaction;

    @Inject
    io.agroal.api.AgroalDataSource dataSource;

    @Inject
    Checkpoints checkpoints;

    @Inject
    MeterRegistry metrics;

    @Inject
    @io.smallrye.common.annotation.Identifier("leadership")
    dev.driftless.events.Leadership leadership;

    private final AtomicLong intact = new AtomicLong(1);
    private final AtomicLong verifiedAt = new AtomicLong();

    @PostConstruct
    void registerMetrics() {
        Gauge.builder("driftless.audit.chain.intact", intact, AtomicLong::get)
                .description("1 when every hash chain of the change log verified, 0 when one is broken")
                .register(metrics);
        Gauge.builder("driftless.audit.chain.verified", verifiedAt, AtomicLong::get)
                .description("When the chains were last verified (epoch seconds)")
                .baseUnit("seconds")
                .register(metrics);
    }

    /** Walks every chain, checks the archives, and compares the log with the latest signed checkpoint. */
    public Report verifyAll() throws SQLException {
        java.util.Optional<Checkpoints.Signed> latest = checkpoints.latest().filter(checkpoints::trusted);
        List<HashChain.Break> broken;
        int chains;
        try (java.sql.Connection c = dataSource.getConnection()) {
            chains = ChangeLog.chains(c).size();
            broken = LogVerification.problems(
                    c, latest.map(Checkpoints.Signed::checkpoint).orElse(null));
            c.setAutoCommit(true); // ends the walks' read transaction before the pool takes it back
        }
        Report report = new Report(
                broken.isEmpty(),
                chains,
                broken,
                Instant.now(),
                redaction.redactions(),
                latest.map(Checkpoints.Signed::time).orElse(null),
                null);
        return published(report);
    }

    /**
     * Verifies what was added since the last time, as the schedule does: each chain from the link it last verified
     * (which must still be there as it was), a chain not seen before in full; the archives and the latest signed
     * checkpoint as {@link #verifyAll()} does. A rewrite of entries verified earlier is found by the comparison with
     * the signed checkpoint (if it reaches a head) or by a full verification ({@code GET /api/verify}).
     */
    public Report verifyNew() throws SQLException {
        java.util.Optional<Checkpoints.Signed> latest = checkpoints.latest().filter(checkpoints::trusted);
        List<HashChain.Break> broken = new ArrayList<>();
        List<String> chains;
        long walked = 0;
        try (java.sql.Connection c = dataSource.getConnection()) {
            chains = ChangeLog.chains(c);
            java.util.Map<Long, String> redacted = SecretRedaction.recorded(c);
            for (String chain : chains) {
                ChangeLog.Walked walk = ChangeLog.walk(c, chain, redacted, verified.get(chain));
                walked += walk.links();
                if (walk.broken().isPresent()) {
                    broken.add(walk.broken().get());
                    verified.remove(chain); // walked whole next time
                } else if (walk.last() != null) {
                    verified.put(chain, walk.last());
                }
            }
            LogVerification.beyondTheWalks(
                    c, latest.map(Checkpoints.Signed::checkpoint).orElse(null), broken);
            c.setAutoCommit(true);
        }
        return published(new Report(
                broken.isEmpty(),
                chains.size(),
                broken,
                Instant.now(),
                redaction.redactions(),
                latest.map(Checkpoints.Signed::time).orElse(null),
                walked));
    }

    private Report published(Report report) {
        intact.set(report.intact() ? 1 : 0);
        verifiedAt.set(report.verifiedAt().getEpochSecond());
        if (!report.intact()) {
            LOG.errorf("ChainBroken: the change log was tampered with: %s", report.broken());
        }
        return report;
    }

    @Scheduled(
            every = "${driftless.audit.verify-interval:5m}",
            delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (!leadership.leads()) {
            return; // the replica that leads verifies; on demand, any replica does
        }
        try {
            verifyNew();
        } catch (SQLException e) {
            LOG.warnf("could not verify the change log: %s", e.getMessage());
        }
    }
}
