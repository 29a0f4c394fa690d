package dev.driftless.render.domain;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a repository and the catalog hold, fuzzed through the parsers that read them: the only ways out are a result
 * or a {@link RenderFailure} with a reason (a catalog error for the catalog), never another exception, and never past
 * the limits (small ones here, so an alias or nesting bomb is found in the time a fuzz run has). {@code verify}
 * replays the corpora under {@code RepositoryInputFuzzTestInputs}; {@code JAZZER_FUZZ=1 ./mvnw test -pl
 * render-service -Dtest=RepositoryInputFuzzTest} fuzzes for new inputs.
 */
class RepositoryInputFuzzTest {

    static final RenderLimits SMALL = new RenderLimits(20, 200_000, 200_000, Duration.ofSeconds(5), 20, 20_000, 32);

    @FuzzTest(maxDuration = "30s")
    void anyManifestFileIsParsedOrRefusedWithAReason(FuzzedDataProvider data) {
        String name = data.pickValue(new String[] {"a.yaml", "b.yml", "c.json"});
        byte[] content = data.consumeRemainingAsBytes();
        try {
            ManifestParser.parse(new TreeMap<>(Map.of(name, content)), SMALL);
        } catch (RenderFailure expected) {
            // a reason and a message: what the render reports
        }
    }

    @FuzzTest(maxDuration = "30s")
    void anyKustomizationIsReadOrRefusedWithAReason(FuzzedDataProvider data) {
        String directory = data.pickValue(new String[] {"", "apps/web", "apps/web/overlays/prod"});
        byte[] content = data.consumeRemainingAsBytes();
        try {
            Kustomization.references(directory, content);
        } catch (RenderFailure expected) {
            // a reason and a message: what the render reports
        }
    }

    @FuzzTest(maxDuration = "30s")
    void anyCatalogFileGivesApplicationsOrErrors(FuzzedDataProvider data) {
        // never an exception: a declaration that cannot be read is an error naming the file, and the others stay
        CatalogParser.parse(Map.of("catalog.yaml", data.consumeRemainingAsString()));
    }
}
