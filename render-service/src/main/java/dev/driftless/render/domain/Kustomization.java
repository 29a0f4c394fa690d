package dev.driftless.render.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a {@code kustomization.yaml} reads: every path in {@code resources}, {@code bases}, {@code components},
 * {@code crds}, {@code configurations}, {@code generators}, {@code transformers}, {@code validators},
 * {@code patchesStrategicMerge}, {@code patches[].path}, {@code patchesJson6902[].path},
 * {@code replacements[].path}, {@code openapi.path} and the files of config map and secret generators. Local
 * references are resolved from the repository root and must stay inside it ({@code ../base} is fine, {@code ../../..}
 * past the root or {@code /etc} is not); a reference that looks like a remote base
 * ({@code https://…}, {@code git@…}, {@code github.com/org/repo//path?ref=…}) is returned as such for the caller to
 * check against its allow list. Pure: the caller reads the file.
 */
public final class Kustomization {

    /** The file names Kustomize looks for in a directory, in its order. */
    public static final List<String> FILE_NAMES = List.of("kustomization.yaml", "kustomization.yml", "Kustomization");

    private static final List<String> PATH_LISTS = List.of(
            "resources",
            "bases",
            "components",
            "crds",
            "configurations",
            "generators",
            "transformers",
            "validators",
            "patchesStrategicMerge");
    private static final List<String> PATH_OBJECTS = List.of("patches", "patchesJson6902", "replacements");
    private static final Set<String> GENERATORS = Set.of("configMapGenerator", "secretGenerator");
    private static final Pattern REMOTE =
            Pattern.compile("^([a-z][a-z0-9+.-]*://|git@|git::|gh:|[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+/).*");

    /**
     * One reference of a kustomization.
     *
     * @param field where it was written ({@code resources}, {@code patches[].path}, …)
     * @param value as written
     * @param path resolved from the repository root, or {@code null} when it can only be remote
     * @param maybeRemote whether it has the form of a remote base (a local path of that name wins if it exists)
     */
    public record Reference(String field, String value, String path, boolean maybeRemote) {}

    private Kustomization() {}

    /**
     * The references of the kustomization in {@code directory}, parsed from its YAML.
     *
     * @throws RenderFailure with {@link Reason#ManifestInvalid} when it is not a YAML object, or
     *     {@link Reason#PathEscapesRepository} when a local reference leaves the repository
     */
    public static List<Reference> references(String directory, byte[] content) throws RenderFailure {
        List<Reference> references = new ArrayList<>();
        for (Map<String, Object> kustomization : ManifestParser.readObject(kustomizationIn(directory), content).stream()
                .toList()) {
            for (String field : PATH_LISTS) {
                for (Object value : list(field(kustomization, field, directory))) {
                    add(references, directory, field, value);
                }
            }
            for (String field : PATH_OBJECTS) {
                for (Object value : list(field(kustomization, field, directory))) {
                    if (value instanceof Map<?, ?> object) {
                        add(references, directory, field + "[].path", field(object, "path", directory));
                    }
                }
            }
            if (field(kustomization, "openapi", directory) instanceof Map<?, ?> openapi) {
                add(references, directory, "openapi.path", field(openapi, "path", directory));
            }
            for (String field : GENERATORS) {
                for (Object generator : list(field(kustomization, field, directory))) {
                    if (!(generator instanceof Map<?, ?> object)) {
                        continue;
                    }
                    for (Object file : list(field(object, "files", directory))) {
                        // "key=path" names the key of the data entry
                        String text = String.valueOf(file);
                        add(references, directory, field + "[].files", text.substring(text.indexOf('=') + 1));
                    }
                    for (Object env : list(field(object, "envs", directory))) {
                        add(references, directory, field + "[].envs", env);
                    }
                    add(references, directory, field + "[].env", field(object, "env", directory));
                }
            }
        }
        return references;
    }

    /** Where the kustomization of a directory is, for messages. */
    public static String kustomizationIn(String directory) {
        return (directory.isEmpty() ? "" : directory + "/") + "kustomization.yaml";
    }

    private static void add(List<Reference> references, String directory, String field, Object value)
            throws RenderFailure {
        if (!(value instanceof String text) || text.isBlank() || text.contains("\n")) {
            return; // absent, or an inline patch or generator config
        }
        String written = text.trim();
        boolean maybeRemote = REMOTE.matcher(written).matches();
        if (written.contains("://")
                || written.startsWith("git@")
                || written.startsWith("git::")
                || written.startsWith("gh:")) {
            references.add(new Reference(field, written, null, true));
            return;
        }
        String path;
        try {
            path = RepositoryPaths.resolve(directory, written);
        } catch (RenderFailure e) {
            throw new RenderFailure(
                    Reason.PathEscapesRepository, kustomizationIn(directory) + ": " + field + ": " + e.getMessage());
        }
        references.add(new Reference(field, written, path, maybeRemote));
    }

    /**
     * A field of a kustomization object, its name matched ignoring case, as kustomize reads it (Go's
     * {@code encoding/json}): {@code Resources:} is {@code resources}, so it cannot slip past the planner. Two keys
     * that differ only in case are refused, since which one kustomize takes is not ours to guess.
     */
    private static Object field(Map<?, ?> object, String name, String directory) throws RenderFailure {
        Object found = null;
        String foundKey = null;
        for (Map.Entry<?, ?> entry : object.entrySet()) {
            if (entry.getKey() instanceof String key && key.equalsIgnoreCase(name)) {
                if (foundKey != null) {
                    throw new RenderFailure(
                            Reason.ManifestInvalid,
                            kustomizationIn(directory) + ": " + foundKey + " and " + key
                                    + " are the same field to kustomize");
                }
                found = entry.getValue();
                foundKey = key;
            }
        }
        return found;
    }

    private static List<?> list(Object value) {
        return value instanceof List<?> list ? list : List.of();
    }
}
