package dev.driftless.render;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Keeps a rolled-back application where it was rolled back to: a rollback pins it at its commit, and the comparison
 * with the head of its branch (the reconcile loop, a new leader's first pass, sync-service's resync after a restart or
 * a rebalance) renders the pinned commit instead of the head, so a rollback is not undone minutes later. The pin ends
 * with the next push that renders the application or a resync someone asks for. Pins are kept in the cache directory
 * ({@code pins/<application>}), so they outlive a restart of the service.
 */
@ApplicationScoped
public class RollbackPins {

    private static final Logger LOG = Logger.getLogger(RollbackPins.class);
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}([0-9a-f]{24})?");

    @Inject
    RenderConfig config;

    private final Map<String, String> pins = new ConcurrentHashMap<>();

    @PostConstruct
    void load() {
        pins.clear();
        Path dir = dir();
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(dir)) {
                files.forEach(file -> {
                    try {
                        String commit =
                                Files.readString(file, StandardCharsets.UTF_8).strip();
                        if (SHA.matcher(commit).matches()) {
                            pins.put(file.getFileName().toString(), commit);
                        }
                    } catch (IOException e) {
                        LOG.warnf("cannot read the rollback pin %s: %s", file, e.getMessage());
                    }
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the rollback pins in " + dir, e);
        }
    }

    /** The commit the application is pinned at by a rollback, if it is. */
    public Optional<String> pinned(String application) {
        return Optional.ofNullable(pins.get(application));
    }

    /** A rollback: the application stays at this commit until a push renders it or someone asks for a resync. */
    public void pin(String application, String commit) {
        pins.put(application, commit);
        try {
            Files.writeString(file(application), commit, StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warnf("cannot keep the rollback pin of %s on disk (kept in memory): %s", application, e.getMessage());
        }
        LOG.infof("%s is pinned at %s by a rollback until its next push or a resync", application, commit);
    }

    /** The pin ends (a push rendered the application, or someone asked for a resync). */
    public void release(String application) {
        if (pins.remove(application) != null) {
            LOG.infof("%s follows its branch again", application);
        }
        try {
            Files.deleteIfExists(file(application));
        } catch (IOException e) {
            LOG.warnf("cannot remove the rollback pin of %s: %s", application, e.getMessage());
        }
    }

    private Path dir() {
        return config.cacheDir().resolve("pins");
    }

    private Path file(String application) {
        return dir().resolve(application);
    }
}
