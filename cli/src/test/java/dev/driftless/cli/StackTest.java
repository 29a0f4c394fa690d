package dev.driftless.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackTest {

    @TempDir
    Path home;

    @Test
    void flagsThenTheEnvironmentThenTheEnvFileOfTheCheckout() throws Exception {
        Files.createDirectories(home.resolve(".driftless"));
        Files.writeString(
                home.resolve(".driftless/env"),
                "# written by ./driftless up\nexport DRIFTLESS_AUDIT_URL='http://127.0.0.1:8084'\n"
                        + "export DRIFTLESS_API_TOKEN='from-file'\n");
        Path below = Files.createDirectories(home.resolve("apps/web"));
        Map<String, String> env = Map.of("DRIFTLESS_HOME", below.toString());
        assertThat(Stack.resolve(null, null, env).url()).hasToString("http://127.0.0.1:8084/");
        assertThat(Stack.envFile(env)).containsEntry("DRIFTLESS_API_TOKEN", "from-file");
        assertThat(Stack.resolve("http://remote:9000", null, env).url()).hasToString("http://remote:9000/");
        assertThat(Stack.resolve(
                                null,
                                null,
                                Map.of("DRIFTLESS_HOME", below.toString(), "DRIFTLESS_AUDIT_URL", "http://e:1"))
                        .url())
                .hasToString("http://e:1/");
    }

    @Test
    void withoutAStackOrATokenItSaysWhatToDo() {
        Map<String, String> nothing = Map.of("DRIFTLESS_HOME", home.toString());
        assertThatThrownBy(() -> Stack.resolve(null, "t", nothing))
                .isInstanceOf(Stack.Failure.class)
                .hasMessageContaining("./driftless up")
                .hasMessageContaining("--url");
        assertThatThrownBy(() -> Stack.resolve("http://127.0.0.1:8084", null, nothing))
                .isInstanceOf(Stack.Failure.class)
                .hasMessageContaining("no API token")
                .hasMessageContaining("--token");
    }

    @Test
    void anAddressThatIsNotHttpIsAUsageError() {
        assertThatThrownBy(() -> Stack.resolve("localhost:8084", "t", Map.of("DRIFTLESS_HOME", home.toString())))
                .isInstanceOf(Stack.Failure.class)
                .hasMessageContaining("http://127.0.0.1:8084");
    }

    @Test
    void aStackThatDoesNotAnswerIsExitCodeThreeWithAHint() {
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Driftless.run(
                new String[] {"apps", "--url", "http://127.0.0.1:1", "--token", "t"},
                Map.of("DRIFTLESS_HOME", home.toString()),
                new java.io.PrintWriter(new java.io.StringWriter()),
                new java.io.PrintWriter(err));
        assertThat(code).isEqualTo(Exit.UNREACHABLE);
        assertThat(err.toString()).contains("cannot reach Driftless").contains("./driftless up");
    }

    @Test
    void aBadOptionIsAUsageError() {
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Driftless.run(
                new String[] {"apps", "--nope"},
                Map.of(),
                new java.io.PrintWriter(new java.io.StringWriter()),
                new java.io.PrintWriter(err));
        assertThat(code).isEqualTo(Exit.USAGE);
        assertThat(err.toString()).contains("Unknown option");
    }
}
