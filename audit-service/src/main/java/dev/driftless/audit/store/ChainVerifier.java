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
            Instant checkpoint) {}

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
                latest.map(Checkpoints.Signed::time).orElse(null));
        intact.set(report.intact() ? 1 : 0);
        verifiedAt.set(report.verifiedAt().getEpochSecond());
        if (!report.intact()) {
            LOG.errorf("ChainBroken: the change log was tampered with: %s", broken);
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
            verifyAll();
        } catch (SQLException e) {
            LOG.warnf("could not verify the change log: %s", e.getMessage());
        }
    }
}
