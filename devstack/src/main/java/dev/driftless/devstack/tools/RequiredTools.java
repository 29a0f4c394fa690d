package dev.driftless.devstack.tools;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The command-line tools a test needs. Outside CI a missing one skips the test, naming it; in CI ({@code CI=true},
 * which {@code .ci/run} is given) it fails the test, because {@code .ci/run} installs every tool a test uses and a
 * skip there would let CI go green without checking what the test promises.
 */
public final class RequiredTools {

    private RequiredTools() {}

    /** Where a command is on the PATH, if it is. */
    public static Optional<Path> onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Skips (outside CI) or fails (in CI) the test unless every command is on the PATH. */
    public static void require(String why, String... commands) {
        List<String> missing =
                List.of(commands).stream().filter(c -> onPath(c).isEmpty()).toList();
        if (missing.isEmpty()) {
            return;
        }
        String message = String.join(", ", missing) + " not on the PATH: " + why
                + " (.ci/run installs it; Debian: apt-get install " + String.join(" ", missing) + ")";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail("in CI every tool a test needs must be installed: " + message);
        }
        Assumptions.abort(message);
    }
}
