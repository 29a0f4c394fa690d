package dev.driftless.render.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ManifestParserTest {

    static SortedMap<String, byte[]> files(String... pathsAndContents) {
        SortedMap<String, byte[]> files = new TreeMap<>();
        for (int i = 0; i < pathsAndContents.length; i += 2) {
            files.put(pathsAndContents[i], pathsAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return files;
    }

    @Test
    void readsEveryDocumentOfEveryManifestFileInPathOrderAndSkipsOtherFiles() throws Exception {
        var manifests = ManifestParser.parse(files(
                "b.yaml",
                        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: t}\n",
                "a.json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}",
                "c.yml", "# only a comment\n",
                "README.md", "kind: nonsense"));

        assertThat(manifests).extracting(m -> m.get("kind")).containsExactly("ConfigMap", "Service", "Secret");
    }

    @Test
    void invalidYamlNamesTheFileAndLine() {
        assertThatThrownBy(() -> ManifestParser.parse(files("apps/x.yaml", "a: b\nc: [unclosed\n")))
                .isInstanceOfSatisfying(
                        RenderFailure.class, f -> assertThat(f.reason()).isEqualTo(Reason.ManifestInvalid))
                .hasMessageContaining("apps/x.yaml (document 1): not valid YAML at line 3");
    }

    @Test
    void anObjectWithoutKindNamesTheFileAndDocument() {
        assertThatThrownBy(() -> ManifestParser.parse(files(
                        "x.yaml",
                        "apiVersion: v1\nkind: A\nmetadata: {name: a}\n---\napiVersion: v1\nmetadata: {name: b}\n")))
                .isInstanceOf(RenderFailure.class)
                .hasMessage("x.yaml (document 2): kind is missing");
    }

    @Test
    void aDocumentThatIsNotAnObjectOrHasNoNameIsInvalid() {
        assertThatThrownBy(() -> ManifestParser.parse(files("x.yaml", "- a\n- b\n")))
                .hasMessage("x.yaml (document 1): is not an object");
        assertThatThrownBy(() -> ManifestParser.parse(files("x.yaml", "apiVersion: v1\nkind: A\n")))
                .hasMessage("x.yaml (document 1): metadata.name is missing");
        assertThatThrownBy(() -> ManifestParser.parse(files("x.yaml", "kind: A\nmetadata: {name: a}\n")))
                .hasMessage("x.yaml (document 1): apiVersion is missing");
    }

    @Test
    void aSyncHookMayBeNamedByGenerateNameAndNothingElse() throws Exception {
        String hook = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\n"
                + "  annotations: {argocd.argoproj.io/hook: PreSync}\n";
        assertThat(ManifestParser.parse(files("hooks.yaml", hook + "---\n" + hook)))
                .as("two runs of one hook are not duplicates")
                .hasSize(2);
        assertThatThrownBy(() -> ManifestParser.parse(
                        files("x.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: x-}\n")))
                .isInstanceOf(RenderFailure.class)
                .hasMessageContaining("x.yaml (document 1): metadata.name is missing")
                .hasMessageContaining("generateName is only for sync hooks");
    }

    @Test
    void anchorsAliasesAndMergeKeysAreResolvedAndTimestampsStayStrings() throws Exception {
        var manifests = ManifestParser.parse(
                files(
                        "x.yaml",
                        """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: a, labels: &labels {team: shop}}
                data:
                  <<: {created: 2024-01-02}
                  copy: *labels
                """));
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) manifests.get(0).get("data");
        assertThat(data).containsEntry("created", "2024-01-02").containsEntry("copy", Map.of("team", "shop"));
    }

    @Test
    void aBillionLaughsIsRefusedBeforeItExpands() {
        StringBuilder bomb = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\n");
        bomb.append("l0: &l0 [a, a, a, a, a, a, a, a, a, a]\n");
        for (int i = 1; i < 9; i++) {
            bomb.append("l%d: &l%d [%s]\n"
                    .formatted(i, i, String.join(",", java.util.Collections.nCopies(10, "*l" + (i - 1)))));
        }
        assertThatThrownBy(() -> ManifestParser.parse(files("bomb.yaml", bomb.toString())))
                .isInstanceOfSatisfying(
                        RenderFailure.class, f -> assertThat(f.reason()).isEqualTo(Reason.YamlAliasLimit))
                .hasMessageContaining("bomb.yaml");
        RenderLimits fewAliases = new RenderLimits(10, 1000, 1000, java.time.Duration.ofSeconds(1), 5, 1000, 64);
        assertThatThrownBy(() -> ManifestParser.parse(files("bomb.yaml", bomb.toString()), fewAliases))
                .isInstanceOfSatisfying(
                        RenderFailure.class, f -> assertThat(f.reason()).isEqualTo(Reason.YamlAliasLimit))
                .hasMessageContaining("more than 5 aliases");
    }

    @Test
    void aScalarAliasedManyTimesIsRefusedByTheCharactersItWouldExpandTo() {
        // a 100 kB string used 100 times: 10 MB once written out, from a file of about 100 kB and 101 values
        StringBuilder bomb = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\n");
        bomb.append("data:\n  big: &s \"").append("x".repeat(100_000)).append("\"\n");
        bomb.append("list: [")
                .append(String.join(",", java.util.Collections.nCopies(100, "*s")))
                .append("]\n");

        assertThatThrownBy(() -> ManifestParser.parse(files("scalars.yaml", bomb.toString())))
                .isInstanceOfSatisfying(
                        RenderFailure.class, f -> assertThat(f.reason()).isEqualTo(Reason.YamlAliasLimit))
                .hasMessageContaining("scalars.yaml")
                .hasMessageContaining("5000000 characters");
    }

    @Test
    void deepNestingIsRefusedInYamlAndJson() {
        String deep = "[".repeat(100) + "]".repeat(100);
        assertThatThrownBy(() -> ManifestParser.parse(files("deep.yaml", "a: " + deep)))
                .isInstanceOfSatisfying(
                        RenderFailure.class, f -> assertThat(f.reason()).isEqualTo(Reason.NestingTooDeep));
        assertThatThrownBy(() -> ManifestParser.parse(files("deep.json", "{\"a\": " + deep + "}")))
                .isInstanceOfSatisfying(
                        RenderFailure.class, f -> assertThat(f.reason()).isEqualTo(Reason.NestingTooDeep));
    }

    @Test
    void theSameObjectTwiceIsAnErrorNamingBothPlaces() throws Exception {
        String cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same, namespace: n}\n";
        assertThatThrownBy(() -> ManifestParser.parse(files("a.yaml", cm, "b/c.yaml", cm)))
                .isInstanceOfSatisfying(
                        RenderFailure.class, f -> assertThat(f.reason()).isEqualTo(Reason.DuplicateObject))
                .hasMessage("ConfigMap same is declared twice: in a.yaml (document 1) and in b/c.yaml (document 1)");
        String otherNamespace = cm.replace("namespace: n", "namespace: m");
        assertThat(ManifestParser.parse(files("a.yaml", cm, "b.yaml", otherNamespace)))
                .hasSize(2);
    }

    @Test
    void duplicateKeysAreInvalid() {
        assertThatThrownBy(() -> ManifestParser.parse(
                        files("x.yaml", "apiVersion: v1\nkind: A\nkind: B\nmetadata: {name: a}\n")))
                .isInstanceOfSatisfying(
                        RenderFailure.class, f -> assertThat(f.reason()).isEqualTo(Reason.ManifestInvalid))
                .hasMessageContaining("kind");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSopsFileNotesWhereItWasReadInItsMetadataAndKeepsEverythingElse() throws Exception {
        var manifests = ManifestParser.parse(files(
                "apps/db/secret.sops.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: \"ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\"}\n"
                        + "sops: {mac: \"ENC[AES256_GCM,data:m,iv:i,tag:t,type:str]\", lastmodified: \"2026-11-30T12:00:00Z\"}\n",
                "apps/db/plain.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\n"));

        var sops = (java.util.Map<String, Object>) manifests.get(1).get("sops");
        assertThat(sops)
                .containsEntry(ManifestParser.SOPS_SOURCE, "apps/db/secret.sops.yaml (document 1)")
                .containsKey("mac");
        assertThat(manifests.get(0)).doesNotContainKey("sops");
    }
}
