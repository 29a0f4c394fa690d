package dev.driftless.audit.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.audit.domain.ChangeEntry;
import dev.driftless.audit.domain.StoredEvent;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/** The change log table in PostgreSQL: append an entry (once per event id), read a commit's events back. */
@ApplicationScoped
public class ChangeLog {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    AgroalDataSource dataSource;

    /**
     * Appends an entry unless one with the same event id is there already.
     *
     * @return whether it was new
     */
    public boolean append(ChangeEntry entry) throws SQLException {
        String sql =
                """
                INSERT INTO change_log (event_id, type, source, subject, event_time, topic, kafka_key, application,
                                        repository, commit_sha, delivery_id, actor, reason, data)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)
                ON CONFLICT (event_id) DO NOTHING
                """;
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, entry.eventId());
            s.setString(2, entry.type());
            s.setString(3, entry.source());
            s.setString(4, entry.subject());
            if (entry.eventTime() == null) {
                s.setNull(5, Types.TIMESTAMP_WITH_TIMEZONE);
            } else {
                s.setTimestamp(5, Timestamp.from(entry.eventTime()));
            }
            s.setString(6, entry.topic());
            s.setString(7, entry.key());
            s.setString(8, entry.application());
            s.setString(9, entry.repository());
            s.setString(10, entry.commit());
            s.setString(11, entry.deliveryId());
            s.setString(12, entry.actor());
            s.setString(13, entry.reason());
            s.setString(14, entry.dataJson());
            return s.executeUpdate() == 1;
        }
    }

    /** Every event naming a commit whose SHA starts with {@code shaPrefix}, in log order. */
    public List<StoredEvent> byCommit(String shaPrefix) throws SQLException {
        String sql =
                """
                SELECT seq, event_id, type, application, repository, commit_sha, event_time, recorded_at, data::text
                FROM change_log WHERE commit_sha LIKE ? ORDER BY seq
                """;
        List<StoredEvent> events = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, shaPrefix.replace("%", "").replace("_", "") + "%");
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Timestamp time = rs.getTimestamp(7);
                    events.add(new StoredEvent(
                            rs.getLong(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getString(6),
                            time == null ? null : time.toInstant(),
                            rs.getTimestamp(8).toInstant(),
                            JSON.readTree(rs.getString(9))));
                }
            }
        } catch (JsonProcessingException e) {
            throw new SQLException("stored data is not JSON", e);
        }
        return events;
    }
}
