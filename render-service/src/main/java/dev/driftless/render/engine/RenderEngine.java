package dev.driftless.render.engine;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.driftless.render.RenderConfig;
import dev.driftless.render.domain.Application;
import dev.driftless.render.domain.Kustomization;
import dev.driftless.render.domain.ManifestParser;
import dev.driftless.render.domain.Reason;
import dev.driftless.render.domain.RenderFailure;
import dev.driftless.render.domain.RenderLimits;
import dev.driftless.render.domain.RepositoryPaths;
import dev.driftless.render.git.GitCredentials;
import dev.driftless.render.git.MirrorCache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Renders an application at a commit with its renderer: {@code directory} (every manifest under the path, read
 * straight from the object database), {@code kustomize} ({@code kustomize build} or {@code kubectl kustomize} over
 * the files it reads, written to a private temporary directory) or {@code helm} ({@code helm template} of the chart
 * in such a directory, hooks included, with value files from the repository and inline values); {@code auto} picks kustomize for a
 * {@code kustomization.yaml}, helm for a {@code Chart.yaml}, else directory. {@link #plan} says first what a render
 * reads, so that a push that changed none of it renders nothing.
 */
@ApplicationScoped
public class RenderEngine {

    private static final Logger LOG = Logger.getLogger(RenderEngine.class);
    private static final YAMLMapper YAML = new YAMLMapper();

    @Inject
    MirrorCache mirrors;

    @Inject
    RenderConfig config;

    /**
     * What rendering the application at this commit takes: its renderer and every repository path it reads.
     *
     * @throws RenderFailure when the path is missing, a reference leaves the repository, a remote base or chart
     *     dependency is not allowed, or a kustomization or chart cannot be read
     */
    public RenderPlan plan(Application app, String commit) throws RenderFailure {
        RenderLimits limits = config.renderLimits();
        Optional<MirrorCache.Entry> root = mirrors.entry(app, commit, app.path(), limits);
        if (root.isEmpty() || !root.get().directory()) {
            throw new RenderFailure(
                    Reason.PathNotFound,
                    (app.path().isEmpty() ? "the repository root" : app.path()) + " is not a directory at "
                            + commit.substring(0, 7) + " of " + app.repository());
        }
        String renderer =
                switch (app.renderType()) {
                    case "auto" ->
                        kustomizationIn(app, commit, app.path()).isPresent()
                                ? "kustomize"
                                : file(app, commit, join(app.path(), "Chart.yaml"))
                                                .isPresent()
                                        ? "helm"
                                        : "directory";
                    case "directory", "kustomize", "helm" -> app.renderType();
                    default ->
                        throw new RenderFailure(
                                Reason.RenderTypeUnsupported, "render type " + app.renderType() + " is not supported");
                };
        return switch (renderer) {
            case "kustomize" -> planKustomize(app, commit);
            case "helm" -> planHelm(app, commit);
            default -> new RenderPlan("directory", new TreeSet<>(Set.of(app.path())), List.of(), false);
        };
    }

    /** Renders the application at the commit as planned: the manifests, validated, in order. */
    public List<Map<String, Object>> render(Application app, String commit, RenderPlan plan) throws RenderFailure {
        RenderLimits limits = config.renderLimits();
        return switch (plan.renderer()) {
            case "kustomize" ->
                inWorkspace(
                        app,
                        commit,
                        plan,
                        dir -> ManifestParser.parseStream(
                                "kustomize build " + describe(app.path()),
                                ExternalRenderer.run(
                                        ExternalRenderer.with(
                                                kustomizeCommand(),
                                                dir.resolve(app.path()).toString()),
                                        dir,
                                        limits.renderTimeout(),
                                        2 * limits.maxBundleBytes()),
                                limits));
            case "helm" ->
                inWorkspace(
                        app,
                        commit,
                        plan,
                        dir -> ManifestParser.parseStream(
                                "helm template " + describe(app.path()), helmTemplate(app, plan, dir), limits));
            default -> ManifestParser.parse(mirrors.readDirectory(app, commit, limits), limits);
        };
    }

    private RenderPlan planKustomize(Application app, String commit) throws RenderFailure {
        if (kustomizationIn(app, commit, app.path()).isEmpty()) {
            throw new RenderFailure(
                    Reason.PathNotFound, "no kustomization.yaml in " + describe(app.path()) + " of " + app.name());
        }
        List<String> allowed = config.kustomize().allowedRemoteBases().orElse(List.of());
        SortedSet<String> inputs = new TreeSet<>();
        List<String> remote = new ArrayList<>();
        Deque<String> directories = new ArrayDeque<>(List.of(app.path()));
        Set<String> visited = new HashSet<>();
        while (!directories.isEmpty()) {
            String directory = directories.pop();
            if (!visited.add(directory)) {
                continue;
            }
            inputs.add(directory);
            Optional<byte[]> kustomization = kustomizationIn(app, commit, directory);
            if (kustomization.isEmpty()) {
                continue; // a plain directory of resources; kustomize says if it needs one
            }
            for (Kustomization.Reference reference : Kustomization.references(directory, kustomization.get())) {
                Optional<MirrorCache.Entry> local = reference.path() == null
                        ? Optional.empty()
                        : mirrors.entry(app, commit, reference.path(), config.renderLimits());
                if (local.isPresent()) {
                    if (local.get().directory()) {
                        directories.push(reference.path());
                    } else {
                        inputs.add(reference.path());
                    }
                } else if (reference.maybeRemote()) {
                    if (allowed.stream().noneMatch(prefix -> GitCredentials.covers(prefix, reference.value()))) {
                        throw new RenderFailure(
                                Reason.RemoteBaseRefused,
                                Kustomization.kustomizationIn(directory) + ": " + reference.field() + ": remote "
                                        + reference.value() + " is not allowed (driftless.render.kustomize"
                                        + ".allowed-remote-bases)");
                    }
                    remote.add(reference.value());
                }
                // a local path that does not exist: kustomize reports it with its own words
            }
        }
        return new RenderPlan("kustomize", inputs, List.copyOf(remote), false);
    }

    @SuppressWarnings("unchecked")
    private RenderPlan planHelm(Application app, String commit) throws RenderFailure {
        String chartFile = join(app.path(), "Chart.yaml");
        byte[] chart = file(app, commit, chartFile)
                .orElseThrow(() -> new RenderFailure(
                        Reason.PathNotFound, "no Chart.yaml in " + describe(app.path()) + " of " + app.name()));
        SortedSet<String> inputs = new TreeSet<>(Set.of(app.path()));
        for (String valueFile : app.helm().valueFiles()) {
            String path = RepositoryPaths.resolve(app.path(), valueFile);
            if (file(app, commit, path).isEmpty()) {
                throw new RenderFailure(
                        Reason.PathNotFound, "value file " + valueFile + " of " + app.name() + " does not exist");
            }
            inputs.add(path);
        }
        List<String> allowed = config.helm().allowedRepositories().orElse(List.of());
        List<String> remote = new ArrayList<>();
        Map<String, Object> metadata =
                ManifestParser.readObject(chartFile, chart).orElse(Map.of());
        Object dependencies = metadata.get("dependencies");
        for (Object each : dependencies instanceof List<?> list ? list : List.of()) {
            if (!(each instanceof Map<?, ?> dependency)) {
                continue;
            }
            String name = String.valueOf(dependency.get("name"));
            String repository =
                    dependency.get("repository") == null ? "" : String.valueOf(dependency.get("repository"));
            if (repository.startsWith("file://")) {
                inputs.add(RepositoryPaths.resolve(app.path(), repository.substring("file://".length())));
            } else if (!vendored(app, commit, name)) {
                if (repository.isEmpty()
                        || allowed.stream().noneMatch(prefix -> GitCredentials.covers(prefix, repository))) {
                    throw new RenderFailure(
                            Reason.ChartDependencyRefused,
                            chartFile + ": dependency " + name + " from "
                                    + (repository.isEmpty() ? "no repository" : repository)
                                    + " is neither vendored under charts/ nor allowed"
                                    + " (driftless.render.helm.allowed-repositories)");
                }
                remote.add(repository);
            }
        }
        return new RenderPlan("helm", inputs, List.copyOf(remote), !remote.isEmpty());
    }

    private boolean vendored(Application app, String commit, String chart) throws RenderFailure {
        List<String> names = mirrors.names(app, commit, join(app.path(), "charts"));
        return names.contains(chart) || names.stream().anyMatch(n -> n.startsWith(chart + "-") && n.endsWith(".tgz"));
    }

    /**
     * Runs {@code helm template} on the chart in the workspace, out of this process (killed when the render's time is
     * up; its memory is not this JVM's), hooks included (sync-service runs them in their phase) and CRDs from the
     * chart's {@code crds/} too. Chart dependencies from allowed repositories are fetched first with
     * {@code helm dependency build}. Helm's cache, configuration and data live in a private directory beside the
     * workspace, never the repository's files, and are removed with it.
     */
    private byte[] helmTemplate(Application app, RenderPlan plan, Path dir) throws RenderFailure {
        Path chart = dir.resolve(app.path().isEmpty() ? "." : app.path());
        List<String> helm = helmCommand();
        Path home;
        try {
            home = Files.createTempDirectory(
                    "driftless-helm-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new RenderFailure(Reason.RenderError, "cannot create a directory for helm", e);
        }
        Map<String, String> environment = Map.of(
                "HELM_CACHE_HOME", home.resolve("cache").toString(),
                "HELM_CONFIG_HOME", home.resolve("config").toString(),
                "HELM_DATA_HOME", home.resolve("data").toString());
        try {
            // one deadline for the whole render: what the dependencies took is not given again to the template
            java.time.Instant deadline =
                    java.time.Instant.now().plus(config.renderLimits().renderTimeout());
            if (plan.buildDependencies()) {
                List<String> build = new ArrayList<>(helm);
                build.addAll(List.of("dependency", "build", chart.toString()));
                ExternalRenderer.run(build, dir, left(deadline), 64 * 1024, new byte[0], environment);
            }
            List<String> template = new ArrayList<>(helm);
            template.addAll(List.of(
                    "template",
                    // a team namespace's application is <namespace>.<name>; its release is <name>, as Argo CD's
                    app.helm().releaseName() == null
                            ? app.name().substring(app.name().indexOf('.') + 1)
                            : app.helm().releaseName(),
                    chart.toString(),
                    "--namespace",
                    app.target().namespace(),
                    "--include-crds"));
            for (String valueFile : app.helm().valueFiles()) {
                template.add("--values");
                template.add(dir.resolve(RepositoryPaths.resolve(app.path(), valueFile))
                        .toString());
            }
            if (!app.helm().values().isEmpty()) {
                Path inline = home.resolve("inline-values.yaml");
                YAML.writeValue(inline.toFile(), app.helm().values());
                template.add("--values");
                template.add(inline.toString());
            }
            return ExternalRenderer.run(
                    template,
                    dir,
                    left(deadline),
                    2 * config.renderLimits().maxBundleBytes(),
                    new byte[0],
                    environment);
        } catch (IOException e) {
            throw new RenderFailure(Reason.RenderError, "cannot write the inline values of " + app.name(), e);
        } finally {
            deleteQuietly(home);
        }
    }

    /** The time left before a deadline, at least a millisecond (a render past it is stopped at once). */
    private static Duration left(java.time.Instant deadline) {
        Duration left = Duration.between(java.time.Instant.now(), deadline);
        return left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left;
    }

    private List<String> helmCommand() throws RenderFailure {
        Optional<List<String>> configured = config.helm().command();
        if (configured.isPresent() && !configured.get().isEmpty()) {
            return configured.get();
        }
        return ExternalRenderer.onPath("helm")
                .map(helm -> List.of(helm.toString()))
                .orElseThrow(() -> new RenderFailure(
                        Reason.RendererUnavailable,
                        "helm is not installed (put it on the PATH or set driftless.render.helm.command)"));
    }

    /** Something to do in a private temporary directory holding the files a render reads. */
    @FunctionalInterface
    private interface InWorkspace {
        List<Map<String, Object>> render(Path dir) throws RenderFailure;
    }

    private List<Map<String, Object>> inWorkspace(Application app, String commit, RenderPlan plan, InWorkspace work)
            throws RenderFailure {
        Path dir;
        try {
            dir = Files.createTempDirectory(
                    "driftless-render-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new RenderFailure(Reason.RenderError, "cannot create a working directory", e);
        }
        try {
            mirrors.materialise(app, commit, plan.inputs(), dir, config.renderLimits());
            Path root = dir.toRealPath();
            refuseLinksOut(root);
            return work.render(root);
        } catch (IOException e) {
            throw new RenderFailure(Reason.RenderError, "cannot use the working directory", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /**
     * Every symbolic link written must resolve inside the workspace: each link's text was checked alone, but a chain
     * ({@code up -> ..}, then {@code leak -> up/../../etc/passwd}) can still leave it once written to disk.
     */
    private static void refuseLinksOut(Path root) throws RenderFailure, IOException {
        List<Path> links;
        try (Stream<Path> paths = Files.walk(root)) {
            links = paths.filter(Files::isSymbolicLink).toList();
        }
        for (Path link : links) {
            String name = root.relativize(link).toString();
            Path target;
            try {
                target = link.toRealPath();
            } catch (IOException e) {
                throw new RenderFailure(
                        Reason.PathEscapesRepository, "symbolic link " + name + " points to nothing in the repository");
            }
            if (!target.startsWith(root)) {
                throw new RenderFailure(
                        Reason.PathEscapesRepository, "symbolic link " + name + " leads outside the repository");
            }
        }
    }

    private List<String> kustomizeCommand() throws RenderFailure {
        Optional<List<String>> configured = config.kustomize().command();
        if (configured.isPresent() && !configured.get().isEmpty()) {
            return configured.get();
        }
        Optional<java.nio.file.Path> kustomize = ExternalRenderer.onPath("kustomize");
        if (kustomize.isPresent()) {
            return List.of(kustomize.get().toString(), "build");
        }
        return ExternalRenderer.onPath("kubectl")
                .map(kubectl -> List.of(kubectl.toString(), "kustomize"))
                .orElseThrow(() -> new RenderFailure(
                        Reason.RendererUnavailable,
                        "neither kustomize nor kubectl is installed (or set driftless.render.kustomize.command)"));
    }

    private Optional<byte[]> kustomizationIn(Application app, String commit, String directory) throws RenderFailure {
        for (String name : Kustomization.FILE_NAMES) {
            Optional<byte[]> content = file(app, commit, join(directory, name));
            if (content.isPresent()) {
                return content;
            }
        }
        return Optional.empty();
    }

    private Optional<byte[]> file(Application app, String commit, String path) throws RenderFailure {
        return mirrors.entry(app, commit, path, config.renderLimits())
                .filter(entry -> !entry.directory())
                .map(MirrorCache.Entry::content);
    }

    private static String join(String directory, String name) {
        return directory.isEmpty() ? name : directory + "/" + name;
    }

    private static String describe(String path) {
        return path.isEmpty() ? "the repository root" : path;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    LOG.debugf("cannot delete %s: %s", path, e.getMessage());
                }
            });
        } catch (IOException e) {
            LOG.debugf("cannot delete %s: %s", dir, e.getMessage());
        }
    }
}
