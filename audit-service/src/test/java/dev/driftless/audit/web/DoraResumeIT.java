package dev.driftless.audit.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.audit.AuditDatabase;
import dev.driftless.audit.domain.Canonical;
import dev.driftless.audit.domain.ChangeEntry;
import dev.driftless.audit.domain.DoraTally;
import dev.driftless.audit.store.ChangeLog;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.events.EventType;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The DORA meters resume an application's tally after a restart from three lookups in PostgreSQL, and count on
 * exactly as a tally of its whole history would, however long it is (they used to replay its last 500 outcomes,
 * which forgot a commit Healthy further back).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(AuditDatabase.class)
class DoraResumeIT {

    @Inject
    ChangeLog changeLog;

    String app = "resume-" + UUID.randomUUID().toString().substring(0, 8);
    Instant clock = Instant.parse("2026-03-01T00:00:00Z");
    int n;

    /** Records one outcome event and returns what a tally needs of it. */
    DoraTally.Event record(String type, String commit, String health) throws Exception {
        clock = clock.plusSeconds(60);
        String id = app + "-" + n++;
        String data = health == null
                ? "{\"application\": \"%s\", \"commit\": \"%s\"}".formatted(app, commit)
                : "{\"application\": \"%s\", \"commit\": \"%s\", \"current\": \"%s\"}".formatted(app, commit, health);
        String event =
                "{\"specversion\": \"1.0\", \"id\": \"%s\", \"type\": \"%s\", \"source\": \"urn:t\", \"data\": %s}"
                        .formatted(id, type, data);
        changeLog.append(new ChangeEntry(
                id,
                type,
                "urn:t",
                app,
                clock,
                "driftless.syncs",
                app,
                app,
                "https://h/r",
                commit,
                null,
                null,
                null,
                Canonical.json(event),
                false,
                null));
        return new DoraTally.Event(type, commit, health, clock, null);
    }

    @Test
    void aResumedTallyCountsAsTheWholeHistoryWould() throws Exception {
        String old = "a".repeat(40);
        String current = "b".repeat(40);
        List<DoraTally.Event> history = new ArrayList<>();
        history.add(record(EventType.SYNC_SUCCEEDED.type(), old, null));
        history.add(record(EventType.HEALTH_CHANGED.type(), old, "Healthy"));
        history.add(record(EventType.SYNC_SUCCEEDED.type(), current, null));
        // a long flapping history: more than the 500 outcomes the meters used to replay
        for (int i = 0; i < 300; i++) {
            history.add(record(EventType.HEALTH_CHANGED.type(), current, "Healthy"));
            history.add(record(EventType.HEALTH_CHANGED.type(), current, "Degraded"));
        }
        history.add(record(EventType.SYNC_FAILED.type(), current, null));
        Instant firstFailureSinceGood = history.get(history.size() - 2).at();

        // after a restart, the next events: a resync of the deployed commit, and a rollback to the old commit, Healthy
        List<DoraTally.Event> next = List.of(
                record(EventType.SYNC_SUCCEEDED.type(), current, null),
                record(EventType.SYNC_SUCCEEDED.type(), old, null),
                record(EventType.HEALTH_CHANGED.type(), old, "Healthy"));
        String nextEventId = app + "-" + (n - 3);

        DoraTally whole = new DoraTally();
        history.forEach(e -> whole.add(e, commit -> Optional.of(Instant.EPOCH)));
        DoraTally resumed = changeLog.doraTally(app, nextEventId);
        for (DoraTally.Event e : next) {
            assertThat(resumed.add(e, commit -> Optional.of(Instant.EPOCH)))
                    .as("%s at %s", e.type(), e.commit().substring(0, 1))
                    .isEqualTo(whole.add(e, commit -> Optional.of(Instant.EPOCH)));
        }
        DoraTally.Counted resync =
                changeLog.doraTally(app, nextEventId).add(next.get(0), commit -> Optional.of(Instant.EPOCH));
        assertThat(resync.deployment())
                .as("a resync of the deployed commit is no deployment")
                .isFalse();
        assertThat(resync.restore())
                .as("the failure in progress since the last Degraded after the last Healthy")
                .isEqualTo(java.time.Duration.between(
                        firstFailureSinceGood, next.get(0).at()));
    }
}
