package dev.driftless.render.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BundleTest {

    @Test
    void theDigestIgnoresKeyOrderButNotContent() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("kind", "ConfigMap");
        a.put("apiVersion", "v1");
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("apiVersion", "v1");
        b.put("kind", "ConfigMap");

        assertThat(Bundle.of(List.of(a)).digest())
                .isEqualTo(Bundle.of(List.of(b)).digest());
        assertThat(Bundle.of(List.of(Map.of("kind", "Secret"))).digest())
                .isNotEqualTo(Bundle.of(List.of(a)).digest());
        assertThat(Bundle.of(List.of(a)).digest()).matches("sha256:[0-9a-f]{64}");
    }

    @Test
    void pathsAreNormalisedAndNeverLeaveTheRepository() throws Exception {
        assertThat(RepositoryPaths.normalise("./apps//web/")).isEqualTo("apps/web");
        assertThat(RepositoryPaths.normalise(".")).isEmpty();
        for (String bad : List.of("../x", "apps/../../x", "/etc", "a\\b")) {
            assertThatThrownBy(() -> RepositoryPaths.normalise(bad))
                    .isInstanceOfSatisfying(
                            RenderFailure.class, f -> assertThat(f.reason()).isEqualTo(Reason.PathEscapesRepository));
        }
    }
}
