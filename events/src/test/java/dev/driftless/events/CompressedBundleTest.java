package dev.driftless.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class CompressedBundleTest {

    static RenderSucceeded render(List<Map<String, Object>> inline, String gzip) {
        return new RenderSucceeded(
                "crds",
                "https://h/r",
                "refs/heads/main",
                "c".repeat(40),
                "p",
                "sha256:" + "0".repeat(64),
                inline,
                EventExamples.TARGET,
                "t",
                Instant.now(),
                1,
                gzip);
    }

    @Test
    void aLargeBundleTravelsCompressedAndExpandsToTheSameObjects() throws Exception {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            objects.add(Map.of(
                    "apiVersion",
                    "v1",
                    "kind",
                    "ConfigMap",
                    "metadata",
                    Map.of("name", "cm-" + i),
                    "data",
                    Map.of("text", "the same description again and again ".repeat(100))));
        }
        String gzip = RenderSucceeded.compress(objects);
        String json = EventCodec.encode(render(List.of(), gzip));

        RenderSucceeded received = EventCodec.decode(RenderSucceeded.class, json);

        assertThat(received.manifests()).isEmpty();
        assertThat(received.objects()).isEqualTo(objects);
        assertThat(json.length())
                .isLessThan(EventCodec.encode(render(objects, null)).length() / 10);
        assertThat(EventSchemas.problems(
                        EventType.RENDER_SUCCEEDED, EventCodec.mapper().readTree(json)))
                .isEmpty();
    }

    @Test
    void aCompressionBombOrGarbageIsRefusedNotExpanded() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 70; i++) {
                out.write(zeros);
            }
        }
        String bomb = Base64.getEncoder().encodeToString(bytes.toByteArray());
        assertThat(bomb.length()).isLessThan(200_000);
        assertThatThrownBy(() -> render(List.of(), bomb).objects()).hasMessageContaining("expands past");
        assertThatThrownBy(() -> render(List.of(), "bm90IGd6aXA=").objects())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("manifestsGzip");
    }
}
