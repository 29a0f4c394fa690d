package dev.driftless.render.catalog;

import dev.driftless.render.RenderConfig;
import dev.driftless.render.domain.Application;
import dev.driftless.render.domain.CatalogParser;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The application catalog as read from a directory of YAML files. {@link #rescan()} rereads the directory and
 * reports which applications are new or changed, so they can be rendered at once; declarations with errors are
 * left out and their errors kept for the API and the log.
 */
@ApplicationScoped
public class CatalogDirectory {

    private static final Logger LOG = Logger.getLogger(CatalogDirectory.class);

    @Inject
    RenderConfig config;

    private volatile List<Application> applications = List.of();
    private volatile List<String> errors = List.of();
    private Map<String, String> lastFiles = Map.of();

    /** The current applications, in catalog order. */
    public List<Application> applications() {
        return applications;
    }

    /** What was wrong with the declarations left out of the catalog, each naming its file and field. */
    public List<String> errors() {
        return errors;
    }

    /**
     * Rereads the directory.
     *
     * @return the applications that are new or changed since the last scan (all of them on the first)
     */
    public synchronized List<Application> rescan() {
        Map<String, String> files = read(config.catalogDir());
        if (files.equals(lastFiles)) {
            return List.of();
        }
        lastFiles = files;
        CatalogParser.Result result = CatalogParser.parse(files);
        Map<String, Application> before = new HashMap<>();
        applications.forEach(app -> before.put(app.name(), app));
        List<Application> changed = result.applications().stream()
                .filter(app -> !Objects.equals(before.get(app.name()), app))
                .toList();
        if (!result.errors().equals(errors)) {
            result.errors().forEach(error -> LOG.errorf("catalog: %s", error));
        }
        applications = result.applications();
        errors = result.errors();
        LOG.infof(
                "catalog %s: %d application(s), %d changed, %d error(s)",
                config.catalogDir(), applications.size(), changed.size(), errors.size());
        return changed;
    }

    private static Map<String, String> read(Path dir) {
        Map<String, String> files = new HashMap<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (Stream<Path> paths = Files.list(dir)) {
            for (Path file : paths.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                    files.put(name, Files.readString(file, StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            LOG.warnf("cannot read catalog directory %s: %s", dir, e.getMessage());
        }
        return files;
    }
}
