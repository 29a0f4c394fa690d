package dev.driftless.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.events.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The canary: a Secret with a unique value, and one committed encrypted with SOPS for sync-service's age key, are
 * pushed to the demo repository and reach the cluster through the whole pipeline, then one is changed behind
 * Driftless's back and healed; meanwhile their values, in clear or in base64, are in no record of any topic, no row
 * of any table of the change log's schema, no service's log and no answer of any service's API.
 */
@Order(4)
@ExtendWith(SharedStack.Extension.class)
class SecretsNeverInClearIT {

    static final Duration GENEROUS = Duration.ofSeconds(90);

    /** The password in {@code sops/secret.sops.yaml}, encrypted there with sops for the stack's test age key. */
    static final String SOPS_VALUE = "canary-sops-4f1e";

    static SharedStack stack;

    @BeforeAll
    static void useTheSharedStack(SharedStack shared) {
        stack = shared;
    }

    static String password() {
        var secret = stack.cluster
                .secrets()
                .inNamespace("demo")
                .withName("demo-credentials")
                .get();
        return secret == null || secret.getData() == null || secret.getData().get("password") == null
                ? null
                : new String(Base64.getDecoder().decode(secret.getData().get("password")), StandardCharsets.UTF_8);
    }

    @Test
    void aSecretReachesTheClusterAndIsHealedWhileItsValueIsNowhereElse() throws Exception {
        String canary = "canary-" + UUID.randomUUID();
        String token = "token-" + UUID.randomUUID();
        RevCommit pushed;
        try (Git git = stack.cloneDemo("secret")) {
            Path file = git.getRepository().getWorkTree().toPath().resolve("apps/demo/secret.yaml");
            Files.writeString(
                    file,
                    """
                    apiVersion: v1
                    kind: Secret
                    metadata: { name: demo-credentials }
                    type: Opaque
                    stringData:
                      password: "%s"
                    data:
                      token: %s
                    """
                            .formatted(
                                    canary,
                                    Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8))));
            try (var sops = SecretsNeverInClearIT.class.getResourceAsStream("/sops/secret.sops.yaml")) {
                Files.copy(sops, file.resolveSibling("db-credentials.sops.yaml"));
            }
            pushed = SharedStack.commitAndPush(git, "add the demo's credentials", "Alice");
        }
        await().atMost(GENEROUS).alias("the Secret is in the cluster").until(() -> canary.equals(password()));
        await().atMost(GENEROUS)
                .alias("the SOPS-encrypted Secret is in the cluster, decrypted")
                .until(() -> {
                    var sops = stack.cluster
                            .secrets()
                            .inNamespace("demo")
                            .withName("db-credentials")
                            .get();
                    return sops != null
                            && SOPS_VALUE.equals(new String(
                                    Base64.getDecoder().decode(sops.getData().get("password")),
                                    StandardCharsets.UTF_8));
                });

        // changed behind Driftless's back (the demo self-heals): put back, with a drift event that names the key
        var edited = stack.cluster
                .secrets()
                .inNamespace("demo")
                .withName("demo-credentials")
                .get();
        edited.getData().put("password", Base64.getEncoder().encodeToString("edited".getBytes(StandardCharsets.UTF_8)));
        edited.getMetadata().setManagedFields(null);
        stack.cluster.secrets().inNamespace("demo").resource(edited).update();
        await().atMost(GENEROUS).alias("the Secret is healed").until(() -> canary.equals(password()));
        String audit = stack.env("DRIFTLESS_AUDIT_URL");
        await().atMost(GENEROUS)
                .alias("the drift and the sync are in the change log")
                .until(() -> {
                    var changes =
                            stack.get(audit + "/api/changes?application=demo&type=dev.driftless.drift.detected.v1");
                    return changes != null && changes.toString().contains("demo-credentials");
                });

        Map<String, String> seen = new LinkedHashMap<>();
        try (EventProbe probe = new EventProbe(stack.env("DRIFTLESS_KAFKA_BOOTSTRAP"))) {
            for (String topic : Topics.ALL) {
                List<EventProbe.Received> records = probe.readToEnd(topic, r -> true);
                for (int i = 0; i < records.size(); i++) {
                    seen.put(
                            "record " + i + " of " + topic,
                            records.get(i).value() + records.get(i).headers());
                }
            }
        }
        assertThat(seen.values()).as("the render of the Secret was published").anySatisfy(value -> assertThat(value)
                .contains("demo-credentials", "driftless.dev/sealed"));
        try (Connection db = DriverManager.getConnection(SharedStack.DB_URL, "postgres", "");
                Statement statement = db.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery("SELECT table_name FROM information_schema.tables"
                    + " WHERE table_schema = '" + stack.schema + "'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertThat(tables).contains("change_log");
            for (String table : tables) {
                try (ResultSet rs =
                        statement.executeQuery("SELECT t::text FROM \"" + stack.schema + "\".\"" + table + "\" t")) {
                    int row = 0;
                    while (rs.next()) {
                        seen.put("row " + row++ + " of " + table, rs.getString(1));
                    }
                }
            }
        }
        try (Stream<Path> logs = Files.list(stack.state.resolve("logs"))) {
            for (Path log : logs.toList()) {
                seen.put("log " + log.getFileName(), Files.readString(log));
            }
        }
        String sync = stack.env("DRIFTLESS_SYNC_URL");
        String render = stack.env("DRIFTLESS_RENDER_URL");
        for (String url : List.of(
                audit + "/api/changes?application=demo&limit=500",
                audit + "/api/applications/demo",
                audit + "/api/commits/" + pushed.getName(),
                render + "/api/applications",
                render + "/api/applications/demo",
                sync + "/api/applications/demo/status",
                sync + "/api/applications/demo/diff")) {
            for (String apiToken : List.of("DRIFTLESS_API_TOKEN", "DRIFTLESS_API_READ_TOKEN")) {
                var answer = stack.get(url, stack.env(apiToken));
                assertThat(answer).as("%s with %s", url, apiToken).isNotNull();
                seen.put("answer of " + url + " with " + apiToken, answer.toString());
            }
        }
        assertThat(seen.keySet())
                .anyMatch(where -> where.startsWith("row "))
                .anyMatch(where -> where.startsWith("log "));

        for (String value : List.of(canary, token, SOPS_VALUE)) {
            String base64 = Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
            seen.forEach((where, text) -> assertThat(text)
                    .as("%s holds the Secret's value", where)
                    .doesNotContain(value)
                    .doesNotContain(base64));
        }
    }
}
