package dev.driftless.audit.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.driftless.audit.AuditDatabase;
import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.events.CommitPushed;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventCodec;
import dev.driftless.events.EventExamples;
import dev.driftless.events.EventType;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Target;
import dev.driftless.events.Topics;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** audit-service through a real broker into real PostgreSQL, read back through the commit trace API. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(AuditDatabase.class)
class AuditPipelineIT {

    static final String READ = "read-token-0123456789";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    AgroalDataSource dataSource;

    EventProbe probe;
    String commit;
    String app;
    String repository;

    @BeforeEach
    void setUp() {
        probe = new EventProbe(bootstrap);
        commit = UUID.randomUUID().toString().replace("-", "") + "01234567";
        app = "demo-" + commit.substring(0, 6);
        repository = "https://git.example.com/" + app;
    }

    @AfterEach
    void tearDown() {
        probe.close();
    }

    Envelope envelope(EventType type, String id, Map<String, String> extensions) {
        return new Envelope(type, id, app, Instant.now(), extensions);
    }

    long rows(String where) throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM change_log WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aCommitsWholeStoryIsTracedFromPushToAppliedObjects() {
        Instant pushed = Instant.now();
        given().auth()
                .oauth2(READ)
                .get("/api/commits/" + commit)
                .then()
                .statusCode(404)
                .body("reason", equalTo("CommitNotFound"));
        CommitPushed push = new CommitPushed(
                repository,
                "refs/heads/main",
                "a".repeat(40),
                commit,
                "alice",
                "github",
                "delivery-" + app,
                List.of("apps/demo/cm.yaml"),
                pushed,
                true);
        probe.send(
                envelope(EventType.COMMIT_PUSHED, "push-" + app, Map.of("commit", commit, "repository", repository)),
                push,
                repository,
                "urn:test");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth()
                .oauth2(READ)
                .get("/api/commits/" + commit)
                .then()
                .statusCode(200)
                .body("applications.size()", equalTo(0))
                .body("deliveries[0].pusher", equalTo("alice")));

        RenderSucceeded render = new RenderSucceeded(
                app,
                repository,
                "refs/heads/main",
                commit,
                "apps/demo",
                "sha256:" + "2".repeat(64),
                List.of(Map.of("apiVersion", "v1", "kind", "ConfigMap", "metadata", Map.of("name", "demo-config"))),
                new Target("default", "demo", true, true, false, true),
                "push-" + app,
                Instant.now(),
                5);
        probe.send(
                envelope(EventType.RENDER_SUCCEEDED, "render-" + app, Map.of("commit", commit, "application", app)),
                render,
                app,
                "urn:test");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth()
                .oauth2(READ)
                .get("/api/commits/" + commit)
                .then()
                .statusCode(200)
                .body("applications[0].name", equalTo(app))
                .body("applications[0].render.status", equalTo("Succeeded"))
                .body("applications[0].sync.status", equalTo("Pending")));

        SyncReport sync = new SyncReport(
                app,
                commit,
                render.digest(),
                "Succeeded",
                null,
                null,
                List.of(new SyncReport.ResourceResult(
                        "v1", "ConfigMap", "demo", "demo-config", "configured", null, null)),
                "render-" + app,
                Instant.now(),
                Instant.now());
        probe.send(
                envelope(EventType.SYNC_SUCCEEDED, "sync-" + app, Map.of("commit", commit, "application", app)),
                sync,
                app,
                "urn:test");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonPath trace = given().auth()
                    .oauth2(READ)
                    .get("/api/commits/" + commit.substring(0, 10))
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            assertThat(trace.getString("commit")).isEqualTo(commit);
            assertThat(trace.getString("repository")).isEqualTo(repository);
            assertThat(trace.getString("applications[0].sync.status")).isEqualTo("Succeeded");
            assertThat(trace.getList("applications[0].sync.resources", Map.class))
                    .containsExactly(Map.of(
                            "kind", "ConfigMap", "namespace", "demo", "name", "demo-config", "action", "configured"));
            assertThat(trace.getLong("applications[0].leadTimeMs")).isNotNull();
        });
    }

    /** The W3C trace context headers of a push's record, as an OpenTelemetry-instrumented producer writes them. */
    Map<String, String> pushHeaders(String id, Instant at, String traceparent) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("ce_specversion", "1.0");
        headers.put("ce_id", id);
        headers.put("ce_type", EventType.COMMIT_PUSHED.type());
        headers.put("ce_source", "urn:test");
        headers.put("ce_time", at.toString());
        headers.put("ce_commit", commit);
        headers.put("ce_repository", repository);
        headers.put("content-type", "application/json");
        if (traceparent != null) {
            headers.put("traceparent", traceparent);
        }
        return headers;
    }

    @Test
    void theTraceIdOfTheRecordsTraceparentHeaderIsKeptAndShown() {
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String traceparent = "00-" + traceId + "-00f067aa0ba902b7-01";
        Instant at = Instant.now();
        for (String provider : List.of("github", "poll")) {
            CommitPushed push = new CommitPushed(
                    repository,
                    "refs/heads/main",
                    "a".repeat(40),
                    commit,
                    "carol",
                    provider,
                    provider + "-" + app,
                    List.of(),
                    at,
                    true);
            probe.sendRaw(
                    Topics.COMMITS,
                    repository,
                    EventCodec.encode(push),
                    pushHeaders("trace-" + provider + "-" + app, at, provider.equals("github") ? traceparent : null));
        }

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonPath changes = given().auth()
                    .oauth2(READ)
                    .queryParam("repository", repository)
                    .get("/api/changes")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            assertThat(changes.getList("items")).hasSize(2);
            assertThat(changes.getString("items.find { it.id == 'trace-github-" + app + "' }.traceId"))
                    .isEqualTo(traceId);
            assertThat(changes.getString("items.find { it.id == 'trace-github-" + app + "' }.event.traceparent"))
                    .isEqualTo(traceparent);
            assertThat(changes.getString("items.find { it.id == 'trace-poll-" + app + "' }.traceId"))
                    .isNull();
        });
        JsonPath trace = given().auth()
                .oauth2(READ)
                .get("/api/commits/" + commit)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(trace.getString("deliveries.find { it.provider == 'github' }.traceId"))
                .isEqualTo(traceId);
        assertThat(trace.getString("deliveries.find { it.provider == 'poll' }.traceId"))
                .isNull();
    }

    @Test
    void aRedeliveredEventIsRecordedOnceAndAMessageThatIsNotAnEventIsStillRecorded() throws Exception {
        CommitPushed push = new CommitPushed(
                repository,
                "refs/heads/main",
                "a".repeat(40),
                commit,
                "bob",
                "github",
                "d-" + app,
                List.of(),
                Instant.now(),
                true);
        for (int i = 0; i < 3; i++) {
            probe.send(
                    envelope(EventType.COMMIT_PUSHED, "same-" + app, Map.of("commit", commit)),
                    push,
                    repository,
                    "urn:test");
        }
        // the barrier is on the same topic and key as the three copies: once it is recorded, so were they (in order)
        probe.sendRaw(Topics.COMMITS, repository, "garbage that is not json", Map.of("ce_barrier", app));

        await().atMost(Duration.ofSeconds(20))
                .until(() -> rows("kafka_key = '" + repository + "' AND type = 'unknown' AND rejected"
                                + " AND rejection_reason LIKE 'NotACloudEvent%'")
                        == 1);
        assertThat(rows("event_id = 'same-" + app + "'")).isEqualTo(1);
        assertThat(rows("commit_sha = '" + commit + "' AND actor = 'bob' AND delivery_id = 'd-" + app + "'"))
                .isEqualTo(1);
    }

    @Test
    void somethingThatIsNotAShaIs400WithAReason() {
        given().auth()
                .oauth2(READ)
                .get("/api/commits/not-a-sha")
                .then()
                .statusCode(400)
                .body("reason", equalTo("CommitInvalid"));
        given().auth().oauth2(READ).get("/api/commits/abc").then().statusCode(400);
    }

    @Test
    void anEventWhoseDataBreaksItsSchemaIsRecordedAsRejectedWithTheReason() throws Exception {
        probe.sendRaw(
                Topics.RENDERS,
                app,
                "{\"application\":\"" + app + "\"}",
                Map.of(
                        "ce_specversion",
                        "1.0",
                        "ce_id",
                        "bad-schema-" + app,
                        "ce_type",
                        EventType.RENDER_SUCCEEDED.type(),
                        "ce_source",
                        "urn:test"));

        await().atMost(Duration.ofSeconds(20)).until(() -> rows("event_id = 'bad-schema-" + app + "'") == 1);
        assertThat(rows("event_id = 'bad-schema-" + app
                        + "' AND rejected AND rejection_reason LIKE 'SchemaViolation:%'"))
                .isEqualTo(1);
    }

    @Test
    void everyEventTypeLandsOnceWhenDeliveredTwice() throws Exception {
        // every type of the pipeline's topics; the log's own checkpoints are not recorded in the log they vouch for
        List<EventType> recorded = java.util.Arrays.stream(EventType.values())
                .filter(type -> dev.driftless.events.Topics.ALL.contains(type.topic()))
                .toList();
        for (var example : EventExamples.EXAMPLES.entrySet()) {
            if (!recorded.contains(example.getKey())) {
                continue;
            }
            String id = "twice-" + example.getKey() + "-" + app;
            for (int i = 0; i < 2; i++) {
                probe.send(
                        new Envelope(example.getKey(), id, app, Instant.now(), Map.of()),
                        example.getValue(),
                        app,
                        "urn:test");
            }
        }

        await().atMost(Duration.ofSeconds(30))
                .until(() -> rows("event_id LIKE 'twice-%-" + app + "'") == recorded.size());
        assertThat(rows("event_id LIKE 'twice-%-" + app + "' AND rejected")).isZero();
        for (EventType type : recorded) {
            assertThat(rows("event_id = 'twice-" + type + "-" + app + "' AND type = '" + type.type() + "'"))
                    .as("%s recorded once", type)
                    .isEqualTo(1);
        }
    }
}
