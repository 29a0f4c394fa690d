package dev.driftless.audit.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.driftless.audit.AuditConfig;
import dev.driftless.audit.domain.Canonical;
import dev.driftless.audit.domain.ChangeEntry;
import dev.driftless.audit.domain.HashChain;
import dev.driftless.audit.domain.SecretValues;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Secret values an older version recorded in clear (render events from before Secrets were sealed), found and, on
 * request, redacted. At start audit-service looks for them; unless {@code driftless.audit.redact-clear-secrets} is set
 * it refuses to start, saying how many entries hold values and how to redact them. Redacting rewrites those entries'
 * events as {@link SecretValues} stores new ones (keys kept, values {@code (redacted)}), in one transaction with a
 * chained entry of type {@value #TYPE} that records, for each, its sequence number, event id and the hash of its
 * content after redaction: the chain keeps the links the entries were first written with, and verification accepts
 * a redacted entry exactly as the redaction recorded it, and reports when and what was redacted.
 */
@ApplicationScoped
public class SecretRedaction {

    private static final Logger LOG = Logger.getLogger(SecretRedaction.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The type of the entry that records a redaction. */
    public static final String TYPE = "dev.driftless.audit.redacted.v1";

    /** Entries that may hold a Secret: render events with a Secret among their manifests. */
    private static final String CANDIDATES = "SELECT " + ChangeLog.ROW_COLUMNS + " FROM change_log"
            + " WHERE jsonb_path_exists(event, '$.data.manifests[*] ? (@.kind == \"Secret\")') ORDER BY seq";

    @Inject
    AgroalDataSource dataSource;

    @Inject
    OwnerConnection owner;

    @Inject
    AuditConfig config;

    /** What one redaction did: its entry's id, when, and how many entries it redacted. */
    public record Redaction(String eventId, Instant at, int entries) {}

    void onStart(@Observes StartupEvent start) throws SQLException {
        checkAtStart(config.redactClearSecrets());
    }

    /**
     * Refuses a log with Secret values in clear, or redacts them when {@code redact}.
     *
     * @throws IllegalStateException saying how many and how to redact, when there are some and not {@code redact}
     */
    public void checkAtStart(boolean redact) throws SQLException {
        int clear = clearEntries().size();
        if (clear == 0) {
            return;
        }
        if (!redact) {
            throw new IllegalStateException(
                    "SecretsInClear: the change log holds " + clear + " entries with Secret"
                            + " values in clear, recorded by a version before Secrets were sealed. Back up the database,"
                            + " then start audit-service once with DRIFTLESS_AUDIT_REDACT_CLEAR_SECRETS=true"
                            + " (driftless.audit.redact-clear-secrets) with the schema owner's login"
                            + " (DRIFTLESS_DB_OWNER_USER): it redacts them and records the"
                            + " redaction in the log, which still verifies (docs/deploy.md, \"Secrets in an older change log\")");
        }
        Redaction done = redact();
        LOG.warnf(
                "redacted the Secret values of %d entries recorded in clear; recorded as %s",
                done.entries(), done.eventId());
    }

    /** The sequence numbers of the entries whose Secrets hold values in clear. */
    public List<Long> clearEntries() throws SQLException {
        List<Long> found = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(CANDIDATES)) {
            c.setAutoCommit(false); // PostgreSQL's driver reads a result in fetches only within a transaction
            s.setFetchSize(ChangeLog.ROWS_PER_FETCH);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    if (redactedEvent(rs.getString(15)) != null) {
                        found.add(rs.getLong(1));
                    }
                }
            }
        }
        return found;
    }

    /**
     * Redacts every entry with Secret values in clear and records it, in one transaction; with the triggers that keep
     * the log append-only set aside for that transaction only, which takes the owner of the log.
     */
    public Redaction redact() throws SQLException {
        try (Connection c = owner.open()) {
            c.setAutoCommit(false);
            try {
                try (Statement s = c.createStatement()) {
                    s.execute("LOCK TABLE change_log IN SHARE ROW EXCLUSIVE MODE");
                    // for this transaction only (it takes the owner of the log); it recurses to every month
                    s.execute("ALTER TABLE change_log DISABLE TRIGGER change_log_no_update_or_delete");
                }
                ArrayNode redacted = JSON.createArrayNode();
                List<Object[]> updates = new ArrayList<>();
                try (PreparedStatement s = c.prepareStatement(CANDIDATES + " FOR UPDATE");
                        ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        String event = redactedEvent(rs.getString(15));
                        if (event == null) {
                            continue;
                        }
                        ChangeEntry before = ChangeLog.entryOf(rs);
                        ChangeEntry after = withEvent(before, event);
                        updates.add(new Object[] {event, rs.getLong(1), rs.getTimestamp(21)});
                        ObjectNode item = redacted.addObject();
                        item.put("seq", rs.getLong(1));
                        item.put("eventId", before.eventId());
                        item.put("chain", rs.getString(18));
                        item.put("contentHash", HashChain.contentHash(after));
                    }
                }
                try (PreparedStatement update = c.prepareStatement(
                        "UPDATE change_log SET event = CAST(? AS jsonb) WHERE seq = ? AND recorded_at = ?")) {
                    for (Object[] u : updates) {
                        update.setString(1, (String) u[0]);
                        update.setLong(2, (Long) u[1]);
                        update.setTimestamp(3, (Timestamp) u[2]);
                        update.executeUpdate();
                    }
                }
                try (Statement s = c.createStatement()) {
                    s.execute("ALTER TABLE change_log ENABLE TRIGGER change_log_no_update_or_delete");
                }
                // as stored: PostgreSQL keeps microseconds, and the entry's hash is of what is read back
                Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
                String id = UUID.randomUUID().toString();
                ObjectNode event = JSON.createObjectNode();
                event.put("specversion", "1.0");
                event.put("id", id);
                event.put("type", TYPE);
                event.put("source", "urn:driftless:audit-service");
                event.put("time", now.toString());
                ObjectNode data = event.putObject("data");
                data.put("reason", "SecretsInClear");
                data.put("redactedAt", now.toString());
                data.set("entries", redacted);
                ChangeLog.appendIn(
                        c,
                        new ChangeEntry(
                                id,
                                TYPE,
                                "urn:driftless:audit-service",
                                null,
                                now,
                                "audit",
                                null,
                                null,
                                null,
                                null,
                                null,
                                "audit-service",
                                "SecretsInClear",
                                Canonical.json(event.toString()),
                                false,
                                null));
                c.commit();
                return new Redaction(id, now, updates.size());
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Every redaction recorded so far: the content hash each redacted entry has since, by sequence number. */
    static Map<Long, String> recorded(Connection c) throws SQLException {
        Map<Long, String> hashes = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT event::text FROM change_log WHERE type = ?")) {
            s.setString(1, TYPE);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    for (JsonNode entry : read(rs.getString(1)).path("data").path("entries")) {
                        hashes.put(
                                entry.path("seq").asLong(),
                                entry.path("contentHash").asText());
                    }
                }
            }
        }
        return hashes;
    }

    /** The redactions recorded so far, oldest first. */
    public List<Redaction> redactions() throws SQLException {
        List<Redaction> all = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT event::text FROM change_log WHERE type = ? ORDER BY seq")) {
            s.setString(1, TYPE);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    JsonNode event = read(rs.getString(1));
                    all.add(new Redaction(
                            event.path("id").asText(),
                            Instant.parse(event.path("data").path("redactedAt").asText()),
                            event.path("data").path("entries").size()));
                }
            }
        }
        return all;
    }

    /** The event with its Secrets' values redacted, as canonical JSON, or {@code null} when nothing was in clear. */
    static String redactedEvent(String eventJson) {
        JsonNode event = read(eventJson);
        JsonNode data = event.path("data");
        JsonNode redacted = SecretValues.redacted(data);
        if (redacted.equals(data)) {
            return null;
        }
        ((ObjectNode) event).set("data", redacted);
        return Canonical.json(event.toString());
    }

    private static ChangeEntry withEvent(ChangeEntry e, String event) {
        return new ChangeEntry(
                e.eventId(),
                e.type(),
                e.source(),
                e.subject(),
                e.eventTime(),
                e.topic(),
                e.key(),
                e.application(),
                e.repository(),
                e.commit(),
                e.deliveryId(),
                e.actor(),
                e.reason(),
                event,
                e.rejected(),
                e.rejectionReason());
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("an event in the change log is not JSON", e);
        }
    }
}
