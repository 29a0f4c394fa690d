package dev.driftless.audit.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.audit.AuditDatabase;
import dev.driftless.audit.ProviderApiStandIn;
import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventType;
import dev.driftless.events.SyncReport;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Outcomes are reported back to each provider as a commit status, exactly as its statuses API documents, and
 * retried when the provider answers 502 (a local HTTP server stands in for GitHub, GitLab and Gitea).
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = AuditDatabase.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = ProviderApiStandIn.class, restrictToAnnotatedClass = true)
class CommitStatusIT {

    static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    static List<ProviderApiStandIn.Received> to(String prefix) {
        return ProviderApiStandIn.RECEIVED.stream()
                .filter(r -> r.path().startsWith(prefix))
                .toList();
    }

    @Test
    void eachProviderGetsItsStatusRequestAfterARetryAndUnwatchedRepositoriesGetNone() throws Exception {
        String app = "shop-" + UUID.randomUUID().toString().substring(0, 8);
        String commit = UUID.randomUUID().toString().replace("-", "") + "01234567";
        try (EventProbe probe = new EventProbe(bootstrap)) {
            for (String repository : List.of(
                    "https://github.com/acme/deploy",
                    "https://gitlab.com/group/sub/deploy",
                    "https://codeberg.org/forge/deploy",
                    "https://example.org/nobody/watches")) {
                probe.send(
                        new Envelope(
                                EventType.SYNC_SUCCEEDED,
                                repository + commit,
                                app,
                                Instant.now(),
                                Map.of("commit", commit, "application", app, "repository", repository)),
                        new SyncReport(
                                app,
                                commit,
                                "sha256:" + "4".repeat(64),
                                "Succeeded",
                                null,
                                null,
                                List.of(),
                                "r",
                                Instant.now(),
                                Instant.now()),
                        app,
                        "urn:test");
            }
        }

        await().atMost(Duration.ofSeconds(30))
                .until(() -> to("/github").size() == 2
                        && to("/gitlab").size() == 2
                        && to("/gitea").size() == 2);

        var github = to("/github");
        assertThat(github.get(1)).as("retried as it was").isEqualTo(github.get(0));
        assertThat(github.get(1).method()).isEqualTo("POST");
        assertThat(github.get(1).path()).isEqualTo("/github/repos/acme/deploy/statuses/" + commit);
        assertThat(github.get(1).headers().get("Authorization")).containsExactly("Bearer ghp-test-token");
        assertThat(github.get(1).headers().get("Accept")).containsExactly("application/vnd.github+json");
        JsonNode body = JSON.readTree(github.get(1).body());
        assertThat(body.get("state").asText()).isEqualTo("success");
        assertThat(body.get("context").asText()).isEqualTo("driftless/" + app);
        assertThat(body.get("target_url").asText()).endsWith("/api/commits/" + commit);

        var gitlab = to("/gitlab").get(1);
        assertThat(gitlab.path()).isEqualTo("/gitlab/api/v4/projects/group%2Fsub%2Fdeploy/statuses/" + commit);
        assertThat(gitlab.headers().get("Private-token")).containsExactly("glpat-test-token");
        assertThat(JSON.readTree(gitlab.body()).get("name").asText()).isEqualTo("driftless/" + app);

        var gitea = to("/gitea").get(1);
        assertThat(gitea.path()).isEqualTo("/gitea/api/v1/repos/forge/deploy/statuses/" + commit);
        assertThat(gitea.headers().get("Authorization")).containsExactly("token gitea-test-token");
        assertThat(JSON.readTree(gitea.body()).get("state").asText()).isEqualTo("success");

        assertThat(ProviderApiStandIn.RECEIVED).hasSize(6);
    }
}
