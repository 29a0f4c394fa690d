package dev.driftless.render;

import dev.driftless.render.domain.CrashStrikes;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Keeps a render that takes the service down from taking it down at every start: each render leaves a marker in the
 * cache directory while it runs ({@code rendering/<application>}); at start the markers left by a death count as
 * strikes ({@code strikes/<application>}, kept across restarts), and an application at {@link CrashStrikes} is
 * quarantined at that commit. A successful render clears its strikes; a resync or rollback lifts the quarantine.
 */
@ApplicationScoped
public class RenderQuarantine {

    private static final Logger LOG = Logger.getLogger(RenderQuarantine.class);

    @Inject
    RenderConfig config;

    private final Map<String, CrashStrikes.Strike> strikes = new ConcurrentHashMap<>();

    /** Counts the renders a death interrupted as strikes: at start, and in tests after a simulated death. */
    @PostConstruct
    public void recover() {
        makeDirectories();
        Map<String, String> inFlight = read(dir("rendering"));
        Map<String, CrashStrikes.Strike> before = new HashMap<>();
        read(dir("strikes")).forEach((app, text) -> {
            String[] parts = text.split("\n");
            if (parts.length == 2 && parts[1].matches("\\d{1,3}")) {
                before.put(app, new CrashStrikes.Strike(parts[0], Integer.parseInt(parts[1])));
            }
        });
        Map<String, CrashStrikes.Strike> after = CrashStrikes.afterRestart(inFlight, before);
        strikes.clear();
        strikes.putAll(after);
        inFlight.keySet().forEach(app -> {
            write(
                    dir("strikes").resolve(app),
                    after.get(app).commit() + "\n" + after.get(app).count());
            delete(dir("rendering").resolve(app));
            CrashStrikes.Strike strike = after.get(app);
            if (strike.quarantines()) {
                LOG.errorf(
                        "RenderQuarantined: the service died %d times while rendering %s at %s; it is not rendered"
                                + " at that commit again until a new commit or a resync",
                        strike.count(), app, strike.commit());
            } else {
                LOG.warnf("the service died while rendering %s at %s; it is rendered again", app, strike.commit());
            }
        });
    }

    /** The quarantine of an application at a commit, if it is quarantined there. */
    public Optional<CrashStrikes.Strike> quarantined(String application, String commit) {
        CrashStrikes.Strike strike = strikes.get(application);
        return strike != null && strike.quarantines() && strike.commit().equals(commit)
                ? Optional.of(strike)
                : Optional.empty();
    }

    /** A render starts: its marker says so until it ends. */
    public void started(String application, String commit) {
        write(dir("rendering").resolve(application), commit);
    }

    /** A render ended (not by the service's death); a successful one clears the application's strikes. */
    public void ended(String application, boolean succeeded) {
        delete(dir("rendering").resolve(application));
        if (succeeded && strikes.remove(application) != null) {
            delete(dir("strikes").resolve(application));
        }
    }

    /** A resync or rollback asked for it: the application is rendered again, strikes forgotten. */
    public void lift(String application) {
        if (strikes.remove(application) != null) {
            delete(dir("strikes").resolve(application));
            LOG.infof("quarantine of %s lifted", application);
        }
    }

    /** A directory of the quarantine's state, made at start ({@link #recover}), not at every render. */
    private Path dir(String name) {
        return config.cacheDir().resolve("quarantine").resolve(name);
    }

    private void makeDirectories() {
        try {
            Files.createDirectories(dir("rendering"));
            Files.createDirectories(dir("strikes"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> read(Path dir) {
        Map<String, String> found = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                found.put(
                        file.getFileName().toString(),
                        Files.readString(file, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            LOG.warnf("cannot read %s: %s", dir, e.getMessage());
        }
        return found;
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warnf("cannot write %s: %s", file, e.getMessage());
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warnf("cannot delete %s: %s", file, e.getMessage());
        }
    }
}
