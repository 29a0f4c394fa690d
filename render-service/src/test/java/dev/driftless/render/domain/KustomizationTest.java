package dev.driftless.render.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class KustomizationTest {

    static List<Kustomization.Reference> references(String directory, String yaml) throws RenderFailure {
        return Kustomization.references(directory, yaml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyFieldThatReadsAPathIsResolvedFromTheRepositoryRoot() throws Exception {
        var refs = references(
                "apps/web/overlays/prod",
                """
                resources: [../../base, service.yaml]
                bases: [../../../shared]
                components: [../../../../components/tls]
                patches:
                - path: patch.yaml
                - patch: |-
                    - op: replace
                      path: /spec/replicas
                      value: 3
                patchesStrategicMerge: [../../patches/sm.yaml]
                patchesJson6902: [{path: j.yaml, target: {kind: Deployment, name: web}}]
                configMapGenerator:
                - name: cfg
                  files: [app.properties, key=../../config/other.txt]
                  envs: [env.txt]
                secretGenerator: [{name: s, env: secret.env}]
                replacements: [{path: repl.yaml}]
                openapi: {path: schema.json}
                """);
        assertThat(refs)
                .extracting(Kustomization.Reference::path)
                .containsExactlyInAnyOrder(
                        "apps/web/base",
                        "apps/web/overlays/prod/service.yaml",
                        "apps/shared",
                        "components/tls",
                        "apps/web/overlays/prod/patch.yaml",
                        "apps/web/patches/sm.yaml",
                        "apps/web/overlays/prod/j.yaml",
                        "apps/web/overlays/prod/repl.yaml",
                        "apps/web/overlays/prod/schema.json",
                        "apps/web/overlays/prod/app.properties",
                        "apps/web/config/other.txt",
                        "apps/web/overlays/prod/env.txt",
                        "apps/web/overlays/prod/secret.env");
        assertThat(refs).noneMatch(Kustomization.Reference::maybeRemote);
    }

    @Test
    void aPathAboveTheRootOrAbsoluteEscapesTheRepository() {
        assertThatThrownBy(() -> references("apps/web", "resources: [../../../etc]\n"))
                .isInstanceOfSatisfying(
                        RenderFailure.class, f -> assertThat(f.reason()).isEqualTo(Reason.PathEscapesRepository))
                .hasMessageContaining("apps/web/kustomization.yaml: resources:");
        assertThatThrownBy(() -> references("apps/web", "patches: [{path: /etc/shadow}]\n"))
                .isInstanceOfSatisfying(
                        RenderFailure.class, f -> assertThat(f.reason()).isEqualTo(Reason.PathEscapesRepository));
    }

    @Test
    void remoteBasesAreReportedAsSuch() throws Exception {
        var refs = references(
                "app",
                """
                resources:
                - https://github.com/acme/base//deploy?ref=v1
                - github.com/acme/other//deploy?ref=v2
                - git@github.com:acme/private.git
                """);
        assertThat(refs).allMatch(Kustomization.Reference::maybeRemote);
        assertThat(refs.get(0).path()).isNull();
        assertThat(refs.get(1).path())
                .as("a local directory of that name would win")
                .isEqualTo("app/github.com/acme/other/deploy?ref=v2");
    }

    @Test
    void fieldsAreReadIgnoringCaseAsKustomizeReadsThemAndTheGithubShorthandIsRemote() throws Exception {
        var refs = references(
                "apps/web",
                """
                Resources: [https://evil.example/x.yaml, gh:acme/x, local.yaml]
                PATCHES: [{Path: patch.yaml}]
                """);
        assertThat(refs)
                .filteredOn(Kustomization.Reference::maybeRemote)
                .extracting(Kustomization.Reference::value)
                .containsExactlyInAnyOrder("https://evil.example/x.yaml", "gh:acme/x");
        assertThat(refs)
                .extracting(Kustomization.Reference::path)
                .contains("apps/web/local.yaml", "apps/web/patch.yaml");

        assertThatThrownBy(() -> references("apps/web", "resources: [a.yaml]\nResources: [https://evil.example/x]\n"))
                .isInstanceOfSatisfying(
                        RenderFailure.class, f -> assertThat(f.reason()).isEqualTo(Reason.ManifestInvalid));
    }
}
