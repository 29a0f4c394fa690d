package dev.driftless.render.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
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
                .hasMessageContaining("apps/x.yaml: not valid YAML at line");
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
}
