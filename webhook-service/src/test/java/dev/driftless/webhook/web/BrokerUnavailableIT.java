package dev.driftless.webhook.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.driftless.webhook.Signing;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With no broker listening, a push is answered 503 with Retry-After so the provider retries: nothing is lost. */
@QuarkusTest
@TestProfile(BrokerUnavailableIT.NoBroker.class)
class BrokerUnavailableIT {

    public static class NoBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "kafka.bootstrap.servers", "127.0.0.1:1",
                    "driftless.webhook.publish-timeout", "3s",
                    "mp.messaging.outgoing.commits.max.block.ms", "2000");
        }
    }

    @Test
    void aPushIs503WithRetryAfterWhenTheBrokerCannotTakeIt() {
        String body = Signing.push("https://github.com/acme/deploy", "c".repeat(40));

        given().header("X-Hub-Signature-256", Signing.sign(body))
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", "down-1")
                .contentType("application/json")
                .body(body)
                .post("/hooks/github")
                .then()
                .statusCode(503)
                .header("Retry-After", notNullValue())
                .contentType("application/json")
                .body("reason", equalTo("BrokerUnavailable"));
    }
}
