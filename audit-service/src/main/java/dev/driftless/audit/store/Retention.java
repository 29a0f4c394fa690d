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
            LocalDate first = LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), 1);
            Instant start = first.atStartOfDay().toInstant(ZoneOffset.UTC);
            Instant end = first.plusMonths(1).atStartOfDay().toInstant(ZoneOffset.UTC);
            // months made ahead of time are never archived (the owner's function refuses them too)
            if (!end.isAfter(cutoff) && !start.isAfter(Instant.now())) {
                archived.add(archiveMonth(partition));
            }
        }
        return archived;
    }

    private String archiveMonth(String partition) throws SQLException {
        String archive;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (memberOf(c, config.retentionRole())) {
                    try (Statement s = c.createStatement()) {
                        s.execute("SET LOCAL ROLE " + config.retentionRole().orElseThrow());
                    }
                }
                // the owner's function (db/migration V2): checkpoint, detach, rename, keep append-only
                try (PreparedStatement s = c.prepareStatement("SELECT change_log_archive_month(?)")) {
                    s.setString(1, partition);
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        archive = rs.getString(1);
                    }
                }
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

    /** Whether the connected login is a member of the role (so it may {@code SET ROLE} to it). */
    static boolean memberOf(Connection c, java.util.Optional<String> role) throws SQLException {
        if (role.isEmpty() || role.get().isBlank()) {
            return false;
        }
        try (PreparedStatement s = c.prepareStatement(
                "SELECT 1 FROM pg_roles WHERE rolname = ? AND pg_has_role(current_user, oid, 'MEMBER')")) {
            s.setString(1, role.get());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
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
