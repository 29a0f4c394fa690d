package dev.driftless.audit.store;

import dev.driftless.audit.AuditConfig;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Keeps the monthly partitions of the change log ahead of time and, when a retention period is configured, archives
 * whole months that ended before it: each chain's last link in the month is kept as a checkpoint (so the live chain
 * still verifies), then the month is detached from the live log and kept as the table {@code archived_change_log_YYYY_MM}
 * — no row is deleted. Unlimited retention (nothing archived) is the default.
 */
@ApplicationScoped
public class Retention {

    private static final Logger LOG = Logger.getLogger(Retention.class);
    private static final Pattern MONTH = Pattern.compile("^change_log_(\\d{4})_(\\d{2})$");

    @Inject
    AgroalDataSource dataSource;

    @Inject
    ChangeLog changeLog;

    @Inject
    AuditConfig config;

    @Inject
    @io.smallrye.common.annotation.Identifier("leadership")
    dev.driftless.events.Leadership leadership;

    void onStart(@Observes StartupEvent start) throws SQLException {
        changeLog.ensureMonths(Instant.now());
    }

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void maintain() {
        if (!leadership.leads()) {
            return; // once per deployment: the replica that leads
        }
        try {
            changeLog.ensureMonths(Instant.now());
            if (config.retention().archiveAfter().isPresent()) {
                archive(Instant.now().minus(config.retention().archiveAfter().get()));
            }
        } catch (SQLException e) {
            LOG.warnf("change log maintenance failed; will retry: %s", e.getMessage());
        }
    }

    /**
     * Archives every live month that ended at or before {@code cutoff}.
     *
     * @return the archived tables
     */
    public List<String> archive(Instant cutoff) throws SQLException {
        List<String> archived = new ArrayList<>();
        for (String partition : livePartitions()) {
            Matcher m = MONTH.matcher(partition);
            if (!m.matches()) {
                continue;
            }
            Instant end = LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), 1)
                    .plusMonths(1)
                    .atStartOfDay()
                    .toInstant(ZoneOffset.UTC);
            if (!end.isAfter(cutoff)) {
                archived.add(archiveMonth(partition));
            }
        }
        return archived;
    }

    private String archiveMonth(String partition) throws SQLException {
        String archive = "archived_" + partition;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                // the strongest lock first (DETACH needs it), so a concurrent insert waits instead of deadlocking
                s.execute("SET LOCAL lock_timeout = '30s'");
                s.execute("LOCK TABLE change_log IN ACCESS EXCLUSIVE MODE");
                s.execute("INSERT INTO chain_checkpoints (chain, seq, hash, partition)"
                        + " SELECT DISTINCT ON (chain) chain, seq, hash, '" + archive + "' FROM " + partition
                        + " ORDER BY chain, seq DESC");
                s.execute("ALTER TABLE change_log DETACH PARTITION " + partition);
                s.execute("ALTER TABLE " + partition + " RENAME TO " + archive);
                // detaching drops the row triggers cloned from the live log: the archive stays append-only too
                s.execute("CREATE OR REPLACE TRIGGER change_log_no_update_or_delete BEFORE UPDATE OR DELETE ON "
                        + archive + " FOR EACH ROW EXECUTE FUNCTION change_log_is_append_only()");
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
        LOG.infof(
                "archived %s of the change log as %s (%s)",
                partition, archive, DateTimeFormatter.ISO_INSTANT.format(Instant.now()));
        return archive;
    }

    private List<String> livePartitions() throws SQLException {
        List<String> partitions = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT child.relname FROM pg_inherits"
                        + " JOIN pg_class parent ON parent.oid = pg_inherits.inhparent"
                        + " JOIN pg_class child ON child.oid = pg_inherits.inhrelid"
                        + " JOIN pg_namespace ns ON ns.oid = parent.relnamespace"
                        + " WHERE parent.relname = 'change_log' AND ns.nspname = current_schema()"
                        + " ORDER BY child.relname");
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                partitions.add(rs.getString(1));
            }
        }
        return partitions;
    }
}
