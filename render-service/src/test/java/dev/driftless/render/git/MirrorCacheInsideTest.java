package dev.driftless.render.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.driftless.events.Target;
import dev.driftless.render.domain.Application;
import dev.driftless.render.domain.RenderFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check behind fsck on fetch: a path a crafted tree names (which a server that checks nothing passes on, and
 * which a mirror fetched before fsck was on may hold) is never written outside the workspace.
 */
class MirrorCacheInsideTest {

    static final Application APP = new Application(
            "app",
            "https://h/r",
            "https://h/r",
            "main",
            "",
            "auto",
            new Target("default", "ns", false, false, false, false),
            "catalog.yaml");

    @Test
    void entriesNamedDotOrDotDotEmptyOrWithNulAndPathsUnderALinkAreRefused(@TempDir Path root) throws Exception {
        assertThat(MirrorCache.inside(root, "apps/web/cm.yaml", APP)).isEqualTo(root.resolve("apps/web/cm.yaml"));
        for (String path : new String[] {"apps/../../x", "apps/./x", "apps//x", "apps/a\0b", ".."}) {
            assertThatThrownBy(() -> MirrorCache.inside(root, path, APP))
                    .isInstanceOfSatisfying(
                            RenderFailure.class,
                            f -> assertThat(f.reason().name()).isEqualTo("PathEscapesRepository"));
        }
        Path outside = Files.createTempDirectory("outside");
        Files.createSymbolicLink(root.resolve("link"), outside);
        assertThatThrownBy(() -> MirrorCache.inside(root, "link/evil.yaml", APP))
                .hasMessageContaining("symbolic link");
    }
}
