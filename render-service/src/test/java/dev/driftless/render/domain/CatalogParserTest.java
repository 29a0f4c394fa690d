package dev.driftless.render.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CatalogParserTest {

    static String app(String name, String extra) {
        return """
                apiVersion: driftless.dev/v1alpha1
                kind: Application
                metadata: { name: %s }
                spec:
                  source: { repoURL: "https://Git.example.com/shop/deploy.git", path: apps/%s }
                  destination: { namespace: shop }
                %s
                """
                .formatted(name, name, extra);
    }

    @Test
    void aDeclarationBecomesAnApplicationWithDefaults() {
        var result = CatalogParser.parse(Map.of("shop.yaml", app("frontend", "  syncPolicy: { prune: true }")));

        assertThat(result.errors()).isEmpty();
        assertThat(result.applications()).singleElement().satisfies(a -> {
            assertThat(a.repository()).isEqualTo("https://git.example.com/shop/deploy");
            assertThat(a.targetRevision()).isEqualTo("main");
            assertThat(a.ref()).isEqualTo("refs/heads/main");
            assertThat(a.path()).isEqualTo("apps/frontend");
            assertThat(a.renderType()).isEqualTo("auto");
            assertThat(a.target().prune()).isTrue();
            assertThat(a.target().selfHeal()).isFalse();
            assertThat(a.target().cluster()).isEqualTo("default");
            assertThat(a.source()).isEqualTo("shop.yaml");
        });
    }

    @Test
    void anApplicationMaySetItsOwnReconcileIntervalAsFluxWritesIt() {
        var result = CatalogParser.parse(Map.of(
                "a.yaml", app("minutes", "  syncPolicy: { interval: 5m }"),
                "b.yaml", app("never", "  syncPolicy: { interval: 0 }"),
                "c.yaml", app("iso", "  syncPolicy: { interval: PT90S }"),
                "d.yaml", app("default", ""),
                "e.yaml", app("tooshort", "  syncPolicy: { interval: 2s }"),
                "f.yaml", app("nonsense", "  syncPolicy: { interval: soon }")));

        assertThat(result.applications())
                .extracting(Application::name, Application::reconcileInterval)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("minutes", java.time.Duration.ofMinutes(5)),
                        org.assertj.core.groups.Tuple.tuple("never", java.time.Duration.ZERO),
                        org.assertj.core.groups.Tuple.tuple("iso", java.time.Duration.ofSeconds(90)),
                        org.assertj.core.groups.Tuple.tuple("default", null));
        assertThat(result.errors())
                .anySatisfy(e -> assertThat(e).startsWith("e.yaml: spec.syncPolicy.interval: 2s is not a duration"))
                .anySatisfy(e -> assertThat(e).startsWith("f.yaml: spec.syncPolicy.interval: soon is not a duration"));
    }

    @Test
    void errorsNameTheFileAndTheFieldAndLeaveOnlyThatDeclarationOut() {
        var result = CatalogParser.parse(Map.of(
                "a.yaml", app("good", "") + "---\n" + app("typed", "  render: { type: jsonnet }"),
                "b.yaml", app("nopath", "").replace("path: apps/nopath ", ""),
                "c.yaml", app("escape", "").replace("apps/escape", "../../etc"),
                "d.yaml", app("good", ""),
                "e.yaml", "kind: [broken\n"));

        assertThat(result.applications()).extracting(Application::name).containsExactly("good");
        assertThat(result.errors())
                .anySatisfy(e ->
                        assertThat(e).startsWith("a.yaml (document 2): spec.render.type: unknown render type jsonnet"))
                .anySatisfy(e -> assertThat(e).startsWith("b.yaml: spec.source.path: is required"))
                .anySatisfy(e ->
                        assertThat(e).startsWith("c.yaml: spec.source.path:").contains("leaves the repository"))
                .anySatisfy(e -> assertThat(e)
                        .isEqualTo("d.yaml: metadata.name: application good is already declared in a.yaml"))
                .anySatisfy(e -> assertThat(e).startsWith("e.yaml: not valid YAML"));
    }

    @Test
    void aMissingNamespaceOrABadNameIsReported() {
        var result = CatalogParser.parse(Map.of(
                "x.yaml",
                app("Bad_Name", ""),
                "y.yaml",
                app("ok", "").replace("destination: { namespace: shop }", "")));

        assertThat(result.applications()).isEmpty();
        assertThat(result.errors())
                .anySatisfy(e -> assertThat(e).contains("metadata.name: Bad_Name is not a DNS label"))
                .anySatisfy(e -> assertThat(e).contains("spec.destination.namespace: is required"));
    }
}
