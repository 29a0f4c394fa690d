package dev.driftless.webhook.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.events.CommitPushed;
import dev.driftless.events.EventCodec;
import dev.driftless.events.Topics;
import dev.driftless.webhook.Signing;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Through a real embedded KRaft broker: the event on the topic is a binary-mode CloudEvent, keyed by repository. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class GithubWebhookKafkaIT {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void anAcceptedPushIsOnTheCommitsTopicAsABinaryCloudEvent() {
        String repository = "https://github.com/acme/" + UUID.randomUUID();
        String after = UUID.randomUUID().toString().replace("-", "") + "01234567";
        String body = Signing.push(repository + ".git", after);

        given().header("X-Hub-Signature-256", Signing.sign(body))
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", "kafka-it-1")
                .contentType("application/json")
                .body(body)
                .post("/hooks/github")
                .then()
                .statusCode(202);

        EventProbe.Received record = find(repository);
        assertThat(record.key()).isEqualTo(repository);
        assertThat(record.headers())
                .containsEntry("ce_specversion", "1.0")
                .containsEntry("ce_type", "dev.driftless.commit.pushed.v1")
                .containsEntry("ce_source", "urn:driftless:webhook-service")
                .containsEntry("ce_subject", repository)
                .containsEntry("ce_repository", repository)
                .containsEntry("ce_commit", after)
                .containsEntry("ce_deliveryid", "kafka-it-1")
                .containsEntry("content-type", "application/json")
                .containsKey("ce_id")
                .containsKey("ce_time");
        CommitPushed push = EventCodec.decode(CommitPushed.class, record.value());
        assertThat(push.after()).isEqualTo(after);
        // signed with webhook-service's key: render-service renders for no other push
        Map<String, Object> extensions = new java.util.HashMap<>();
        record.headers().forEach((name, value) -> extensions.put(name.replaceFirst("^ce_", ""), value));
        assertThat(verifier()
                        .problem(
                                record.headers().get("ce_id"),
                                record.headers().get("ce_type"),
                                record.value(),
                                extensions))
                .isEmpty();
    }

    static dev.driftless.events.EventSignatures.Verifier verifier() {
        try {
            return dev.driftless.events.EventSignatures.Verifier.read(
                    java.nio.file.Path.of("src/test/resources/signing/webhook-signing.pub"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aPushOfSixtyThousandPathsIsPublishedWithoutThemAndSaysEverythingChanged() {
        String repository = "https://github.com/acme/" + UUID.randomUUID();
        String after = UUID.randomUUID().toString().replace("-", "") + "01234567";
        String paths = java.util.stream.IntStream.range(0, 60_000)
                .mapToObj(i -> "\"apps/service-" + i + "/deployment.yaml\"")
                .collect(java.util.stream.Collectors.joining(","));
        String body = Signing.push(repository + ".git", after)
                .replace("\"added\":[\"apps/demo/new.yaml\"]", "\"added\":[" + paths + "]");
        assertThat(body.length())
                .as("over the producer's 1 MiB, under the 5 MiB body limit")
                .isGreaterThan(2_000_000);

        given().header("X-Hub-Signature-256", Signing.sign(body))
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", "kafka-it-many-paths")
                .contentType("application/json")
                .body(body)
                .post("/hooks/github")
                .then()
                .statusCode(202);

        CommitPushed push =
                EventCodec.decode(CommitPushed.class, find(repository).value());
        assertThat(push.after()).isEqualTo(after);
        assertThat(push.changedPaths()).isEmpty();
        assertThat(push.changedPathsTruncated()).isTrue();
    }

    @jakarta.inject.Inject
    FirstPushPreparation preparation;

    @Test
    void thePushPreparedAtStartIsNeverPublished() {
        assertThat(preparation.prepared()).as("sample events built at start").isEqualTo(1);

        // a push made after the start is on the topic, so whatever the start had sent would be too
        String repository = "https://github.com/acme/" + UUID.randomUUID();
        String body =
                Signing.push(repository + ".git", UUID.randomUUID().toString().replace("-", "") + "01234567");
        given().header("X-Hub-Signature-256", Signing.sign(body))
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", "after-start")
                .contentType("application/json")
                .body(body)
                .post("/hooks/github")
                .then()
                .statusCode(202);
        find(repository);

        try (EventProbe probe = new EventProbe(bootstrap)) {
            assertThat(probe.readToEnd(
                            Topics.COMMITS, r -> String.valueOf(r.key()).contains("git.invalid")))
                    .as("events of the sample push prepared at start")
                    .isEmpty();
        }
    }

    EventProbe.Received find(String key) {
        try (EventProbe probe = new EventProbe(bootstrap)) {
            List<EventProbe.Received> matching =
                    probe.read(Topics.COMMITS, r -> key.equals(r.key()), 1, Duration.ofSeconds(30));
            assertThat(matching)
                    .as("the event for %s on %s", key, Topics.COMMITS)
                    .hasSize(1);
            return matching.get(0);
        }
    }
}
