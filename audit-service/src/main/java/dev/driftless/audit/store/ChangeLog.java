package dev.driftless.audit.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.audit.AuditConfig;
import dev.driftless.audit.domain.ApplicationState;
import dev.driftless.audit.domain.Canonical;
import dev.driftless.audit.domain.ChangeEntry;
import dev.driftless.audit.domain.HashChain;
import dev.driftless.audit.domain.StoredEvent;
import dev.driftless.events.EventType;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The change log table in PostgreSQL. Appends are chained (see {@link HashChain}) and serialised per chain with a
 * transaction-scoped advisory lock, and run as the writer role, which can insert but never change a row.
 */
@ApplicationScoped
public class ChangeLog {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "seq, event_id, type, source, subject, event_time, topic, kafka_key,"
            + " application, repository, commit_sha, delivery_id, actor, reason, event::text, rejected,"
            + " rejection_reason, chain, prev_hash, hash, recorded_at, hash_version";

    @Inject
    AgroalDataSource dataSource;

    @Inject
    AuditConfig config;

    private volatile Boolean writerRoleExists;

    /**
     * Appends an entry to its chain unless one with the same event id is there already.
     *
     * @return whether it was new
     */
    public boolean append(ChangeEntry entry) throws SQLException {
        try {
            return tryAppend(entry);
        } catch (SQLException e) {
            if (!NO_PARTITION.equals(e.getSQLState())) {
                throw e;
            }
            ensureMonths(Instant.now());
            return tryAppend(entry);
        }
    }

    /** SQLSTATE of an insert for which no monthly partition exists. */
    private static final String NO_PARTITION = "23514";

    private boolean tryAppend(ChangeEntry entry) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (useWriterRole(c)) {
                    try (Statement s = c.createStatement()) {
                        s.execute("SET LOCAL ROLE " + config.writerRole().orElseThrow());
                    }
                }
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                    lock.setString(1, "change_log:" + entry.chain());
                    lock.execute();
                }
                try (PreparedStatement id =
                        c.prepareStatement("INSERT INTO event_ids (event_id) VALUES (?) ON CONFLICT DO NOTHING")) {
                    id.setString(1, entry.eventId());
                    if (id.executeUpdate() == 0) {
                        c.rollback();
                        return false;
                    }
                }
                insertLinked(c, entry);
                c.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Appends an entry within the caller's transaction (its chain locked first), for a change of the log that must
     * be recorded in the same transaction as the entry that says so.
     */
    static void appendIn(Connection c, ChangeEntry entry) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            lock.setString(1, "change_log:" + entry.chain());
            lock.execute();
        }
        try (PreparedStatement id = c.prepareStatement("INSERT INTO event_ids (event_id) VALUES (?)")) {
            id.setString(1, entry.eventId());
            id.executeUpdate();
        }
        insertLinked(c, entry);
    }

    /**
     * Inserts an entry linked to its chain's last (the chain locked by the caller): its {@code seq} and
     * {@code recorded_at} are taken first, so its hash (version 2) covers them.
     */
    private static void insertLinked(Connection c, ChangeEntry entry) throws SQLException {
        String previous = lastHash(c, entry.chain());
        HashChain.Position at;
        try (PreparedStatement s = c.prepareStatement("SELECT nextval('change_log_seq_seq'), clock_timestamp()");
                ResultSet rs = s.executeQuery()) {
            rs.next();
            at = new HashChain.Position(rs.getLong(1), rs.getTimestamp(2).toInstant(), entry.chain());
        }
        insert(c, entry, previous, HashChain.next(previous, entry, at), at);
    }

    /**
     * Rows read per round trip when whole entries (events included) are walked: a stored event may be 2 MB, so the
     * rows in hand stay a few tens of MB (500 rows of 500 kB renders filled audit-service's heap at start, when the
     * verification walked what it had not seen; ./driftless bench audit).
     */
    static final int ROWS_PER_FETCH = 16;

    /** The columns of a row, in the order {@link #entryOf} reads them. */
    static final String ROW_COLUMNS = COLUMNS;

    /** The entry of a row read with {@link #ROW_COLUMNS}. */
    static ChangeEntry entryOf(ResultSet rs) throws SQLException {
        return entry(rs);
    }

    /** The hash a chain continues from: its newest live entry, else its newest archive checkpoint, else genesis. */
    private static String lastHash(Connection c, String chain) throws SQLException {
        try (PreparedStatement last =
                c.prepareStatement("SELECT hash FROM change_log WHERE chain = ? ORDER BY seq DESC LIMIT 1")) {
            last.setString(1, chain);
            try (ResultSet rs = last.executeQuery()) {
                if (rs.next()) {
                    return rs.getString(1);
                }
            }
        }
        return checkpoint(c, chain);
    }

    private static String checkpoint(Connection c, String chain) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("SELECT hash FROM chain_checkpoints WHERE chain = ? ORDER BY seq DESC LIMIT 1")) {
            s.setString(1, chain);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : HashChain.GENESIS;
            }
        }
    }

    /** Creates the monthly partitions of the month of {@code at} and the next, if they do not exist. */
    public void ensureMonths(Instant at) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT change_log_ensure_month(CAST(? AS timestamptz)),"
                        + " change_log_ensure_month(CAST(? AS timestamptz) + INTERVAL '1 month')")) {
            s.setTimestamp(1, Timestamp.from(at));
            s.setTimestamp(2, Timestamp.from(at));
            s.execute();
        }
    }

    private boolean useWriterRole(Connection c) throws SQLException {
        if (config.writerRole().isEmpty() || config.writerRole().get().isBlank()) {
            return false;
        }
        if (writerRoleExists == null) {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT 1 FROM pg_roles WHERE rolname = ?" + " AND pg_has_role(current_user, oid, 'MEMBER')")) {
                s.setString(1, config.writerRole().get());
                try (ResultSet rs = s.executeQuery()) {
                    writerRoleExists = rs.next();
                }
            }
        }
        return writerRoleExists;
    }

    private static void insert(Connection c, ChangeEntry e, String previous, String hash, HashChain.Position at)
            throws SQLException {
        String sql =
                """
                INSERT INTO change_log (event_id, type, source, subject, event_time, topic, kafka_key, application,
                                        repository, commit_sha, delivery_id, actor, reason, event, rejected,
                                        rejection_reason, chain, prev_hash, hash, seq, recorded_at, hash_version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?)
                """;
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, e.eventId());
            s.setString(2, e.type());
            s.setString(3, e.source());
            s.setString(4, e.subject());
            if (e.eventTime() == null) {
                s.setNull(5, Types.TIMESTAMP_WITH_TIMEZONE);
            } else {
                s.setTimestamp(5, Timestamp.from(e.eventTime()));
            }
            s.setString(6, e.topic());
            s.setString(7, e.key());
            s.setString(8, e.application());
            s.setString(9, e.repository());
            s.setString(10, e.commit());
            s.setString(11, e.deliveryId());
            s.setString(12, e.actor());
            s.setString(13, e.reason());
            s.setString(14, e.eventJson());
            s.setBoolean(15, e.rejected());
            s.setString(16, e.rejectionReason());
            s.setString(17, e.chain());
            s.setString(18, previous);
            s.setString(19, hash);
            s.setLong(20, at.seq());
            s.setTimestamp(21, Timestamp.from(at.recordedAt()));
            s.setInt(22, HashChain.VERSION);
            s.executeUpdate();
        }
    }

    /** Every event naming a commit whose SHA starts with {@code shaPrefix}, in log order. */
    public List<StoredEvent> byCommit(String shaPrefix) throws SQLException {
        return query(
                "SELECT " + COLUMNS + " FROM change_log WHERE commit_sha LIKE ? AND NOT rejected ORDER BY seq",
                List.of(like(shaPrefix)),
                ChangeLog::stored);
    }

    /**
     * A filter of the log; {@code null} fields do not filter. {@code withPushes}: with an application, also the pushes
     * of the commits it was rendered at (a push names a repository, not an application).
     */
    public record Filter(
            String application,
            String repository,
            String type,
            Instant since,
            Instant until,
            Long beforeSeq,
            boolean withPushes) {}

    /**
     * A page of the log, newest first, with {@code limit + 1} rows asked for to tell whether there is more; with
     * {@code summary}, each event reduced as {@link #summaries} reduces it (no bundle is read).
     */
    public List<StoredEvent> changes(Filter filter, int limit, boolean summary) throws SQLException {
        StringBuilder sql =
                new StringBuilder("SELECT " + (summary ? SUMMARY_COLUMNS : COLUMNS) + " FROM change_log WHERE true");
        List<Object> params = new ArrayList<>();
        if (filter.application() != null && filter.withPushes()) {
            sql.append(" AND (application = ? OR (type = ? AND application IS NULL AND commit_sha IN (SELECT commit_sha"
                    + " FROM change_log WHERE application = ? AND type IN (?, ?))))");
            params.add(filter.application());
            params.add(EventType.COMMIT_PUSHED.type());
            params.add(filter.application());
            params.add(EventType.RENDER_SUCCEEDED.type());
            params.add(EventType.RENDER_FAILED.type());
        } else if (filter.application() != null) {
            sql.append(" AND application = ?");
            params.add(filter.application());
        }
        if (filter.repository() != null) {
            sql.append(" AND repository = ?");
            params.add(filter.repository());
        }
        if (filter.type() != null) {
            sql.append(" AND type = ?");
            params.add(filter.type());
        }
        if (filter.since() != null) {
            sql.append(" AND recorded_at >= ?");
            params.add(Timestamp.from(filter.since()));
        }
        if (filter.until() != null) {
            sql.append(" AND recorded_at < ?");
            params.add(Timestamp.from(filter.until()));
        }
        if (filter.beforeSeq() != null) {
            sql.append(" AND seq < ?");
            params.add(filter.beforeSeq());
        }
        sql.append(" ORDER BY seq DESC LIMIT ?");
        params.add(limit + 1);
        return query(sql.toString(), params, ChangeLog::stored);
    }

    /**
     * An application's events, oldest first, summarised: every column but the event's data, of which only
     * {@code message}, {@code current} and {@code changedAt} are read (what its state and DORA figures need), so no
     * bundle is ever loaded however long the history.
     */
    public List<StoredEvent> summaries(String application) throws SQLException {
        return query(
                "SELECT " + SUMMARY_COLUMNS + " FROM change_log WHERE application = ? AND NOT rejected ORDER BY seq",
                List.of(application),
                ChangeLog::stored);
    }

    /**
     * {@link #COLUMNS} with the event reduced to the parts of its data a summary needs; the event of a render, which
     * holds its bundle and none of those parts, is not even read (so PostgreSQL never fetches its stored bundle).
     */
    private static final String SUMMARY_COLUMNS = COLUMNS.replace(
            "event::text",
            "(CASE WHEN type IN ('" + EventType.RENDER_SUCCEEDED.type() + "', '" + EventType.APPLICATION_REMOVED.type()
                    + "') THEN '{\"data\":{}}'::jsonb ELSE jsonb_build_object('data', jsonb_strip_nulls("
                    + "jsonb_build_object('message', event->'data'->'message', 'current', event->'data'->'current',"
                    + " 'changedAt', event->'data'->'changedAt', 'startedAt', event->'data'->'startedAt',"
                    + " 'finishedAt', event->'data'->'finishedAt'))) END)::text");

    /** The position of the newest entry of the log, 0 when it is empty. */
    public long head() throws SQLException {
        List<Long> head = query("SELECT coalesce(max(seq), 0) FROM change_log", List.of(), rs -> {
            try {
                return rs.getLong(1);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        return head.get(0);
    }

    /** At most {@code limit} valid entries recorded after position {@code seq}, oldest first, summarised. */
    public List<StoredEvent> after(long seq, int limit) throws SQLException {
        return query(
                "SELECT " + SUMMARY_COLUMNS + " FROM change_log WHERE seq > ? AND NOT rejected ORDER BY seq LIMIT ?",
                List.of(seq, limit),
                ChangeLog::stored);
    }

    /**
     * Every application's state, from at most six summarised events each (its last event, last successful sync, last
     * sync, last health with a state, last failure, last drift), folded in log order by {@link ApplicationState#of}, which
     * gives what folding its whole history would: memory grows with the number of applications, not of events.
     */
    public List<ApplicationState> states() throws SQLException {
        String latest = "SELECT max(seq) FROM change_log WHERE application IS NOT NULL AND NOT rejected";
        String sql = "SELECT " + SUMMARY_COLUMNS + " FROM change_log WHERE seq IN (" + latest
                + " GROUP BY application UNION " + latest + " AND type = ? GROUP BY application UNION " + latest
                + " AND type IN (?, ?) GROUP BY application UNION " + latest
                + " AND type = ? AND event->'data'->>'current' IS NOT NULL GROUP BY application UNION " + latest
                + " AND type IN (?, ?) GROUP BY application UNION " + latest
                + " AND type = ? GROUP BY application) ORDER BY seq";
        List<StoredEvent> rows = query(
                sql,
                List.of(
                        EventType.SYNC_SUCCEEDED.type(),
                        EventType.SYNC_SUCCEEDED.type(),
                        EventType.SYNC_FAILED.type(),
                        EventType.HEALTH_CHANGED.type(),
                        EventType.SYNC_FAILED.type(),
                        EventType.RENDER_FAILED.type(),
                        EventType.DRIFT_DETECTED.type()),
                ChangeLog::stored);
        Map<String, List<StoredEvent>> byApplication = new java.util.TreeMap<>();
        rows.forEach(e -> byApplication
                .computeIfAbsent(e.application(), a -> new ArrayList<>())
                .add(e));
        List<ApplicationState> states = new ArrayList<>();
        byApplication.forEach((name, events) -> states.add(ApplicationState.of(name, events)));
        return states;
    }

    /** Whether the log has any event of an application. */
    public boolean hasApplication(String application) throws SQLException {
        return !query(
                        "SELECT 1 FROM change_log WHERE application = ? AND NOT rejected LIMIT 1",
                        List.of(application),
                        rs -> Boolean.TRUE)
                .isEmpty();
    }

    /** Whether an application was ever rendered at a commit. */
    public boolean renderedAt(String application, String commit) throws SQLException {
        return !query(
                        "SELECT 1 FROM change_log WHERE application = ? AND commit_sha = ? AND type = ? AND NOT rejected"
                                + " LIMIT 1",
                        List.of(application, commit, EventType.RENDER_SUCCEEDED.type()),
                        rs -> Boolean.TRUE)
                .isEmpty();
    }

    /** The names of every application in the log. */
    public List<String> applications() throws SQLException {
        return query(
                "SELECT DISTINCT application FROM change_log WHERE application IS NOT NULL ORDER BY application",
                List.of(),
                rs -> {
                    try {
                        return rs.getString(1);
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    /**
     * When a commit was pushed: the earliest time of its {@code commit.pushed} events (their CloudEvent time, which
     * webhook-service sets to when it received the push, as their data's {@code receivedAt} says; the time the log
     * recorded it when an event has none), if the log has a push of it. Several deliveries of one push (a webhook
     * redelivered, a poll that saw the same move) count from the first.
     */
    public Optional<Instant> pushedAt(String commit) throws SQLException {
        return query(
                        "SELECT min(COALESCE(event_time, recorded_at)) FROM change_log"
                                + " WHERE commit_sha = ? AND type = ? AND NOT rejected",
                        List.of(commit, EventType.COMMIT_PUSHED.type()),
                        ChangeLog::instant)
                .stream()
                .filter(Objects::nonNull)
                .findFirst();
    }

    /** {@link #pushedAt} of many commits in one query: those the log has a push of. */
    public Map<String, Instant> pushedAt(java.util.Collection<String> commits) throws SQLException {
        Map<String, Instant> pushed = new java.util.HashMap<>();
        if (commits.isEmpty()) {
            return pushed;
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT commit_sha, min(COALESCE(event_time, recorded_at))"
                        + " FROM change_log WHERE commit_sha = ANY (?) AND type = ? AND NOT rejected"
                        + " GROUP BY commit_sha")) {
            s.setArray(1, c.createArrayOf("text", commits.toArray()));
            s.setString(2, EventType.COMMIT_PUSHED.type());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    pushed.put(rs.getString(1), rs.getTimestamp(2).toInstant());
                }
            }
        }
        return pushed;
    }

    /** The health state that ends a rollout. */
    private static final String HEALTHY = "Healthy";

    /**
     * The applications the log knows that are still there: those with an accepted event other than a dead letter
     * whose last such event is not {@code application.removed}.
     */
    public List<String> activeApplications() throws SQLException {
        return query(
                "SELECT application FROM (SELECT DISTINCT ON (application) application, type FROM change_log"
                        + " WHERE application IS NOT NULL AND NOT rejected AND type <> ?"
                        + " ORDER BY application, seq DESC) last WHERE type <> ? ORDER BY application",
                List.of(EventType.DEAD_LETTER.type(), EventType.APPLICATION_REMOVED.type()),
                rs -> {
                    try {
                        return rs.getString(1);
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    private static Instant instant(ResultSet rs) {
        try {
            Timestamp time = rs.getTimestamp(1);
            return time == null ? null : time.toInstant();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The names of every hash chain. */
    /**
     * The project of an application, as its newest render event names it ({@code default} when the event names
     * none), or empty when it was never rendered.
     */
    public Optional<String> projectOf(String application) throws SQLException {
        List<String> found = query(
                "SELECT COALESCE(event->'data'->'target'->'project'->>'name', 'default') FROM change_log"
                        + " WHERE application = ? AND type = ? AND NOT rejected ORDER BY seq DESC LIMIT 1",
                List.of(application, dev.driftless.events.EventType.RENDER_SUCCEEDED.type()),
                rs -> {
                    try {
                        return rs.getString(1);
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
        return found.stream().findFirst();
    }

    /** Every chain of the log: those of the live log and those whose entries are all archived. */
    public static List<String> chains(Connection c) throws SQLException {
        // a chain whose entries are all archived is still walked: its archived months hold its history
        String sql = "SELECT chain FROM change_log UNION SELECT chain FROM chain_checkpoints ORDER BY chain";
        return query(c, sql, List.of(), rs -> {
            try {
                return rs.getString(1);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * An application's DORA tally picked up after the events recorded before {@code eventId} (that event and later
     * ones excepted), exactly where a tally of its whole live history would be, from three indexed lookups instead of
     * its history: the commit last synced, since when it has been failing (the first failure after its last good
     * state), and, asked per commit as new Healthy reports come, whether a commit was Healthy before.
     */
    public dev.driftless.audit.domain.DoraTally doraTally(String application, String eventId) throws SQLException {
        String succeeded = EventType.SYNC_SUCCEEDED.type();
        String failed = EventType.SYNC_FAILED.type();
        String health = EventType.HEALTH_CHANGED.type();
        long before = query(
                        // the event was just recorded: the newest of its application's (through its index)
                        "SELECT coalesce((SELECT seq FROM change_log WHERE application = ? AND event_id = ? ORDER BY"
                                + " seq DESC LIMIT 1), (SELECT max(seq) + 1 FROM change_log), 0)",
                        List.of(application, eventId),
                        rs -> {
                            try {
                                return rs.getLong(1);
                            } catch (SQLException e) {
                                throw new IllegalStateException(e);
                            }
                        })
                .get(0);
        String deployed = query(
                        "SELECT commit_sha FROM change_log WHERE application = ? AND type = ? AND NOT rejected"
                                + " AND seq < ? ORDER BY seq DESC LIMIT 1",
                        List.of(application, succeeded, before),
                        rs -> {
                            try {
                                return rs.getString(1);
                            } catch (SQLException e) {
                                throw new IllegalStateException(e);
                            }
                        })
                .stream()
                .findFirst()
                .orElse(null);
        Instant brokenSince = query(
                        "SELECT coalesce(event_time, recorded_at) FROM change_log WHERE application = ? AND NOT"
                                + " rejected AND seq < ? AND (type = ? OR (type = ? AND"
                                + " event->'data'->>'current' = 'Degraded')) AND seq > coalesce((SELECT max(seq)"
                                + " FROM change_log WHERE application = ? AND NOT rejected AND seq < ? AND (type = ?"
                                + " OR (type = ? AND event->'data'->>'current' = 'Healthy'))), -1) ORDER BY seq"
                                + " LIMIT 1",
                        List.of(application, before, failed, health, application, before, succeeded, health),
                        rs -> {
                            try {
                                return rs.getTimestamp(1).toInstant();
                            } catch (SQLException e) {
                                throw new IllegalStateException(e);
                            }
                        })
                .stream()
                .findFirst()
                .orElse(null);
        return dev.driftless.audit.domain.DoraTally.resumed(deployed, brokenSince, commit -> {
            try {
                return !query(
                                "SELECT 1 FROM change_log WHERE application = ? AND type = ? AND commit_sha = ? AND"
                                        + " NOT rejected AND seq < ? AND event->'data'->>'current' = 'Healthy'"
                                        + " LIMIT 1",
                                List.of(application, health, commit, before),
                                rs -> Boolean.TRUE)
                        .isEmpty();
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read whether " + commit + " was Healthy before", e);
            }
        });
    }

    /**
     * What a signed checkpoint saw that the log no longer holds: each head (in the live log, or in the archive it went
     * to) and every archive. Empty when the log still holds it all.
     */
    public List<HashChain.Break> sinceCheckpoint(dev.driftless.events.ChainCheckpoint checkpoint) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<HashChain.Break> broken = new ArrayList<>(missingArchives(c));
            for (dev.driftless.events.ChainCheckpoint.Head head : checkpoint.heads()) {
                against(c, head).ifPresent(broken::add);
            }
            return broken;
        }
    }

    /** The last entry of every chain in the live log, by chain. */
    public List<dev.driftless.events.ChainCheckpoint.Head> heads() throws SQLException {
        return query(
                "SELECT DISTINCT ON (chain) chain, seq, hash FROM change_log ORDER BY chain, seq DESC",
                List.of(),
                rs -> {
                    try {
                        return new dev.driftless.events.ChainCheckpoint.Head(
                                rs.getString(1), rs.getLong(2), rs.getString(3));
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    /**
     * What the log says now of a chain's head that a signed checkpoint saw: empty when it still holds (the same entry
     * at that seq, or in the archive it went to); otherwise the break, with its word ({@code HashMismatch} for an
     * entry with another hash or removed from the middle, {@code TailMissing} for a chain that now ends before it,
     * {@code ChainMissing} for a chain that is gone).
     */
    public static Optional<HashChain.Break> against(Connection c, dev.driftless.events.ChainCheckpoint.Head head)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT hash FROM change_log WHERE chain = ? AND seq = ?")) {
            s.setString(1, head.chain());
            s.setLong(2, head.seq());
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    return rs.getString(1).equals(head.hash())
                            ? Optional.empty()
                            : Optional.of(new HashChain.Break(
                                    head.chain(),
                                    head.seq(),
                                    null,
                                    "the entry a signed checkpoint saw has another hash now",
                                    HashChain.Problem.HashMismatch));
                }
            }
        }
        try (PreparedStatement s = c.prepareStatement(
                "SELECT partition FROM chain_checkpoints WHERE chain = ?" + " AND seq >= ? ORDER BY seq LIMIT 1")) {
            s.setString(1, head.chain());
            s.setLong(2, head.seq());
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    // archived since: the head must be in the archive its checkpoint names, as it was signed
                    return archived(c, rs.getString(1), head);
                }
            }
        }
        try (PreparedStatement s = c.prepareStatement("SELECT max(seq) FROM change_log WHERE chain = ?")) {
            s.setString(1, head.chain());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                long last = rs.getLong(1);
                if (rs.wasNull()) {
                    return Optional.of(new HashChain.Break(
                            head.chain(),
                            head.seq(),
                            null,
                            "a signed checkpoint saw this chain up to seq " + head.seq()
                                    + "; the log has no entry of it",
                            HashChain.Problem.ChainMissing));
                }
                return Optional.of(
                        last < head.seq()
                                ? new HashChain.Break(
                                        head.chain(),
                                        last,
                                        null,
                                        "a signed checkpoint saw this chain up to seq " + head.seq()
                                                + "; the log ends at seq " + last,
                                        HashChain.Problem.TailMissing)
                                : new HashChain.Break(
                                        head.chain(),
                                        head.seq(),
                                        null,
                                        "the entry a signed checkpoint saw at this seq is gone",
                                        HashChain.Problem.HashMismatch));
            }
        }
    }

    /** The name an archived month has, the only name a checkpoint may point the verification at. */
    private static final java.util.regex.Pattern ARCHIVED_MONTH =
            java.util.regex.Pattern.compile("archived_change_log_\\d{4}_\\d{2}");

    /** Whether a head a signed checkpoint saw is, as signed, in the archived month a checkpoint row names. */
    private static Optional<HashChain.Break> archived(
            Connection c, String partition, dev.driftless.events.ChainCheckpoint.Head head) throws SQLException {
        if (!ARCHIVED_MONTH.matcher(partition).matches()) {
            return Optional.of(new HashChain.Break(
                    head.chain(),
                    head.seq(),
                    null,
                    "a checkpoint of this chain names " + partition + ", which is not an archived month",
                    HashChain.Problem.ArchiveMissing));
        }
        try (PreparedStatement exists = c.prepareStatement(
                "SELECT to_regclass(quote_ident(current_schema()) || '.' || quote_ident(?)) IS NOT NULL")) {
            exists.setString(1, partition);
            try (ResultSet rs = exists.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return Optional.of(new HashChain.Break(
                            head.chain(),
                            head.seq(),
                            null,
                            "the archived month " + partition + " holding seq " + head.seq() + " is gone",
                            HashChain.Problem.ArchiveMissing));
                }
            }
        }
        // the name is checked against ARCHIVED_MONTH above: nothing else reaches this statement
        try (PreparedStatement s =
                c.prepareStatement("SELECT hash FROM " + partition + " WHERE chain = ? AND seq = ?")) {
            s.setString(1, head.chain());
            s.setLong(2, head.seq());
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next() && rs.getString(1).equals(head.hash())) {
                    return Optional.empty();
                }
                return Optional.of(new HashChain.Break(
                        head.chain(),
                        head.seq(),
                        null,
                        "the entry at seq " + head.seq() + " is not in " + partition + " as it was recorded",
                        HashChain.Problem.HashMismatch));
            }
        }
    }

    /**
     * Archived months the live log continues from that are gone (dropped), and checkpoint rows that do not match the
     * archive they name (the live log continues from their hash, so a forged one would hide what it replaced).
     */
    public static List<HashChain.Break> missingArchives(Connection c) throws SQLException {
        List<HashChain.Break> broken = new ArrayList<>();
        List<String[]> rows = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT chain, seq, hash, partition FROM chain_checkpoints"
                        + " WHERE to_regclass(quote_ident(current_schema()) || '.' || quote_ident(partition))"
                        + " IS NOT NULL ORDER BY partition, chain");
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
            }
        }
        for (String[] row : rows) {
            archived(c, row[3], new dev.driftless.events.ChainCheckpoint.Head(row[0], Long.parseLong(row[1]), row[2]))
                    .ifPresent(broken::add);
        }
        broken.addAll(query(
                c,
                "SELECT partition, min(chain), min(seq) FROM chain_checkpoints"
                        + " WHERE to_regclass(quote_ident(current_schema()) || '.' || quote_ident(partition)) IS NULL"
                        + " GROUP BY partition ORDER BY partition",
                List.of(),
                rs -> {
                    try {
                        return new HashChain.Break(
                                rs.getString(2),
                                rs.getLong(3),
                                null,
                                "the archived month " + rs.getString(1) + " the log continues from is gone",
                                HashChain.Problem.ArchiveMissing);
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }));
        return broken;
    }

    /** Walks one chain in log order, reading it in batches so a long chain never sits in memory whole. */
    public Optional<HashChain.Break> verify(String chain) throws SQLException {
        return verify(chain, redactions());
    }

    /** The redactions recorded so far ({@link SecretRedaction}), read once for a walk of every chain. */
    public Map<Long, String> redactions() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return SecretRedaction.recorded(c);
        }
    }

    /**
     * Walks one chain in log order, accepting the entries {@code redacted} as a recorded redaction left them, reading
     * it in batches so a long chain never sits in memory whole.
     */
    public Optional<HashChain.Break> verify(String chain, Map<Long, String> redacted) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return walk(c, chain, redacted);
        }
    }

    /**
     * Walks one chain over a connection of the caller's (the service's pool, or the offline verifier's own), in one
     * transaction of its own.
     */
    public static Optional<HashChain.Break> walk(Connection c, String chain, Map<Long, String> redacted)
            throws SQLException {
        return walk(c, chain, redacted, null).broken();
    }

    /** Where a walk of a chain ended: what broke, if anything, its last link, and how many links it read. */
    public record Walked(Optional<HashChain.Break> broken, HashChain.Mark last, int links) {}

    /**
     * Walks a chain from a link an earlier walk verified ({@code from}; {@code null}, or a link since archived, for
     * the whole chain): that link must still be there as it was, then only the links after it are read.
     */
    public static Walked walk(Connection c, String chain, Map<Long, String> redacted, HashChain.Mark from)
            throws SQLException {
        c.setAutoCommit(false);
        try (Statement lock = c.createStatement()) {
            // no month is archived while this chain is walked, so its checkpoint and its rows agree
            lock.execute("LOCK TABLE change_log IN ACCESS SHARE MODE");
        }
        String start = checkpoint(c, chain);
        long after = Long.MIN_VALUE;
        if (from != null) {
            try (PreparedStatement s = c.prepareStatement("SELECT hash FROM change_log WHERE chain = ? AND seq = ?")) {
                s.setString(1, chain);
                s.setLong(2, from.seq());
                try (ResultSet rs = s.executeQuery()) {
                    String now = rs.next() ? rs.getString(1) : null;
                    if (from.hash().equals(now)) {
                        start = from.hash();
                        after = from.seq();
                    } else if (now != null || !archivedSince(c, chain, from.seq())) {
                        c.commit();
                        return new Walked(
                                Optional.of(new HashChain.Break(
                                        chain,
                                        from.seq(),
                                        null,
                                        "an entry already verified has changed or is gone",
                                        HashChain.Problem.HashMismatch)),
                                null,
                                0);
                    }
                }
            }
        }
        if (from == null) {
            // a whole walk starts at genesis: each archived month of the chain, in order, must end at its checkpoint
            Optional<HashChain.Break> archives = walkArchives(c, chain, redacted);
            if (archives.isPresent()) {
                c.commit();
                return new Walked(archives, null, 0);
            }
        }
        Walked walked = walkRows(c, "change_log", chain, after, start, redacted, from);
        c.commit();
        return walked;
    }

    /**
     * Walks the chain's entries in each archived month it has a checkpoint in, oldest first, from genesis: each
     * month's entries must link on from the month before and end at the checkpoint recorded when it was archived. A
     * month that is gone is skipped here (missingArchives reports it); the walk goes on from its checkpoint.
     */
    private static Optional<HashChain.Break> walkArchives(Connection c, String chain, Map<Long, String> redacted)
            throws SQLException {
        List<String[]> checkpoints = query(
                c,
                "SELECT partition, seq, hash FROM chain_checkpoints WHERE chain = ? ORDER BY seq",
                List.of(chain),
                rs -> {
                    try {
                        return new String[] {rs.getString(1), rs.getString(2), rs.getString(3)};
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
        String start = HashChain.GENESIS;
        long after = Long.MIN_VALUE;
        for (String[] checkpoint : checkpoints) {
            String partition = checkpoint[0];
            long seq = Long.parseLong(checkpoint[1]);
            if (ARCHIVED_MONTH.matcher(partition).matches() && tableExists(c, partition)) {
                Walked month = walkRows(c, partition, chain, after, start, redacted, null);
                if (month.broken().isPresent()) {
                    return month.broken();
                }
                if (month.last() == null
                        || month.last().seq() != seq
                        || !month.last().hash().equals(checkpoint[2])) {
                    return Optional.of(new HashChain.Break(
                            chain,
                            seq,
                            null,
                            "the archived month " + partition + " does not end at the checkpoint recorded when it was"
                                    + " archived (seq " + seq + ")",
                            HashChain.Problem.HashMismatch));
                }
            }
            start = checkpoint[2];
            after = seq;
        }
        return Optional.empty();
    }

    private static boolean tableExists(Connection c, String table) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT to_regclass(quote_ident(current_schema()) || '.' || quote_ident(?)) IS NOT NULL")) {
            s.setString(1, table);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * Verifies the chain's rows of one table (the live log, or an archived month, its name checked by the caller)
     * after {@code after}, linked on from {@code start}, reading them in fetches.
     */
    private static Walked walkRows(
            Connection c,
            String table,
            String chain,
            long after,
            String start,
            Map<Long, String> redacted,
            HashChain.Mark from)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM " + table + " WHERE chain = ? AND seq > ? ORDER BY seq")) {
            s.setFetchSize(ROWS_PER_FETCH);
            s.setString(1, chain);
            s.setLong(2, after);
            try (ResultSet rs = s.executeQuery()) {
                HashChain.Link[] last = new HashChain.Link[1];
                int[] links = new int[1];
                Optional<HashChain.Break> result = HashChain.verify(
                        chain,
                        start,
                        new Iterator<>() {
                            Boolean ahead;

                            @Override
                            public boolean hasNext() {
                                try {
                                    if (ahead == null) {
                                        ahead = rs.next();
                                    }
                                    return ahead;
                                } catch (SQLException e) {
                                    throw new IllegalStateException(e);
                                }
                            }

                            @Override
                            public HashChain.Link next() {
                                if (!hasNext()) {
                                    throw new NoSuchElementException();
                                }
                                ahead = null;
                                try {
                                    last[0] = new HashChain.Link(
                                            rs.getLong(1),
                                            entry(rs),
                                            rs.getString(19),
                                            rs.getString(20),
                                            rs.getInt(22),
                                            new HashChain.Position(
                                                    rs.getLong(1),
                                                    rs.getTimestamp(21).toInstant(),
                                                    rs.getString(18)));
                                    links[0]++;
                                    return last[0];
                                } catch (SQLException e) {
                                    throw new IllegalStateException(e);
                                }
                            }
                        },
                        redacted);
                HashChain.Mark end = last[0] == null ? from : new HashChain.Mark(last[0].seq(), last[0].hash());
                return new Walked(result, result.isPresent() ? null : end, links[0]);
            }
        }
    }

    /** Whether a chain's entries up to {@code seq} went to an archived month since. */
    private static boolean archivedSince(Connection c, String chain, long seq) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("SELECT 1 FROM chain_checkpoints WHERE chain = ? AND seq >= ? LIMIT 1")) {
            s.setString(1, chain);
            s.setLong(2, seq);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static ChangeEntry entry(ResultSet rs) throws SQLException {
        Timestamp time = rs.getTimestamp(6);
        return new ChangeEntry(
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                time == null ? null : time.toInstant(),
                rs.getString(7),
                rs.getString(8),
                rs.getString(9),
                rs.getString(10),
                rs.getString(11),
                rs.getString(12),
                rs.getString(13),
                rs.getString(14),
                Canonical.json(rs.getString(15)),
                rs.getBoolean(16),
                rs.getString(17));
    }

    private static StoredEvent stored(ResultSet rs) {
        try {
            Timestamp time = rs.getTimestamp(6);
            JsonNode event = JSON.readTree(rs.getString(15));
            JsonNode data = event.path("data");
            return new StoredEvent(
                    rs.getLong(1),
                    rs.getString(2),
                    rs.getString(3),
                    rs.getString(9),
                    rs.getString(10),
                    rs.getString(11),
                    time == null ? null : time.toInstant(),
                    rs.getTimestamp(21).toInstant(),
                    data,
                    rs.getString(13),
                    rs.getString(12),
                    rs.getString(14),
                    rs.getBoolean(16),
                    rs.getString(17),
                    rs.getString(7),
                    event);
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("cannot read a change log row", e);
        }
    }

    private <T> List<T> query(String sql, List<Object> params, Function<ResultSet, T> row) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return query(c, sql, params, row);
        }
    }

    private static <T> List<T> query(Connection c, String sql, List<Object> params, Function<ResultSet, T> row)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                s.setObject(i + 1, params.get(i));
            }
            List<T> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(row.apply(rs));
                }
            }
            return rows;
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof SQLException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static String like(String prefix) {
        return prefix.replace("\\", "").replace("%", "").replace("_", "") + "%";
    }
}
