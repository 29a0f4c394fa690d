package dev.driftless.devstack.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.driftless.devstack.local.StackOptions.Cluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which cluster {@code ./driftless up} deploys to, from DRIFTLESS_CLUSTER and DRIFTLESS_KUBECONFIG. */
class ClusterChoiceTest {

    @TempDir
    Path dir;

    @Test
    void withoutAChoiceTheRealControlPlaneWhereItCanBeBuiltElseTheSandbox() {
        Path state = dir.resolve(".driftless");
        assertThat(Cluster.fromEnvironment(Map.of(), state, () -> true)).isEqualTo(Cluster.real());
        assertThat(Cluster.fromEnvironment(Map.of(), state, () -> false)).isEqualTo(Cluster.sandbox());
        assertThat(Cluster.fromEnvironment(Map.of("DRIFTLESS_CLUSTER", "Sandbox"), state, () -> true))
                .isEqualTo(Cluster.sandbox());
        assertThat(Cluster.fromEnvironment(Map.of("DRIFTLESS_CLUSTER", "real"), state, () -> false))
                .as("asked for explicitly: built, or a clear failure later")
                .isEqualTo(Cluster.real());
    }

    @Test
    void aKubeconfigAloneIsTheUsersClusterUnlessItIsTheOneAnEarlierRunWrote() throws Exception {
        Path state = dir.resolve(".driftless");
        Path own = Files.writeString(dir.resolve("kind.kubeconfig"), "apiVersion: v1\nkind: Config\n");
        assertThat(Cluster.fromEnvironment(Map.of("DRIFTLESS_KUBECONFIG", own.toString()), state, () -> true))
                .isEqualTo(Cluster.kubeconfig(own));
        Path written = Files.createDirectories(state).resolve("kubeconfig");
        Files.writeString(written, "apiVersion: v1\nkind: Config\n");
        assertThat(Cluster.fromEnvironment(Map.of("DRIFTLESS_KUBECONFIG", written.toString()), state, () -> true))
                .as("sourced from .driftless/env, not a choice")
                .isEqualTo(Cluster.real());
    }

    @Test
    void aBadChoiceIsRefusedWithTheReason() {
        Path state = dir.resolve(".driftless");
        assertThatThrownBy(() -> Cluster.fromEnvironment(Map.of("DRIFTLESS_CLUSTER", "k3s"), state, () -> true))
                .hasMessageContaining("real, sandbox or kubeconfig");
        assertThatThrownBy(() -> Cluster.fromEnvironment(
                        Map.of("DRIFTLESS_CLUSTER", "kubeconfig", "DRIFTLESS_KUBECONFIG", "/nonexistent"),
                        state,
                        () -> true))
                .hasMessageContaining("/nonexistent is not");
    }
}
