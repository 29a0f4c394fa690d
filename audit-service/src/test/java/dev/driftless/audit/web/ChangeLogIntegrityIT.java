package dev.driftless.audit.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.driftless.audit.AuditDatabase;
import dev.driftless.audit.domain.Entries;
import dev.driftless.audit.store.ChangeLog;
import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventCodec;
import dev.driftless.events.EventType;
import dev.driftless.events.ReceivedEvent;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.ResyncRequested;
import dev.driftless.events.Target;
import dev.driftless.events.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The change log cannot be edited quietly, on real PostgreSQL: the trigger refuses updates, deletes and truncates,
 * the writer role may not even try, and an edit made behind the trigger's back is found by {@code /api/verify}.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = AuditDatabase.class, restrictToAnnotatedClass = true)
class ChangeLogIntegrityIT {

    static final String READ = "read-token-0123456789";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.audit.schema")
    String schema;

    Connection owner() throws SQLException {
        Connection c = DriverManager.getConnection(AuditDatabase.URL, AuditDatabase.USER, "");
        try (Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + schema);
        }
        return c;
    }

    long count(String where) throws SQLException {
        try (Connection c = owner();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM change_log WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    String record(String app, int n) {
        String id = app + "-" + n;
        try (EventProbe probe = new EventProbe(bootstrap)) {
            probe.send(
                    new Envelope(EventType.COMMAND_RESYNC, id, app, Instant.now(), Map.of("application", app)),
                    new ResyncRequested(app, "tester", "number " + n, Instant.now()),
                    app,
                    "urn:test");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> count("event_id = '" + id + "'") == 1);
        return id;
    }

    @Inject
    ChangeLog changeLog;

    /** Runs an update as the log's owner could, with the append-only trigger set aside for it. */
    void behindTheTriggers(String update) throws SQLException {
        try (Connection c = owner();
                Statement s = c.createStatement()) {
            s.execute("ALTER TABLE change_log DISABLE TRIGGER change_log_no_update_or_delete");
            try {
                s.executeUpdate(update);
            } finally {
                s.execute("ALTER TABLE change_log ENABLE TRIGGER change_log_no_update_or_delete");
            }
        }
    }

    /**
     * Two replicas of audit-service record into one application's chain at once (production runs two): writers on
     * eight threads, each with its own connection, append 30 entries each to one chain, and the chain still verifies
     * with every entry in it once. Without the per-chain lock two entries would link to the same predecessor.
     */
    @Test
    void concurrentWritersToOneChainStillMakeOneValidChain() throws Exception {
        String app = "concurrent-" + UUID.randomUUID().toString().substring(0, 8);
        int writers = 8;
        int each = 30;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        String id = app + "-" + writer + "-" + i;
                        changeLog.append(Entries.of(
                                new ReceivedEvent(
                                        id,
                                        EventType.COMMAND_RESYNC.type(),
                                        "urn:test",
                                        app,
                                        Instant.now(),
                                        Map.of("application", app),
                                        Topics.COMMANDS,
                                        app,
                                        EventCodec.encode(
                                                new ResyncRequested(app, "writer-" + writer, "n" + i, Instant.now()))),
                                id));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(count("application = '" + app + "'")).isEqualTo((long) writers * each);
        assertThat(count("application = '" + app + "' AND rejected"))
                .as("rejected entries")
                .isZero();
        assertThat(changeLog.verify(app)).as("the chain of %s", app).isEmpty();
    }

    @Test
    void updatesDeletesAndTruncatesAreRefusedByTheDatabase() throws Exception {
        String app = "locked-" + UUID.randomUUID().toString().substring(0, 8);
        String id = record(app, 1);

        try (Connection c = owner();
                Statement s = c.createStatement()) {
            assertThatThrownBy(() ->
                            s.executeUpdate("UPDATE change_log SET actor = 'mallory' WHERE event_id = '" + id + "'"))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.executeUpdate("DELETE FROM change_log WHERE event_id = '" + id + "'"))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.execute("TRUNCATE change_log")).hasMessageContaining("append-only");
            s.execute("SET ROLE driftless_writer");
            assertThatThrownBy(() ->
                            s.executeUpdate("UPDATE change_log SET actor = 'mallory' WHERE event_id = '" + id + "'"))
                    .hasMessageContaining("permission denied");
        }
        assertThat(count("event_id = '" + id + "' AND actor = 'tester'")).isEqualTo(1);
    }

    @Test
    void anEditBehindTheTriggersBackIsFoundByVerify() throws Exception {
        String app = "tampered-" + UUID.randomUUID().toString().substring(0, 8);
        record(app, 1);
        String edited = record(app, 2);
        record(app, 3);
        try (EventProbe probe = new EventProbe(bootstrap)) {
            // numbers PostgreSQL's JSONB writes back differently from Java (1.0E7, -0.0) still verify
            probe.send(
                    new Envelope(
                            EventType.RENDER_SUCCEEDED,
                            app + "-numbers",
                            app,
                            Instant.now(),
                            Map.of("application", app)),
                    new RenderSucceeded(
                            app,
                            "https://h/r",
                            "refs/heads/main",
                            "c".repeat(40),
                            "p",
                            "sha256:" + "6".repeat(64),
                            List.of(Map.of(
                                    "apiVersion",
                                    "v1",
                                    "kind",
                                    "ConfigMap",
                                    "metadata",
                                    Map.of("name", "n"),
                                    "data",
                                    Map.of(
                                            "big",
                                            1.0E7,
                                            "negativeZero",
                                            -0.0,
                                            "ratio",
                                            1.25,
                                            "huge",
                                            12345678901234L))),
                            new Target("default", "n", false, false, false, false),
                            null,
                            Instant.now(),
                            1),
                    app,
                    "urn:test");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> count("event_id = '" + app + "-numbers'") == 1);
        given().auth().oauth2(READ).get("/api/verify").then().statusCode(200).body("intact", equalTo(true));

        behindTheTriggers("UPDATE change_log SET event = jsonb_set(event, '{data,reason}', '\"rewritten\"')"
                + " WHERE event_id = '" + edited + "'");

        given().auth()
                .oauth2(READ)
                .get("/api/verify")
                .then()
                .statusCode(200)
                .body("intact", equalTo(false))
                .body("broken[0].chain", equalTo(app))
                .body("broken[0].eventId", equalTo(edited))
                .body("broken[0].problem", equalTo("the hash does not match the entry's content"));
    }

    /**
     * When an entry was recorded feeds lead times: moving it, behind the triggers' back as the owner could, is found,
     * because the hash of an entry covers its seq, recorded_at and chain.
     */
    @Test
    void aRecordedAtMovedBehindTheTriggersBackIsFoundByVerify() throws Exception {
        String app = "moved-" + UUID.randomUUID().toString().substring(0, 8);
        record(app, 1);
        String moved = record(app, 2);
        given().auth()
                .oauth2(READ)
                .get("/api/verify")
                .then()
                .statusCode(200)
                .body("broken.findAll { it.chain == '" + app + "' }", org.hamcrest.Matchers.empty());

        behindTheTriggers("UPDATE change_log SET recorded_at = recorded_at - INTERVAL '2 seconds'"
                + " WHERE event_id = '" + moved + "'");

        given().auth()
                .oauth2(READ)
                .get("/api/verify")
                .then()
                .statusCode(200)
                .body("intact", equalTo(false))
                .body("broken.find { it.chain == '" + app + "' }.eventId", equalTo(moved))
                .body("broken.find { it.chain == '" + app + "' }.reason", equalTo("HashMismatch"));

        // put back, so the other tests of this class find the log as they left it
        behindTheTriggers("UPDATE change_log SET recorded_at = recorded_at + INTERVAL '2 seconds'"
                + " WHERE event_id = '" + moved + "'");
    }

    @Inject
    dev.driftless.audit.store.SecretRedaction redaction;

    /**
     * A log an older version wrote, with a Secret's value in clear in a render event: audit-service refuses to start
     * over it and says how to redact; the redaction removes the value, records itself as a chained entry, and the log
     * still verifies, with the redaction reported; an edit of the redacted entry afterwards is still found.
     */
    @Test
    void secretValuesAnOlderVersionRecordedInClearAreRedactedByARecordedStepAndTheLogStillVerifies() throws Exception {
        String app = "older-" + UUID.randomUUID().toString().substring(0, 8);
        String canary = "canary-" + UUID.randomUUID();
        String base64 =
                java.util.Base64.getEncoder().encodeToString(canary.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        record(app, 1);
        String event =
                """
                {"specversion": "1.0", "id": "%s-old", "type": "%s", "source": "urn:driftless:render-service",
                 "data": {"application": "%s", "commit": "%s", "manifests": [
                   {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
                    "data": {"password": "%s"}, "stringData": {"user": "%s"}}]}}"""
                        .formatted(app, EventType.RENDER_SUCCEEDED.type(), app, "c".repeat(40), base64, canary);
        changeLog.append(new dev.driftless.audit.domain.ChangeEntry(
                app + "-old",
                EventType.RENDER_SUCCEEDED.type(),
                "urn:driftless:render-service",
                app,
                Instant.now(),
                Topics.RENDERS,
                app,
                app,
                "https://h/r",
                "c".repeat(40),
                null,
                null,
                null,
                dev.driftless.audit.domain.Canonical.json(event),
                false,
                null));
        record(app, 2);
        assertThat(count("event::text LIKE '%" + canary + "%'")).isEqualTo(1);
        assertThat(redaction.clearEntries()).hasSize(1);

        assertThatThrownBy(() -> redaction.checkAtStart(false))
                .hasMessageContaining("SecretsInClear")
                .hasMessageContaining("1 entries")
                .hasMessageContaining("DRIFTLESS_AUDIT_REDACT_CLEAR_SECRETS");
        redaction.checkAtStart(true);

        assertThat(redaction.clearEntries()).isEmpty();
        assertThat(count("event::text LIKE '%" + canary + "%' OR event::text LIKE '%" + base64 + "%'"))
                .isZero();
        assertThat(count("event_id = '" + app + "-old' AND event::text LIKE '%(redacted)%'"))
                .isEqualTo(1);
        assertThat(changeLog.verify(app)).as("the chain of the redacted entry").isEmpty();
        assertThat(changeLog.verify(""))
                .as("the chain of the redaction's own entry")
                .isEmpty();
        given().auth()
                .oauth2(READ)
                .get("/api/verify")
                .then()
                .statusCode(200)
                .body("redactions.size()", equalTo(1))
                .body("redactions[0].entries", equalTo(1));

        behindTheTriggers(
                "UPDATE change_log SET event = jsonb_set(event, '{data,commit}', '\"%s\"')".formatted("d".repeat(40))
                        + " WHERE event_id = '" + app + "-old'");
        assertThat(changeLog.verify(app))
                .as("the redaction covers the entry exactly as it left it")
                .hasValueSatisfying(b -> assertThat(b.eventId()).isEqualTo(app + "-old"));
    }
}
