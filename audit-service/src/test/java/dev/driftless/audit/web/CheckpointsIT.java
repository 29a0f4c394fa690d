package dev.driftless.audit.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.audit.AuditDatabase;
import dev.driftless.audit.store.Checkpoints;
import dev.driftless.audit.store.Retention;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.events.EventSignatures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Signed checkpoints make the log checkable by an outsider: the latest is served with the exact text signed and
 * checks with the public key alone, and what a holder of the database (the owner, a superuser) removes after it,
 * which leaves every chain walkable, is still found, each with its word: a tail ({@code TailMissing}), a whole chain
 * ({@code ChainMissing}), an archived month ({@code ArchiveMissing}).
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = AuditDatabase.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CheckpointsIT {

    static final String READ = "read-token-0123456789";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.audit.schema")
    String schema;

    @Inject
    Checkpoints checkpoints;

    @Inject
    Retention retention;

    dev.driftless.audit.LogFixture log() {
        return new dev.driftless.audit.LogFixture(bootstrap, schema);
    }

    Connection superuser() throws SQLException {
        return log().superuser();
    }

    void record(String app, int entries) {
        log().record(app, 1, entries);
    }

    void asSuperuser(String sql) throws SQLException {
        try (Connection c = superuser();
                Statement s = c.createStatement()) {
            s.execute("ALTER TABLE change_log DISABLE TRIGGER change_log_no_update_or_delete");
            try {
                s.execute(sql);
            } finally {
                s.execute("ALTER TABLE change_log ENABLE TRIGGER change_log_no_update_or_delete");
            }
        }
    }

    /** Runs the offline verifier (no service involved) against the served checkpoint, kept in a file. */
    record Offline(int exit, String out, String err) {}

    Offline offline(String checkpointJson) throws Exception {
        Path file = java.nio.file.Files.createTempFile("checkpoint", ".json");
        java.nio.file.Files.writeString(file, checkpointJson);
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        int exit = dev.driftless.audit.offline.OfflineVerifier.run(
                new String[] {
                    "--checkpoints",
                    file.toString(),
                    "--public-key",
                    "src/test/resources/signing/audit-signing.pub.pem",
                    "--db-url",
                    AuditDatabase.URL,
                    "--db-user",
                    AuditDatabase.USER,
                    "--schema",
                    schema
                },
                Map.of(),
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        return new Offline(
                exit,
                out.toString(java.nio.charset.StandardCharsets.UTF_8),
                err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    String served() {
        return given().auth()
                .oauth2(READ)
                .get("/api/checkpoints")
                .then()
                .statusCode(200)
                .extract()
                .asString();
    }

    JsonPath verify() {
        return given().auth()
                .oauth2(READ)
                .get("/api/verify")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    @Test
    @Order(1)
    void theLatestCheckpointIsServedSignedAndChecksWithThePublicKeyAlone() throws Exception {
        String app = "signed-" + UUID.randomUUID().toString().substring(0, 8);
        record(app, 2);
        checkpoints.publish();

        JsonPath served = given().auth()
                .oauth2(READ)
                .get("/api/checkpoints")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(served.getList("checkpoint.heads.chain")).contains(app);
        EventSignatures.Verifier publicKey =
                EventSignatures.Verifier.read(Path.of("src/test/resources/signing/audit-signing.pub.pem"));
        Map<String, Object> signature = Map.of(
                EventSignatures.SIGNATURE, served.getString("signature"),
                EventSignatures.KEY_ID, served.getString("keyId"));
        assertThat(publicKey.problem(
                        served.getString("id"), served.getString("type"), served.getString("data"), signature))
                .as("checked with the public key alone")
                .isEmpty();
        String forged = served.getString("data").replace("\"seq\":", "\"seq\":1");
        assertThat(publicKey.problem(served.getString("id"), served.getString("type"), forged, signature))
                .as("a checkpoint changed after signing")
                .isPresent();
        given().get("/api/checkpoints").then().statusCode(401);

        // kept elsewhere, it verifies the log without the service
        Offline intact = offline(served());
        assertThat(intact.exit()).as(intact.out() + intact.err()).isZero();
        assertThat(intact.out()).contains("intact");
        // the signed text changed (a head moved back): in the served JSON, data is a string with its quotes escaped
        Offline untrusted = offline(served().replace("\\\"seq\\\":", "\\\"seq\\\":1"));
        assertThat(served()).contains("\\\"seq\\\":");
        assertThat(untrusted.exit()).isEqualTo(2);
        assertThat(untrusted.err()).contains("CheckpointUntrusted");
    }

    @Test
    @Order(2)
    void aTailOrAChainRemovedAfterACheckpointIsFoundThoughEveryChainStillWalks() throws Exception {
        String shortened = "tail-" + UUID.randomUUID().toString().substring(0, 8);
        String gone = "gone-" + UUID.randomUUID().toString().substring(0, 8);
        record(shortened, 3);
        record(gone, 1);
        checkpoints.publish();
        String kept = served();
        assertThat(verify().getList("broken.findAll { it.chain == '" + shortened + "' || it.chain == '" + gone + "' }"))
                .isEmpty();

        asSuperuser("DELETE FROM change_log WHERE event_id = '" + shortened + "-3'");
        asSuperuser("DELETE FROM change_log WHERE application = '" + gone + "'");

        // the next checkpoint is not signed over the shortened log: the one that saw the tail stays
        var before = checkpoints.latest().orElseThrow();
        assertThat(checkpoints.publish()).isEmpty();
        assertThat(checkpoints.latest()).contains(before);

        JsonPath result = verify();
        assertThat(result.getBoolean("intact")).isFalse();
        assertThat(result.getString("broken.find { it.chain == '" + shortened + "' }.reason"))
                .isEqualTo("TailMissing");
        assertThat(result.getString("broken.find { it.chain == '" + gone + "' }.reason"))
                .isEqualTo("ChainMissing");
        Offline offline = offline(kept);
        assertThat(offline.exit()).as(offline.err()).isEqualTo(1);
        assertThat(offline.out())
                .contains("TailMissing chain=" + shortened)
                .contains("ChainMissing chain=" + gone)
                .contains("BROKEN");
    }

    @Test
    @Order(3)
    void aCheckpointRowForgedToHideRemovedEntriesIsFound() throws Exception {
        String app = "forged-" + UUID.randomUUID().toString().substring(0, 8);
        record(app, 3);
        // a holder of the database removes the first two entries and says they were archived, into another table
        asSuperuser("DELETE FROM change_log WHERE event_id IN ('" + app + "-1', '" + app + "-2')");
        try (Connection c = superuser();
                Statement s = c.createStatement()) {
            s.execute("ALTER TABLE chain_checkpoints DISABLE TRIGGER chain_checkpoints_no_update_or_delete");
            s.execute("INSERT INTO chain_checkpoints (chain, seq, hash, partition) SELECT chain, seq - 1, prev_hash,"
                    + " 'event_ids' FROM change_log WHERE event_id = '" + app + "-3'");
            s.execute("ALTER TABLE chain_checkpoints ENABLE TRIGGER chain_checkpoints_no_update_or_delete");
        }

        JsonPath result = verify();
        assertThat(result.getBoolean("intact")).isFalse();
        assertThat(result.getList("broken.findAll { it.chain == '" + app + "' }.reason"))
                .contains("ArchiveMissing");
    }

    @Test
    @Order(4)
    void aDroppedArchivedMonthIsFound() throws Exception {
        String app = "archived-" + UUID.randomUUID().toString().substring(0, 8);
        record(app, 1);
        List<String> archived = retention.archive(Instant.now().plus(Duration.ofDays(62)));
        assertThat(archived).isNotEmpty();

        try (Connection c = superuser();
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE " + archived.get(0));
        }

        JsonPath result = verify();
        assertThat(result.getBoolean("intact")).isFalse();
        assertThat(result.getList("broken.findAll { it.reason == 'ArchiveMissing' }.problem", String.class))
                .anyMatch(problem -> problem.contains(archived.get(0)));
    }

    @Test
    @Order(5)
    void anEntryEditedInsideAnArchivedMonthIsFoundByTheFullWalk() throws Exception {
        String app = "edited-archive-" + UUID.randomUUID().toString().substring(0, 8);
        record(app, 3);
        List<String> archived = retention.archive(Instant.now().plus(Duration.ofDays(62)));
        assertThat(archived).isNotEmpty();
        assertThat(verify().getList("broken.findAll { it.chain == '" + app + "' }"))
                .isEmpty();

        // behind the archive's append-only trigger, the middle entry is rewritten; the month's last entry, which its
        // checkpoint names, is left as it was
        try (Connection c = superuser();
                Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + archived.get(0) + " DISABLE TRIGGER USER");
            s.execute("UPDATE " + archived.get(0) + " SET actor = 'someone-else' WHERE event_id = '" + app + "-2'");
            s.execute("ALTER TABLE " + archived.get(0) + " ENABLE TRIGGER USER");
        }

        JsonPath result = verify();
        assertThat(result.getBoolean("intact")).isFalse();
        assertThat(result.getString("broken.find { it.chain == '" + app + "' }.reason"))
                .isEqualTo("HashMismatch");
    }
}
