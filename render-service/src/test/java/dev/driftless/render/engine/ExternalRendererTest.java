package dev.driftless.render.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.driftless.render.domain.Reason;
import dev.driftless.render.domain.RenderFailure;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExternalRendererTest {

    @TempDir
    Path dir;

    @Test
    void aRendererPastItsTimeIsKilledWithItsChildren() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> ExternalRenderer.run(
                        List.of("sh", "-c", "sleep 30 & sleep 30"), dir, Duration.ofMillis(300), 1000))
                .isInstanceOfSatisfying(
                        RenderFailure.class, f -> assertThat(f.reason()).isEqualTo(Reason.RenderTimedOut));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(ProcessHandle.current()
                        .descendants()
                        .filter(p -> p.info().commandLine().orElse("").contains("sleep 30"))
                        .filter(ProcessHandle::isAlive))
                .as("no sleep left running")
                .isEmpty();
    }

    @Test
    void aFailingRendererReportsItsOwnErrorAndTooMuchOutputIsRefused() {
        assertThatThrownBy(() -> ExternalRenderer.run(
                        List.of("sh", "-c", "echo 'no kustomization here' >&2; exit 1"),
                        dir,
                        Duration.ofSeconds(10),
                        1000))
                .isInstanceOfSatisfying(
                        RenderFailure.class, f -> assertThat(f.reason()).isEqualTo(Reason.RenderToolFailed))
                .hasMessageContaining("no kustomization here");
        assertThatThrownBy(() -> ExternalRenderer.run(
                        List.of("sh", "-c", "head -c 5000 /dev/zero"), dir, Duration.ofSeconds(10), 1000))
                .isInstanceOfSatisfying(
                        RenderFailure.class, f -> assertThat(f.reason()).isEqualTo(Reason.BundleTooLarge));
    }

    @Test
    void theRendererGetsNoneOfThisServicesEnvironment() throws Exception {
        byte[] out = ExternalRenderer.run(List.of("sh", "-c", "env"), dir, Duration.ofSeconds(10), 100_000);
        java.util.Set<String> names = new String(out, java.nio.charset.StandardCharsets.UTF_8)
                .lines()
                .filter(line -> line.contains("="))
                .map(line -> line.substring(0, line.indexOf('=')))
                .collect(java.util.stream.Collectors.toSet());
        // PATH, a HOME that does not exist and git switched to no configuration are given; PWD, SHLVL and _ are the
        // shell's own
        assertThat(names)
                .isSubsetOf(
                        "PATH",
                        "HOME",
                        "GIT_CONFIG_GLOBAL",
                        "GIT_CONFIG_NOSYSTEM",
                        "GIT_ALLOW_PROTOCOL",
                        "GIT_TERMINAL_PROMPT",
                        "PWD",
                        "SHLVL",
                        "_")
                .contains("PATH", "HOME", "GIT_CONFIG_GLOBAL", "GIT_ALLOW_PROTOCOL");
        assertThat(new String(out, java.nio.charset.StandardCharsets.UTF_8))
                .as("never the workspace, where a committed .gitconfig would be read")
                .contains("HOME=/nonexistent")
                .doesNotContain("HOME=" + dir);
        assertThat(System.getenv())
                .as("this JVM has variables the renderer must not see, so the check above can fail")
                .containsKey("PATH")
                .hasSizeGreaterThan(2);
    }
}
