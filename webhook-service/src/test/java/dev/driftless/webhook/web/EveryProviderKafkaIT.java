package dev.driftless.webhook.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.events.CommitPushed;
import dev.driftless.events.EventCodec;
import dev.driftless.events.Topics;
import dev.driftless.webhook.ProviderSample;
import dev.driftless.webhook.ProviderSample.Push;
import dev.driftless.webhook.ProviderSample.Request;
import dev.driftless.webhook.Signing;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every provider's hook against a real embedded KRaft broker, with payloads in each provider's documented shape:
 * what is accepted is on the commits topic exactly once, what is refused is not there at all.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class EveryProviderKafkaIT {

    static String sha() {
        return UUID.randomUUID().toString().replace("-", "") + "01234567";
    }

    static String repository(ProviderSample sample) {
        return "https://github.com/acme/" + sample.provider + "-" + UUID.randomUUID();
    }

    static ValidatableResponse send(ProviderSample sample, Request request) {
        return given().headers(request.headers())
                .contentType("application/json")
                .body(request.body())
                .post("/hooks/" + sample.provider)
                .then();
    }

    static List<CommitPushed> published(String repository) {
        String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        try (EventProbe probe = new EventProbe(bootstrap)) {
            return probe.readToEnd(Topics.COMMITS, r -> repository.equals(r.key())).stream()
                    .map(r -> EventCodec.decode(CommitPushed.class, r.value()))
                    .toList();
        }
    }

    @ParameterizedTest
    @EnumSource(ProviderSample.class)
    void aBranchPushIsPublishedOnceAndItsRedeliveryIsADuplicate(ProviderSample sample) {
        String repository = repository(sample);
        String after = sha();
        Request push = sample.push(
                new Push(repository, "refs/heads/main", sha(), after, "d-" + UUID.randomUUID()), Signing.SECRET);

        send(sample, push).statusCode(202).body("status", equalTo("accepted")).body("commit", equalTo(after));
        send(sample, push).statusCode(200).body("status", equalTo("duplicate"));

        assertThat(published(repository)).singleElement().satisfies(event -> {
            assertThat(event.provider()).isEqualTo(sample.provider);
            assertThat(event.ref()).isEqualTo("refs/heads/main");
            assertThat(event.after()).isEqualTo(after);
            assertThat(event.verified()).isTrue();
        });
    }

    @ParameterizedTest
    @EnumSource(ProviderSample.class)
    void aNewTagAndADeletedBranchArePublishedAsTheyAre(ProviderSample sample) {
        String repository = repository(sample);
        String tagged = sha();
        String deleted = sha();

        send(
                        sample,
                        sample.push(
                                new Push(repository, "refs/tags/v1.2.0", ProviderSample.ZERO, tagged, "t-1"),
                                Signing.SECRET))
                .statusCode(202);
        send(
                        sample,
                        sample.push(
                                new Push(repository, "refs/heads/old", deleted, ProviderSample.ZERO, "t-2"),
                                Signing.SECRET))
                .statusCode(202);

        List<CommitPushed> events = published(repository);
        assertThat(events).extracting(CommitPushed::ref).containsExactly("refs/tags/v1.2.0", "refs/heads/old");
        assertThat(events.get(0).before()).isEqualTo(CommitPushed.ZERO_SHA);
        assertThat(events.get(0).after()).isEqualTo(tagged);
        assertThat(events.get(1).deletesRef()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(ProviderSample.class)
    void aWrongOrMissingSignatureAndAMalformedBodyAreRefusedAndNothingIsPublished(ProviderSample sample) {
        String repository = repository(sample);
        Push push = new Push(repository, "refs/heads/main", sha(), sha(), "r-" + UUID.randomUUID());
        String notAPush = "{\"ref\":\"refs/heads/main\",\"repository\":{}}";

        send(sample, sample.push(push, "guessed")).statusCode(401).body("reason", equalTo("SignatureInvalid"));
        send(sample, new Request(sample.body(push), sample.events(push)))
                .statusCode(401)
                .body("reason", equalTo("SignatureInvalid"));
        send(sample, sample.request(notAPush, sample.events(push), Signing.SECRET))
                .statusCode(400)
                .body("reason", equalTo("PayloadMalformed"));

        assertThat(published(repository)).isEmpty();
    }

    @io.quarkus.test.common.http.TestHTTPResource("/hooks")
    java.net.URL hooks;

    @ParameterizedTest
    @EnumSource(ProviderSample.class)
    void anOversizedBodyIs413AndAPingIsAnsweredWithoutAnEvent(ProviderSample sample) throws Exception {
        String repository = repository(sample);
        String huge = sample.body(new Push(repository, "refs/heads/main", sha(), sha(), "o-1"))
                + " ".repeat(5 * 1024 * 1024 + 1);
        // Expect: 100-continue, as providers' HTTP clients may send it: refused before the body is sent
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(hooks + "/" + sample.provider))
                .expectContinue(true)
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(huge));
        sample.request(huge, java.util.Map.of(), Signing.SECRET).headers().forEach((k, v) -> {
            request.header(k, v);
        });
        var answer = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build()
                .send(request.build(), java.net.http.HttpResponse.BodyHandlers.discarding());

        assertThat(answer.statusCode()).isEqualTo(413);
        sample.ping(Signing.SECRET)
                .ifPresent(ping -> send(sample, ping).statusCode(200).body("status", equalTo("pong")));

        assertThat(published(repository)).isEmpty();
    }
}
