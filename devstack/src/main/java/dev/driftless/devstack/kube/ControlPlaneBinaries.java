package dev.driftless.devstack.kube;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where the control plane's programs are: {@code kube-apiserver}, {@code kube-controller-manager}, {@code etcd},
 * {@code kubectl}, {@code kustomize} and {@code helm}, built from Go modules by {@code devstack/controlplane/build.sh}
 * and cached per version. The directory comes from {@value #BIN_VARIABLE} when set, otherwise from the build script,
 * which builds once (minutes, with progress lines) and afterwards only prints where the binaries are.
 */
public final class ControlPlaneBinaries {

    /** Environment variable (or system property {@code driftless.controlplane.bin}) naming a ready bin directory. */
    public static final String BIN_VARIABLE = "DRIFTLESS_CONTROLPLANE_BIN";

    static final String SCRIPT = "devstack/controlplane/build.sh";
    private static final List<String> PROGRAMS =
            List.of("kube-apiserver", "kube-controller-manager", "etcd", "kubectl", "kustomize", "helm");

    private static volatile Path resolved;

    private ControlPlaneBinaries() {}

    /** The bin directory, building the binaries first if they are not cached yet. */
    public static Path resolve() {
        Path bin = resolved;
        if (bin == null) {
            synchronized (ControlPlaneBinaries.class) {
                bin = resolved;
                if (bin == null) {
                    bin = locate();
                    resolved = bin;
                }
            }
        }
        return bin;
    }

    /** Whether the binaries are configured, already built, or Go is on the PATH to build them. */
    public static boolean available() {
        String configured = System.getProperty("driftless.controlplane.bin", System.getenv(BIN_VARIABLE));
        if (configured != null && !configured.isBlank() || onPath("go").isPresent()) {
            return true;
        }
        try {
            Process print = new ProcessBuilder(
                            "bash", repositoryRoot().resolve(SCRIPT).toString(), "--print")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return print.waitFor(30, TimeUnit.SECONDS) && print.exitValue() == 0;
        } catch (IOException | IllegalStateException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Path locate() {
        String configured = System.getProperty("driftless.controlplane.bin", System.getenv(BIN_VARIABLE));
        if (configured != null && !configured.isBlank()) {
            return checked(Path.of(configured));
        }
        Path script = repositoryRoot().resolve(SCRIPT);
        try {
            Process build = new ProcessBuilder("bash", script.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            String out = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!build.waitFor(60, TimeUnit.MINUTES) || build.exitValue() != 0) {
                throw new IllegalStateException("the Kubernetes control plane could not be built (" + script
                        + " exited " + build.exitValue() + "; its log is named above)");
            }
            return checked(Path.of(out.substring(out.lastIndexOf('\n') + 1)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the control plane", e);
        }
    }

    private static Path checked(Path bin) {
        for (String program : PROGRAMS) {
            if (!Files.isExecutable(bin.resolve(program))) {
                throw new IllegalStateException(program + " is missing from " + bin);
            }
        }
        return bin;
    }

    /** The checkout: {@code DRIFTLESS_HOME}, or the nearest directory up from here that holds the build script. */
    public static Path repositoryRoot() {
        String home = System.getenv("DRIFTLESS_HOME");
        if (home != null && Files.exists(Path.of(home).resolve(SCRIPT))) {
            return Path.of(home);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(SCRIPT))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "cannot find " + SCRIPT + " above " + Path.of("").toAbsolutePath()
                        + "; set DRIFTLESS_HOME to the checkout or " + BIN_VARIABLE + " to built binaries");
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
