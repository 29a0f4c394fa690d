package dev.driftless.audit.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.driftless.audit.AuditDatabase;
import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventCodec;
import dev.driftless.events.EventType;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.ResyncRequested;
import dev.driftless.events.RollbackRequested;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Target;
import dev.driftless.events.Topics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The audit API on a real broker and real PostgreSQL: tokens, pagination, application state, commands. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(AuditDatabase.class)
class AuditApiIT {

    static final String READ = "read-token-0123456789";
    static final String WRITE = "write-token-0123456789";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    EventProbe probe;
    String app;

    @BeforeEach
    void setUp() {
        probe = new EventProbe(bootstrap);
        app = "api-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void tearDown() {
        probe.close();
    }

    void resyncEvent(int n) {
        probe.send(
                new Envelope(EventType.COMMAND_RESYNC, app + "-" + n, app, Instant.now(), Map.of("application", app)),
                new ResyncRequested(app, "tester", "n" + n, Instant.now()),
                app,
                "urn:test");
    }

    /** Waits until the application has this many events in the change log. */
    void awaitRecorded(int events) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> given().auth()
                                .oauth2(READ)
                                .queryParam("application", app)
                                .queryParam("limit", 500)
                                .get("/api/changes")
                                .jsonPath()
                                .getList("items")
                                .size()
                        == events);
    }

    String deploy() {
        String commit = UUID.randomUUID().toString().replace("-", "") + "01234567";
        RenderSucceeded render = new RenderSucceeded(
                app,
                "https://h/r",
                "refs/heads/main",
                commit,
                "apps/x",
                "sha256:" + "3".repeat(64),
                List.of(),
                new Target("default", "x", true, true, true, true),
                "t",
                Instant.now(),
                1);
        probe.send(
                new Envelope(
                        EventType.RENDER_SUCCEEDED,
                        "r-" + commit,
                        app,
                        Instant.now(),
                        Map.of("commit", commit, "application", app)),
                render,
                app,
                "urn:test");
        probe.send(
                new Envelope(
                        EventType.SYNC_SUCCEEDED,
                        "s-" + commit,
                        app,
                        Instant.now(),
                        Map.of("commit", commit, "application", app)),
                new SyncReport(
                        app,
                        commit,
                        render.digest(),
                        "Succeeded",
                        null,
                        null,
                        List.of(),
                        "r-" + commit,
                        Instant.now(),
                        Instant.now()),
                app,
                "urn:test");
        return commit;
    }

    @jakarta.inject.Inject
    dev.driftless.audit.store.ChangeLog changeLog;

    /**
     * The list folds at most five events per application, and gives the state folding its whole history gives: after a
     * deployment, a failed sync of the next commit, a health report and a resync.
     */
    @Test
    void theListsStatesAreWhatTheWholeHistoryGives() throws Exception {
        String deployed = deploy();
        String next = UUID.randomUUID().toString().replace("-", "") + "76543210";
        probe.send(
                new Envelope(
                        EventType.SYNC_FAILED,
                        "f-" + next,
                        app,
                        Instant.now(),
                        Map.of("commit", next, "application", app)),
                new SyncReport(
                        app,
                        next,
                        "sha256:" + "7".repeat(64),
                        "Failed",
                        "ApplyInvalid",
                        "refused",
                        List.of(),
                        "r-" + next,
                        Instant.now(),
                        Instant.now()),
                app,
                "urn:test");
        probe.send(
                new Envelope(
                        EventType.HEALTH_CHANGED,
                        "h-" + next,
                        app,
                        Instant.now(),
                        Map.of("commit", deployed, "application", app)),
                new dev.driftless.events.HealthChanged(app, deployed, "Progressing", "Healthy", Instant.now()),
                app,
                "urn:test");
        resyncEvent(1);
        awaitRecorded(5);

        var folded = dev.driftless.audit.domain.ApplicationState.of(app, changeLog.summaries(app));
        assertThat(changeLog.states()).filteredOn(s -> s.name().equals(app)).containsExactly(folded);
        assertThat(folded.currentCommit()).isEqualTo(deployed);
        assertThat(folded.syncStatus()).isEqualTo("Failed");
        assertThat(folded.health()).isEqualTo("Healthy");
        assertThat(folded.lastFailure().reason()).isEqualTo("ApplyInvalid");
        assertThat(folded.lastChange().type()).isEqualTo(EventType.COMMAND_RESYNC.type());
    }

    /**
     * An application's view and rollback read summaries of its events, never their bundles: a render of a 1 MB
     * bundle is summarised without its manifests, and the view and a rollback to that commit still answer.
     */
    @Test
    void anApplicationsViewReadsNoBundle() throws Exception {
        String commit = UUID.randomUUID().toString().replace("-", "") + "01234567";
        Map<String, Object> big = Map.of(
                "apiVersion",
                "v1",
                "kind",
                "ConfigMap",
                "metadata",
                Map.of("name", "big", "namespace", "x"),
                "data",
                Map.of("blob", "x".repeat(1_000_000)));
        probe.send(
                new Envelope(
                        EventType.RENDER_SUCCEEDED,
                        "big-" + commit,
                        app,
                        Instant.now(),
                        Map.of("commit", commit, "application", app)),
                new RenderSucceeded(
                        app,
                        "https://h/r",
                        "refs/heads/main",
                        commit,
                        "apps/x",
                        "sha256:" + "6".repeat(64),
                        List.of(big),
                        new Target("default", "x", true, true, true, true),
                        "t",
                        Instant.now(),
                        1),
                app,
                "urn:test");
        awaitRecorded(1);

        List<dev.driftless.audit.domain.StoredEvent> summaries = changeLog.summaries(app);
        assertThat(summaries).singleElement().satisfies(e -> {
            assertThat(e.commit()).isEqualTo(commit);
            assertThat(e.data().has("manifests")).as("the bundle").isFalse();
            assertThat(e.data().toString().length()).isLessThan(200);
        });
        given().auth().oauth2(READ).get("/api/applications/{name}", app).then().statusCode(200);
        given().auth()
                .oauth2(WRITE)
                .contentType("application/json")
                .body(Map.of("commit", commit))
                .post("/api/applications/{name}/rollback", app)
                .then()
                .statusCode(202);
    }

    @Test
    void withoutATokenEverythingIs401AndAReadTokenCannotWrite() {
        given().get("/api/changes")
                .then()
                .statusCode(401)
                .body("reason", equalTo("Unauthenticated"))
                .header("WWW-Authenticate", "Bearer realm=\"driftless\"");
        given().auth()
                .oauth2("wrong-token-0123456789")
                .get("/api/changes")
                .then()
                .statusCode(401);
        given().auth()
                .oauth2(READ)
                .contentType("application/json")
                .body("{}")
                .post("/api/applications/" + app + "/resync")
                .then()
                .statusCode(403)
                .body("reason", equalTo("Forbidden"));
        given().get("/q/health/ready").then().statusCode(200);
    }

    /** A token limited to application shop: another application's resync and rollback are 403, and it sees none of it. */
    @Test
    void aTokenLimitedToOneApplicationCannotSeeOrActOnAnother() {
        String limited = "shop-ci-token-0123456789";
        resyncEvent(1);
        awaitRecorded(1);
        given().auth()
                .oauth2(limited)
                .contentType("application/json")
                .body("{}")
                .post("/api/applications/" + app + "/resync")
                .then()
                .statusCode(403)
                .body("reason", equalTo("Forbidden"))
                .body("message", org.hamcrest.Matchers.containsString(app));
        given().auth()
                .oauth2(limited)
                .contentType("application/json")
                .body("{\"commit\": \"" + "a".repeat(40) + "\"}")
                .post("/api/applications/" + app + "/rollback")
                .then()
                .statusCode(403);
        given().auth().oauth2(limited).get("/api/applications/" + app).then().statusCode(403);
        given().auth()
                .oauth2(limited)
                .get("/api/changes?application=" + app)
                .then()
                .statusCode(200)
                .body("items.size()", equalTo(0));
        given().auth()
                .oauth2(limited)
                .get("/api/applications")
                .then()
                .statusCode(200)
                .body("applications.name", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(app)));
        given().auth()
                .oauth2(READ)
                .get("/api/changes?application=" + app)
                .then()
                .statusCode(200)
                .body("items.size()", org.hamcrest.Matchers.greaterThan(0));
    }

    @Test
    void onlyAnApplicationsNameIsPassedOnToSyncService() {
        for (String path : List.of("/api/applications/Not_A_Name/status", "/api/applications/a..b/diff")) {
            given().auth().oauth2(READ).get(path).then().statusCode(400).body("reason", equalTo("NameInvalid"));
        }
    }

    @Test
    void theLiveFeedSendsEachTokenOnlyTheEntriesItMaySee() throws Exception {
        String shop = "shop";
        java.util.concurrent.BlockingQueue<String> all = follow(READ);
        java.util.concurrent.BlockingQueue<String> limited = follow("shop-ci-token-0123456789");
        resyncEvent(1); // of another application, first
        awaitRecorded(1);
        probe.send(
                new Envelope(
                        EventType.COMMAND_RESYNC, shop + "-" + app, shop, Instant.now(), Map.of("application", shop)),
                new ResyncRequested(shop, "tester", "for the feed", Instant.now()),
                shop,
                "urn:test");
        java.util.List<String> seenByAll = new java.util.ArrayList<>();
        while (seenByAll.stream().noneMatch(e -> e.contains("\"application\":\"shop\""))) {
            String entry = all.poll(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(entry).as("an entry for the unlimited token").isNotNull();
            seenByAll.add(entry);
        }
        assertThat(seenByAll).as("an unlimited token sees both").anySatisfy(e -> assertThat(e)
                .contains("\"application\":\"" + app + "\""));
        String seen = limited.poll(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(seen)
                .as("a token limited to shop sees shop's entry first: the other was never sent")
                .contains("\"application\":\"shop\"");
    }

    /** Follows GET /api/changes/stream with the token; each entry's JSON arrives in the queue. */
    java.util.concurrent.BlockingQueue<String> follow(String token) throws Exception {
        java.util.concurrent.BlockingQueue<String> entries = new java.util.concurrent.LinkedBlockingQueue<>();
        java.net.http.HttpResponse<java.util.stream.Stream<String>> response = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(io.restassured.RestAssured.baseURI
                                        + ":" + io.restassured.RestAssured.port + "/api/changes/stream"))
                                .header("Authorization", "Bearer " + token)
                                .header("Accept", "text/event-stream")
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        Thread reader = new Thread(() -> response.body()
                .filter(line -> line.startsWith("data:"))
                .forEach(line -> entries.add(line.substring(5).trim())));
        reader.setDaemon(true);
        reader.start();
        return entries;
    }

    @Test
    void pagesAreStableWhileNewEventsArrive() {
        for (int i = 0; i < 12; i++) {
            resyncEvent(i);
        }
        awaitRecorded(12);

        // after each page, a new event is recorded before the next page is read: a page that moved with them (an
        // offset, say) would show an item twice
        List<String> seen = new ArrayList<>();
        int arrived = 0;
        String cursor = null;
        do {
            var request =
                    given().auth().oauth2(READ).queryParam("application", app).queryParam("limit", 5);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page =
                    request.get("/api/changes").then().statusCode(200).extract().jsonPath();
            seen.addAll(page.getList("items.id"));
            cursor = page.getString("nextCursor");
            resyncEvent(100 + arrived++);
            awaitRecorded(12 + arrived);
        } while (cursor != null);

        assertThat(arrived).as("events that arrived while paging").isEqualTo(3);
        assertThat(seen)
                .as("the 12 events there when paging began, newest first, each once")
                .containsExactlyElementsOf(java.util.stream.IntStream.iterate(11, i -> i >= 0, i -> i - 1)
                        .mapToObj(i -> app + "-" + i)
                        .toList());
        given().auth()
                .oauth2(READ)
                .queryParam("cursor", "bm9wZQ")
                .get("/api/changes")
                .then()
                .statusCode(400)
                .body("reason", equalTo("CursorInvalid"));
        given().auth()
                .oauth2(READ)
                .queryParam("limit", 0)
                .get("/api/changes")
                .then()
                .statusCode(400);
    }

    @Test
    void anApplicationsStateAndCommandsRecordedUnderTheCallersName() {
        String commit = deploy();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth()
                .oauth2(READ)
                .get("/api/applications/" + app)
                .then()
                .statusCode(200)
                .body("state.currentCommit", equalTo(commit))
                .body("state.syncStatus", equalTo("Succeeded"))
                .body("dora.deployments", equalTo(1)));
        given().auth()
                .oauth2(READ)
                .get("/api/applications/nothing-" + app)
                .then()
                .statusCode(404);

        given().auth()
                .oauth2(WRITE)
                .contentType("application/json")
                .body(Map.of("commit", "abc"))
                .post("/api/applications/" + app + "/rollback")
                .then()
                .statusCode(400)
                .body("reason", equalTo("CommitInvalid"));
        given().auth()
                .oauth2(WRITE)
                .contentType("application/json")
                .body(Map.of("commit", "f".repeat(40)))
                .post("/api/applications/" + app + "/rollback")
                .then()
                .statusCode(409)
                .body("reason", equalTo("CommitNeverRendered"));
        given().auth()
                .oauth2(WRITE)
                .contentType("application/json")
                .body(Map.of("commit", commit, "reason", "bad release"))
                .post("/api/applications/" + app + "/rollback")
                .then()
                .statusCode(202)
                .body("actor", equalTo("writer"));

        List<EventProbe.Received> commands = probe.read(
                Topics.COMMANDS,
                r -> app.equals(r.key()) && EventType.COMMAND_ROLLBACK.type().equals(r.ce("type")),
                1,
                Duration.ofSeconds(20));
        assertThat(commands).hasSize(1);
        RollbackRequested rollback =
                EventCodec.decode(RollbackRequested.class, commands.get(0).value());
        assertThat(rollback.actor()).isEqualTo("writer");
        assertThat(rollback.commit()).isEqualTo(commit);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth()
                .oauth2(READ)
                .queryParam("application", app)
                .queryParam("type", EventType.COMMAND_ROLLBACK.type())
                .get("/api/changes")
                .then()
                .body("items[0].actor", equalTo("writer"))
                .body("items[0].event.specversion", equalTo("1.0"))
                .body("items[0].event.application", equalTo(app))
                .body("items[0].event.data.commit", equalTo(commit)));
    }
}
