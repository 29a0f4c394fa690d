package dev.driftless.audit.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.audit.AuditDatabase;
import dev.driftless.audit.store.ChainVerifier;
import dev.driftless.devstack.kafka.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The scheduled verification reads only what was added since it last ran (a log of months is not re-walked every
 * five minutes), yet a change to the last entry it verified, or a bad link among the new ones, is still found.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = AuditDatabase.class, restrictToAnnotatedClass = true)
class IncrementalVerificationIT {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.audit.schema")
    String schema;

    @Inject
    ChainVerifier verifier;

    void record(String app, int from, int to) {
        new dev.driftless.audit.LogFixture(bootstrap, schema).record(app, from, to);
    }

    @Test
    void onlyNewEntriesAreWalkedAndTheLastVerifiedOneMustStillHold() throws Exception {
        String app = "incremental-" + UUID.randomUUID().toString().substring(0, 8);
        record(app, 1, 5);
        ChainVerifier.Report first = verifier.verifyNew();
        assertThat(first.intact()).isTrue();
        assertThat(first.walked()).isGreaterThanOrEqualTo(5);

        record(app, 6, 7);
        ChainVerifier.Report second = verifier.verifyNew();
        assertThat(second.intact()).isTrue();
        assertThat(second.walked()).as("entries read: only the two new ones").isEqualTo(2);

        // the last entry verified, rewritten behind the triggers' back
        try (Connection c = DriverManager.getConnection(AuditDatabase.URL, AuditDatabase.USER, "");
                Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + schema);
            s.execute("ALTER TABLE change_log DISABLE TRIGGER change_log_no_update_or_delete");
            try {
                s.executeUpdate("UPDATE change_log SET hash = repeat('0', 64) WHERE event_id = '" + app + "-7'");
            } finally {
                s.execute("ALTER TABLE change_log ENABLE TRIGGER change_log_no_update_or_delete");
            }
        }
        ChainVerifier.Report third = verifier.verifyNew();
        assertThat(third.intact()).isFalse();
        assertThat(third.broken()).anySatisfy(b -> assertThat(b.chain()).isEqualTo(app));
        assertThat(verifier.verifyAll().intact()).as("the full walk agrees").isFalse();
    }
}
