package dev.driftless.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.events.DriftDetected.Difference;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriftTest {

    static Map<String, Object> object(String kind, Map<String, Object> data, String resourceVersion) {
        return Map.of(
                "apiVersion",
                "v1",
                "kind",
                kind,
                "metadata",
                Map.of("name", "x", "resourceVersion", resourceVersion),
                "data",
                data,
                "status",
                Map.of("anything", resourceVersion));
    }

    @Test
    void theFieldsThatDifferAreNamedAndServerBookkeepingIsNot() {
        assertThat(Drift.between(
                        "ConfigMap/n/x",
                        object("ConfigMap", Map.of("a", "edited", "b", "same"), "7"),
                        object("ConfigMap", Map.of("a", "git", "b", "same"), "8")))
                .containsExactly(new Difference("ConfigMap/n/x", "/data/a", "edited", "git"));
        assertThat(Drift.between(
                        "ConfigMap/n/x",
                        object("ConfigMap", Map.of("replicas", 1), "7"),
                        object("ConfigMap", Map.of("replicas", 1.0), "8")))
                .as("1 and 1.0 are one number")
                .isEmpty();
    }

    @Test
    void aSecretsValuesNeverAppearOnlyWhichKeysDiffer() {
        assertThat(Drift.between(
                        "Secret/n/x",
                        object("Secret", Map.of("password", "bGl2ZQ=="), "7"),
                        object("Secret", Map.of("password", "Z2l0"), "8")))
                .containsExactly(new Difference("Secret/n/x", "/data/password", "(redacted)", "(redacted)"));
    }

    static Map<String, Object> versioned(String uid, String resourceVersion) {
        return Map.of(
                "kind", "ConfigMap", "metadata", Map.of("name", "one", "uid", uid, "resourceVersion", resourceVersion));
    }

    @Test
    void anObjectsVersionChangesWithEveryChangeAndWithTheObjectItself() {
        long seen = Drift.versionOf(versioned("6f1c", "1042"));

        assertThat(Drift.versionOf(versioned("6f1c", "1042"))).isEqualTo(seen).isNotZero();
        assertThat(Drift.versionOf(versioned("6f1c", "1043"))).as("changed").isNotEqualTo(seen);
        assertThat(Drift.versionOf(versioned("9a2e", "1042")))
                .as("deleted and made again")
                .isNotEqualTo(seen);
        assertThat(Drift.versionOf(Map.of("kind", "ConfigMap", "metadata", Map.of("name", "one"))))
                .as("no version to tell")
                .isZero();
    }
}
