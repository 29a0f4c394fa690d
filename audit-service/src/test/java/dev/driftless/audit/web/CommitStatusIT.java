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
 * A sync of a watched repository is reported to the provider as a commit status, exactly as GitHub's statuses API
 * documents, and retried when the provider answers 502 (a local HTTP server stands in for GitHub).
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = AuditDatabase.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = ProviderApiStandIn.class, restrictToAnnotatedClass = true)
class CommitStatusIT {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void aSuccessfulSyncIsReportedAsASuccessStatusAfterARetry() throws Exception {
        String app = "shop-" + UUID.randomUUID().toString().substring(0, 8);
        String commit = UUID.randomUUID().toString().replace("-", "") + "01234567";
        try (EventProbe probe = new EventProbe(bootstrap)) {
            probe.send(
                    new Envelope(
                            EventType.SYNC_SUCCEEDED,
                            "s-" + commit,
                            app,
                            Instant.now(),
                            Map.of(
                                    "commit",
                                    commit,
                                    "application",
                                    app,
                                    "repository",
                                    "https://github.com/acme/deploy")),
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
            probe.send(
                    new Envelope(
                            EventType.SYNC_SUCCEEDED,
                            "s2-" + commit,
                            app,
                            Instant.now(),
                            Map.of(
                                    "commit",
                                    commit,
                                    "application",
                                    app,
                                    "repository",
                                    "https://gitlab.com/else/where")),
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

        await().atMost(Duration.ofSeconds(20)).until(() -> ProviderApiStandIn.RECEIVED.size() >= 2);
        var first = ProviderApiStandIn.RECEIVED.get(0);
        var retried = ProviderApiStandIn.RECEIVED.get(1);
        assertThat(retried).isEqualTo(first);
        assertThat(retried.method()).isEqualTo("POST");
        assertThat(retried.path()).isEqualTo("/repos/acme/deploy/statuses/" + commit);
        assertThat(retried.headers().get("Authorization")).containsExactly("Bearer ghp-test-token");
        assertThat(retried.headers().get("Accept")).containsExactly("application/vnd.github+json");
        JsonNode body = new ObjectMapper().readTree(retried.body());
        assertThat(body.get("state").asText()).isEqualTo("success");
        assertThat(body.get("context").asText()).isEqualTo("driftless/" + app);
        assertThat(body.get("target_url").asText()).endsWith("/api/commits/" + commit);
        assertThat(ProviderApiStandIn.RECEIVED)
                .as("the repository nobody configured gets no status")
                .allSatisfy(r -> assertThat(r.path()).startsWith("/repos/acme/deploy/"));
    }
}
