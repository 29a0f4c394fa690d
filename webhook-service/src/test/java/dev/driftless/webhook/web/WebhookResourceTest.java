package dev.driftless.webhook.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.driftless.events.CommitPushed;
import dev.driftless.events.EventCodec;
import dev.driftless.webhook.InMemoryCommits;
import dev.driftless.webhook.Signing;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The hooks' answers, with the in-memory connector standing in for Kafka (the broker is beside the point). */
@QuarkusTest
@QuarkusTestResource(value = InMemoryCommits.class, restrictToAnnotatedClass = true)
class WebhookResourceTest {

    @Inject
    @Any
    InMemoryConnector connector;

    InMemorySink<String> commits;

    @io.quarkus.test.common.http.TestHTTPResource("/hooks")
    java.net.URL hooks;

    @BeforeEach
    void clear() {
        commits = connector.sink("commits");
        commits.clear();
    }

    static String sha() {
        return UUID.randomUUID().toString().replace("-", "") + "01234567";
    }

    @Test
    void aSignedPushIsAcceptedAndPublishedAsACloudEventKeyedByRepository() {
        String after = sha();
        String body = Signing.push("https://github.com/acme/deploy.git", after);

        given().header("X-Hub-Signature-256", Signing.sign(body))
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", "d-1")
                .contentType("application/json")
                .body(body)
                .post("/hooks/github")
                .then()
                .statusCode(202)
                .contentType("application/json")
                .body("status", equalTo("accepted"))
                .contentType("application/json")
                .body("commit", equalTo(after));

        assertThat(commits.received()).singleElement().satisfies(message -> {
            CommitPushed push = EventCodec.decode(CommitPushed.class, message.getPayload());
            assertThat(push.repository()).isEqualTo("https://github.com/acme/deploy");
            assertThat(push.after()).isEqualTo(after);
            var ce = message.getMetadata(OutgoingCloudEventMetadata.class).orElseThrow();
            assertThat(ce.getType()).isEqualTo("dev.driftless.commit.pushed.v1");
            assertThat(ce.getSubject()).contains("https://github.com/acme/deploy");
            assertThat(ce.getExtension("commit")).contains(after);
            assertThat(ce.getExtension("deliveryid")).contains("d-1");
            var kafka = message.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow();
            assertThat(kafka.getKey()).isEqualTo("https://github.com/acme/deploy");
        });
    }

    @Test
    void aWrongSignatureIs401WithItsReasonAndNothingIsPublished() {
        String body = Signing.push("https://github.com/acme/deploy", sha());

        given().header("X-Hub-Signature-256", Signing.sign("not-the-secret", body))
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", "d-2")
                .contentType("application/json")
                .body(body)
                .post("/hooks/github")
                .then()
                .statusCode(401)
                .contentType("application/json")
                .body("reason", equalTo("SignatureInvalid"));

        assertThat(commits.received()).isEmpty();
    }

    @Test
    void aMissingSignatureIs401() {
        given().header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", "d-3")
                .contentType("application/json")
                .body(Signing.push("https://github.com/acme/deploy", sha()))
                .post("/hooks/github")
                .then()
                .statusCode(401)
                .contentType("application/json")
                .body("reason", equalTo("SignatureInvalid"));
        assertThat(commits.received()).isEmpty();
    }

    @Test
    void aSignedBodyThatIsNotJsonIs400WithAReasonNotAStackTrace() {
        String body = "{\"ref\": \"refs/heads/main\", oops";

        given().header("X-Hub-Signature-256", Signing.sign(body))
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", "d-4")
                .contentType("application/json")
                .body(body)
                .post("/hooks/github")
                .then()
                .statusCode(400)
                .contentType("application/json")
                .body("reason", equalTo("PayloadMalformed"))
                .contentType("application/json")
                .body("message", equalTo("the body is not JSON"));
        assertThat(commits.received()).isEmpty();
    }

    @Test
    void aPingIs200AndOtherEventsAreIgnoredWithTheirName() {
        given().header("X-Hub-Signature-256", Signing.sign("{}"))
                .header("X-GitHub-Event", "ping")
                .contentType("application/json")
                .body("{}")
                .post("/hooks/github")
                .then()
                .statusCode(200);
        given().header("X-Hub-Signature-256", Signing.sign("{}"))
                .header("X-GitHub-Event", "issues")
                .contentType("application/json")
                .body("{}")
                .post("/hooks/github")
                .then()
                .statusCode(202)
                .contentType("application/json")
                .body("status", equalTo("ignored"))
                .contentType("application/json")
                .body("event", equalTo("issues"));
        assertThat(commits.received()).isEmpty();
    }

    @Test
    void aRedeliveryIsAnsweredDuplicateWithTheSameEventIdAndNotPublishedAgain() {
        String body = Signing.push("https://github.com/acme/deploy", sha());
        String first = given().header("X-Hub-Signature-256", Signing.sign(body))
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", "same-delivery")
                .contentType("application/json")
                .body(body)
                .post("/hooks/github")
                .then()
                .statusCode(202)
                .extract()
                .path("id");

        given().header("X-Hub-Signature-256", Signing.sign(body))
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", "same-delivery")
                .contentType("application/json")
                .body(body)
                .post("/hooks/github")
                .then()
                .statusCode(200)
                .contentType("application/json")
                .body("status", equalTo("duplicate"))
                .contentType("application/json")
                .body("id", equalTo(first));

        assertThat(commits.received()).hasSize(1);
    }

    @Test
    void theSameSignedBodyUnderAnotherDeliveryIdIsADuplicateButTheSameIdInAnotherRepositoryIsNot() {
        String deploy = Signing.push("https://github.com/acme/deploy", sha());
        String first =
                post(deploy, "delivery-a").then().statusCode(202).extract().path("id");
        // the delivery id header is not signed: a replay of a captured body under a fresh id is the same push
        post(deploy, "replayed-with-another-id")
                .then()
                .statusCode(200)
                .body("status", equalTo("duplicate"))
                .body("id", equalTo(first));
        // another repository whose hook chose (or guessed) the same delivery id is another push
        String other = Signing.push("https://github.com/acme/other", sha());
        String second =
                post(other, "delivery-a").then().statusCode(202).extract().path("id");

        assertThat(second).isNotEqualTo(first);
        assertThat(commits.received()).hasSize(2);
    }

    static io.restassured.response.Response post(String body, String deliveryId) {
        return given().header("X-Hub-Signature-256", Signing.sign(body))
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", deliveryId)
                .contentType("application/json")
                .body(body)
                .post("/hooks/github");
    }

    @Test
    void aGitlabPushWithItsTokenIsAcceptedAndAWrongTokenIsNot() {
        String after = sha();
        String body =
                """
                {"object_kind":"push","before":"%s","after":"%s","ref":"refs/heads/main","user_username":"jsmith",
                 "project":{"git_http_url":"https://gitlab.example.com/group/deploy.git"},"commits":[]}
                """
                        .formatted("a".repeat(40), after);

        given().header("X-Gitlab-Token", "test-secret")
                .header("X-Gitlab-Event", "Push Hook")
                .contentType("application/json")
                .body(body)
                .post("/hooks/gitlab")
                .then()
                .statusCode(202)
                .contentType("application/json")
                .body("repository", equalTo("https://gitlab.example.com/group/deploy"));
        given().header("X-Gitlab-Token", "not-it")
                .header("X-Gitlab-Event", "Push Hook")
                .contentType("application/json")
                .body(body)
                .post("/hooks/gitlab")
                .then()
                .statusCode(401)
                .contentType("application/json")
                .body("reason", equalTo("SignatureInvalid"));

        assertThat(commits.received()).singleElement().satisfies(m -> assertThat(
                        EventCodec.decode(CommitPushed.class, m.getPayload()).provider())
                .isEqualTo("gitlab"));
    }

    @Test
    void anUnknownProviderIs404WithTheKnownOnes() {
        given().body("{}").post("/hooks/sourcehut").then().statusCode(404).body("reason", equalTo("ProviderUnknown"));
    }

    @Test
    void aBodyThatIsNotJsonByItsTypeIs415AndAnOversizedOneIs413() throws Exception {
        given().header("X-Hub-Signature-256", Signing.sign("ref=x"))
                .header("X-GitHub-Event", "push")
                .contentType("application/x-www-form-urlencoded")
                .body("ref=x")
                .post("/hooks/github")
                .then()
                .statusCode(415)
                .body("reason", equalTo("UnsupportedMediaType"));
        String huge = "{\"padding\":\"" + "x".repeat(6 * 1024 * 1024) + "\"}";
        // Expect: 100-continue, as providers' HTTP clients may send it: the server refuses before the body is sent
        java.net.http.HttpResponse<Void> tooLarge = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(hooks + "/github"))
                                .expectContinue(true)
                                .header("Content-Type", "application/json")
                                .header("X-GitHub-Event", "push")
                                .header("X-Hub-Signature-256", Signing.sign(huge))
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(huge))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding());
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(commits.received()).isEmpty();
    }

    @Test
    void aSignedPushForARepositoryNobodyWatchesIsIgnoredAndNotPublished() {
        String body = Signing.push("https://github.com/stranger/repo.git", sha());

        given().header("X-Hub-Signature-256", Signing.sign(body))
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", "stranger-1")
                .contentType("application/json")
                .body(body)
                .post("/hooks/github")
                .then()
                .statusCode(202)
                .body("status", equalTo("ignored"));

        assertThat(commits.received()).isEmpty();
    }

    @Test
    void requestsAreCountedByProviderOutcomeAndReasonAndTimed() {
        given().contentType("application/json")
                .body("{}")
                .post("/hooks/gogs")
                .then()
                .statusCode(401);

        String metrics =
                given().get("/q/metrics").then().statusCode(200).extract().asString();

        assertThat(metrics)
                .contains(
                        "driftless_webhook_requests_total{outcome=\"refused\",provider=\"gogs\",reason=\"SignatureInvalid\"}")
                .contains("driftless_webhook_request_duration_seconds_count{outcome=\"refused\",provider=\"gogs\"}");
    }

    @Test
    void theLogLineOfADeliveryCarriesItsIdAsAFieldAndNeverTheSecretOrTheBody() {
        java.util.List<org.jboss.logmanager.ExtLogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                org.jboss.logmanager.ExtLogRecord copy = org.jboss.logmanager.ExtLogRecord.wrap(record);
                copy.copyAll(); // the MDC as it was when the line was logged
                records.add(copy);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        try {
            String body = Signing.push("https://github.com/acme/logged", sha());
            for (String secret : new String[] {Signing.SECRET, "a-wrong-secret"}) {
                given().header("X-Hub-Signature-256", Signing.sign(secret, body))
                        .header("X-GitHub-Event", "push")
                        .header("X-GitHub-Delivery", "log-1")
                        .contentType("application/json")
                        .body(body)
                        .post("/hooks/github");
            }
        } finally {
            root.removeHandler(capture);
        }

        assertThat(records)
                .filteredOn(r -> "log-1".equals(r.getMdc("deliveryId")))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.getMdc("provider")).isEqualTo("github");
                    assertThat(r.getMdc("repository")).isEqualTo("https://github.com/acme/logged");
                    assertThat(r.getMdc("outcome")).isEqualTo("accepted");
                });
        assertThat(records)
                .filteredOn(r -> "SignatureInvalid".equals(r.getMdc("outcome")))
                .isNotEmpty();
        assertThat(records).allSatisfy(r -> assertThat(r.getFormattedMessage())
                .doesNotContain(Signing.SECRET)
                .doesNotContain("a-wrong-secret")
                .doesNotContain("alice@example.com"));
    }
}
