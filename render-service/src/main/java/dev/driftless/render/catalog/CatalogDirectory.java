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
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The application catalog as read from a directory of YAML files. {@link #rescan()} rereads the directory and
 * reports which applications are new or changed, so they can be rendered at once, and which were removed;
 * declarations with errors are left out and their errors kept for the API and the log. A removal is reported only
 * from a catalog that reads without errors (a half-edited file is not a removal), and never when the directory is
 * missing or unreadable (an unmounted volume is not a removal of everything).
 */
@ApplicationScoped
public class CatalogDirectory {

    private static final Logger LOG = Logger.getLogger(CatalogDirectory.class);

    @Inject
    RenderConfig config;

    @Inject
    ClusterCatalog cluster;

    private volatile List<Application> applications = List.of();
    private volatile List<String> errors = List.of();
    private Map<String, String> lastFiles = Map.of();
    private final Map<String, Application> known = new java.util.LinkedHashMap<>();

    /**
     * What a scan found.
     *
     * @param changed applications that are new or changed since the last scan (all of them on the first)
     * @param removed applications that are gone from a catalog without errors, as they were last declared
     */
    public record Scan(List<Application> changed, List<Application> removed) {
        static final Scan NOTHING = new Scan(List.of(), List.of());
    }

    /** The current applications, in catalog order. */
    public List<Application> applications() {
        return applications;
    }

    /** What was wrong with the declarations left out of the catalog, each naming its file and field. */
    public List<String> errors() {
        return errors;
    }

    /** Rereads the directory and says what changed. */
    public synchronized Scan rescan() {
        Map<String, String> directory = read(config.catalogDir());
        Map<String, String> files = null;
        if (directory != null) {
            files = new java.util.TreeMap<>(directory);
            files.putAll(cluster.files());
        }
        if (files == null || files.equals(lastFiles)) {
            return Scan.NOTHING;
        }
        lastFiles = files;
        CatalogParser.Result result =
                CatalogParser.parse(files, config.clusterCatalog().namespace());
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
        applications.forEach(app -> known.put(app.name(), app));
        List<Application> removed = new java.util.ArrayList<>();
        Set<String> present = applications.stream().map(Application::name).collect(Collectors.toSet());
        List<String> gone =
                known.keySet().stream().filter(name -> !present.contains(name)).toList();
        List<Application> announceable = dev.driftless.render.domain.Removals.announceable(
                gone.stream().map(known::get).toList(),
                errors,
                config.clusterCatalog().namespace());
        announceable.forEach(app -> removed.add(known.remove(app.name())));
        if (announceable.size() < gone.size()) {
            LOG.warnf(
                    "catalog: %s missing, not announced as removed while the catalog has errors where they were"
                            + " declared",
                    String.join(", ", gone.stream().filter(known::containsKey).toList()));
        }
        LOG.infof(
                "catalog %s: %d application(s), %d changed, %d removed, %d error(s)",
                config.catalogDir(), applications.size(), changed.size(), removed.size(), errors.size());
        return new Scan(changed, List.copyOf(removed));
    }

    /** The YAML files of the directory by name, or {@code null} when it is missing or cannot be read. */
    private static Map<String, String> read(Path dir) {
        Map<String, String> files = new HashMap<>();
        if (!Files.isDirectory(dir)) {
            LOG.debugf("catalog directory %s does not exist", dir);
            return null;
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
            return null;
        }
        return files;
    }
}
