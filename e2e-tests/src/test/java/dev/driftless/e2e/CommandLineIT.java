package dev.driftless.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.driftless.cli.Driftless;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The command line against the shared stack, as a user runs it: the stack's address and token from the env file
 * {@code ./driftless up} writes, human tables and {@code -o json}, exit codes that mean something, and errors that say
 * what to do.
 */
@ExtendWith(SharedStack.Extension.class)
class CommandLineIT {

    static final Duration GENEROUS = Duration.ofSeconds(90);

    static SharedStack stack;

    /** What one run printed and its exit code. */
    record Run(int code, String out, String err) {
        JsonNode json() throws Exception {
            return SharedStack.JSON.readTree(out);
        }
    }

    @BeforeAll
    static void useTheSharedStack(SharedStack shared) {
        stack = shared;
        await().atMost(GENEROUS).until(() -> stack.demoConfig() != null);
    }

    /** Runs the command line with the stack's state directory as its only configuration (its env file). */
    static Run driftless(String... args) {
        return driftless(Map.of(), args);
    }

    static Run driftless(Map<String, String> extra, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Map<String, String> environment = new HashMap<>(extra);
        environment.put("DRIFTLESS_STATE_DIR", stack.state.toString());
        int code = Driftless.run(args, environment, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void appsAndAppShowTheDemoFromTheEnvFileAlone() throws Exception {
        await().atMost(GENEROUS).untilAsserted(() -> {
            Run apps = driftless("apps");
            assertThat(apps.code()).isZero();
            assertThat(apps.out())
                    .startsWith("NAME")
                    .containsPattern("demo\\s+default\\s+default/demo\\s+Succeeded\\s+Healthy");
        });
        Run json = driftless("apps", "-o", "json");
        assertThat(json.json().path("applications").path(0).path("name").asText())
                .isEqualTo("demo");
        Run app = driftless("app", "demo");
        assertThat(app.code()).isZero();
        assertThat(app.out())
                .contains("demo: Succeeded, Healthy")
                .contains("ConfigMap")
                .contains("demo-config");
    }

    @Test
    void aPushIsTracedAndAWaitedSyncEndsSucceededAndHealthy() throws Exception {
        String message = "Hello from the command line " + UUID.randomUUID();
        RevCommit pushed = stack.pushDemoMessage(message, "The command line's push", "Ada");
        await().atMost(GENEROUS).untilAsserted(() -> {
            Run trace = driftless("trace", pushed.name().substring(0, 10));
            assertThat(trace.code()).isZero();
            assertThat(trace.out())
                    .contains("pushed by Ada via github")
                    .containsPattern("demo\\s+Succeeded \\S+\\s+Succeeded \\S+\\s+Healthy");
        });
        Run diff = driftless("diff", "demo");
        assertThat(diff.code()).as(diff.out() + diff.err()).isZero();
        assertThat(diff.out()).contains("the cluster matches Git");

        Run sync = driftless("sync", "demo", "--wait", "--timeout", "90s");
        assertThat(sync.code()).as(sync.err()).isZero();
        assertThat(sync.out()).contains("demo is at " + pushed.name().substring(0, 8) + ": Succeeded, Healthy");
        assertThat(sync.err()).contains("sync accepted").contains("requested by local");

        Run app = driftless("app", "demo");
        assertThat(app.out()).contains("\"The command line's push\" by Ada");
        Run history = driftless("history", "demo", "--limit", "20");
        assertThat(history.out())
                .contains("command.resync")
                .contains("local")
                .as("the push of the commit, with its pusher")
                .containsPattern("commit.pushed\\s+" + pushed.name().substring(0, 8) + "\\s+Ada");
        Run verify = driftless("verify");
        assertThat(verify.code()).isZero();
        assertThat(verify.out()).startsWith("intact");
    }

    @Test
    void tailFollowsTheChangeLogLive() throws Exception {
        CompletableFuture<Run> tail =
                CompletableFuture.supplyAsync(() -> driftless("tail", "--app", "demo", "--count", "1"));
        await().atMost(GENEROUS).untilAsserted(() -> {
            // a resync until tail has seen an entry (the first may come before it follows)
            driftless("sync", "demo");
            assertThat(tail).isDone();
        });
        assertThat(tail.get().out()).contains("demo");
    }

    @Test
    void errorsSayWhatToDoAndExitCodesMeanSomething() {
        Run unknown = driftless("app", "no-such-app");
        assertThat(unknown.code()).isEqualTo(3);
        assertThat(unknown.err()).contains("ApplicationNotFound").contains("./driftless apps");

        Run readOnly = driftless(Map.of("DRIFTLESS_API_TOKEN", stack.env("DRIFTLESS_API_READ_TOKEN")), "sync", "demo");
        assertThat(readOnly.code()).isEqualTo(3);
        assertThat(readOnly.err()).contains("Forbidden").contains("write token");

        Run wrongToken = driftless("apps", "--token", "not-a-token");
        assertThat(wrongToken.code()).isEqualTo(3);
        assertThat(wrongToken.err()).contains("Unauthenticated");

        Run notASha = driftless("rollback", "demo", "main");
        assertThat(notASha.code()).isEqualTo(2);
        assertThat(notASha.err()).contains("not a commit SHA");

        Run neverRendered = driftless("rollback", "demo", "0123456789abcdef0123456789abcdef01234567");
        assertThat(neverRendered.code()).isEqualTo(2);
        assertThat(neverRendered.err()).contains("CommitNeverRendered");
    }
}
