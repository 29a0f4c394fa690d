package dev.driftless.webhook.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.driftless.events.CommitPushed;
import dev.driftless.events.EventCodec;
import dev.driftless.webhook.InMemoryCommits;
import dev.driftless.webhook.ProviderSample;
import dev.driftless.webhook.ProviderSample.Push;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Repository secrets from a mounted file: used as they are, rotated without a restart, unsigned where it says. */
@QuarkusTest
@TestProfile(SecretsFileTest.WithSecretsFile.class)
class SecretsFileTest {

    static final String REPOSITORY = "https://github.com/acme/rotating";
    static final String LEGACY = "https://github.com/acme/legacy";
    static final Path FILE = secretsFile();

    /** The service reading {@link #FILE}, checked every 100 ms. */
    public static class WithSecretsFile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(InMemoryCommits.inMemory());
            config.put("driftless.webhook.secrets-file", FILE.toString());
            config.put("driftless.webhook.secrets-file-check", "100ms");
            return config;
        }
    }

    @Inject
    @Any
    InMemoryConnector connector;

    @Inject
    io.micrometer.core.instrument.MeterRegistry metrics;

    static Path secretsFile() {
        try {
            Path file = Files.createTempFile("webhook-secrets", ".yaml");
            write(file, "first");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, String secret) {
        try {
            Files.writeString(
                    file,
                    """
                    # as mounted from a Kubernetes Secret
                    repository-secrets:
                      rotating:
                        repositories: [%s]
                        provider: github
                        secret: %s
                      legacy:
                        repositories: [%s]
                        unsigned: true
                    """
                            .formatted(REPOSITORY, secret, LEGACY));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int send(String repository, String secret, boolean signed) {
        Push push = new Push(
                repository,
                "refs/heads/main",
                "a".repeat(40),
                sha(),
                UUID.randomUUID().toString());
        ProviderSample.Request request = signed
                ? ProviderSample.GITHUB.push(push, secret)
                : new ProviderSample.Request(ProviderSample.GITHUB.body(push), ProviderSample.GITHUB.events(push));
        return given().headers(request.headers())
                .contentType("application/json")
                .body(request.body())
                .post("/hooks/github")
                .then()
                .extract()
                .statusCode();
    }

    static String sha() {
        return UUID.randomUUID().toString().replace("-", "") + "01234567";
    }

    @Test
    void aRotatedSecretTakesEffectWithoutARestartAndABrokenFileKeepsTheLastGoodOne() {
        assertThat(send(REPOSITORY, "first", true)).isEqualTo(202);
        assertThat(send(REPOSITORY, "test-secret", true))
                .as("the default secret does not do for a repository with its own")
                .isEqualTo(401);

        write(FILE, "second");
        await().atMost(Duration.ofSeconds(10)).until(() -> send(REPOSITORY, "second", true) == 202);
        assertThat(send(REPOSITORY, "first", true)).isEqualTo(401);

        try {
            Files.writeString(FILE, "repository-secrets: [not: {a map");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> metrics.counter("driftless.webhook.secrets.reloads", "outcome", "failed")
                                .count()
                        >= 1);
        assertThat(send(REPOSITORY, "second", true)).isEqualTo(202);
        write(FILE, "second");
    }

    @Test
    void anUnsignedRepositorysPushIsPublishedAsUnverifiedAndOthersStillNeedASignature() {
        var commits = connector.<String>sink("commits");
        commits.clear();

        assertThat(send(LEGACY, null, false)).isEqualTo(202);
        assertThat(send(REPOSITORY, null, false)).isEqualTo(401);
        given().header("X-GitHub-Event", "ping")
                .contentType("application/json")
                .body("{}")
                .post("/hooks/github")
                .then()
                .statusCode(401);

        assertThat(commits.received()).singleElement().satisfies(m -> {
            CommitPushed push = EventCodec.decode(CommitPushed.class, m.getPayload());
            assertThat(push.repository()).isEqualTo(LEGACY);
            assertThat(push.verified()).isFalse();
        });
    }
}
