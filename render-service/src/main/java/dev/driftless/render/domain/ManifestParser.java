package dev.driftless.render.domain;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Turns rendered files into Kubernetes manifests: every {@code *.yaml}, {@code *.yml} and {@code *.json} file, each
 * possibly holding several YAML documents, in path order then document order. YAML is read as Kubernetes reads it
 * (anchors, aliases and merge keys resolved, timestamps kept as strings, duplicate keys refused) within the
 * {@link RenderLimits}: aliases and their expansion are bounded (no "billion laughs"), and so is nesting. Empty
 * documents are skipped; anything else must be an object with {@code apiVersion}, {@code kind} and
 * {@code metadata.name}, and no two documents may be the same object. Every failure names the file and document.
 */
public final class ManifestParser {

    private ManifestParser() {}

    /** Whether a file name is one this parser reads. */
    public static boolean isManifestFile(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        return lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json");
    }

    /** Parses files (path → content) into manifests within the default limits. */
    public static List<Map<String, Object>> parse(SortedMap<String, byte[]> files) throws RenderFailure {
        return parse(files, RenderLimits.DEFAULTS);
    }

    /**
     * Parses files (path → content) into manifests.
     *
     * @throws RenderFailure naming the first file and document that is not valid, or both documents of a duplicate
     */
    public static List<Map<String, Object>> parse(SortedMap<String, byte[]> files, RenderLimits limits)
            throws RenderFailure {
        List<Located> located = new ArrayList<>();
        for (var file : files.entrySet()) {
            if (isManifestFile(file.getKey())) {
                located.addAll(parseFile(file.getKey(), file.getValue(), limits));
            }
        }
        return unique(located);
    }

    /**
     * Parses one multi-document YAML stream (a renderer's output) into manifests.
     *
     * @param source what produced it, for messages ({@code "kustomize build apps/web"})
     */
    public static List<Map<String, Object>> parseStream(String source, byte[] content, RenderLimits limits)
            throws RenderFailure {
        return unique(parseYaml(source, content, limits));
    }

    private record Located(String where, Map<String, Object> manifest) {}

    private static List<Located> parseFile(String path, byte[] content, RenderLimits limits) throws RenderFailure {
        if (path.toLowerCase(Locale.ROOT).endsWith(".json")) {
            return parseJson(path, content, limits);
        }
        return parseYaml(path, content, limits);
    }

    private static List<Located> parseYaml(String path, byte[] content, RenderLimits limits) throws RenderFailure {
        List<Located> manifests = new ArrayList<>();
        List<Object> documents = loadYaml(path, content, limits);
        for (int i = 0; i < documents.size(); i++) {
            if (documents.get(i) != null) {
                String where = path + " (document " + (i + 1) + ")";
                manifests.add(new Located(where, validate(where, documents.get(i))));
            }
        }
        return manifests;
    }

    /**
     * Reads a YAML file that is not a manifest (a kustomization, a {@code Chart.yaml}) within the default limits:
     * its first document, when that is an object.
     *
     * @throws RenderFailure when it is not valid YAML, or its first document is not an object
     */
    @SuppressWarnings("unchecked")
    public static java.util.Optional<Map<String, Object>> readObject(String path, byte[] content) throws RenderFailure {
        List<Object> documents = loadYaml(path, content, RenderLimits.DEFAULTS);
        Object first = documents.stream().filter(d -> d != null).findFirst().orElse(null);
        if (first == null) {
            return java.util.Optional.empty();
        }
        if (!(first instanceof Map<?, ?> map)) {
            throw new RenderFailure(Reason.ManifestInvalid, path + ": is not a YAML object");
        }
        return java.util.Optional.of((Map<String, Object>) map);
    }

    /** Every document of a YAML stream (nulls for empty ones), aliases resolved within the limits. */
    private static List<Object> loadYaml(String path, byte[] content, RenderLimits limits) throws RenderFailure {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(limits.maxAliases());
        options.setNestingDepthLimit(limits.maxNestingDepth());
        options.setCodePointLimit(Math.max(limits.maxFileBytes(), content.length));
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        Yaml yaml = new Yaml(new KubernetesConstructor(options));
        List<Object> documents = new ArrayList<>();
        try {
            for (Object node : yaml.loadAll(new String(content, StandardCharsets.UTF_8))) {
                // values and characters, as if every alias were a copy: what serialising the document would cost
                long[] budget = {limits.maxExpandedNodes(), limits.maxFileBytes()};
                if (node != null && !withinBudget(node, budget, new IdentityHashMap<>())) {
                    throw new RenderFailure(
                            Reason.YamlAliasLimit,
                            path + " (document " + (documents.size() + 1) + "): expands to more than "
                                    + (budget[0] < 0
                                            ? limits.maxExpandedNodes() + " values"
                                            : limits.maxFileBytes() + " characters")
                                    + " once its aliases are resolved");
                }
                documents.add(node);
            }
        } catch (MarkedYAMLException e) {
            Mark at = e.getProblemMark();
            String position = at == null ? "" : " at line " + (at.getLine() + 1) + ", column " + (at.getColumn() + 1);
            throw new RenderFailure(
                    Reason.ManifestInvalid,
                    path + " (document " + (documents.size() + 1) + "): not valid YAML" + position + ": "
                            + e.getProblem());
        } catch (YAMLException e) {
            String message = String.valueOf(e.getMessage());
            String where = path + " (document " + (documents.size() + 1) + ")";
            if (message.startsWith("Number of aliases")) {
                throw new RenderFailure(
                        Reason.YamlAliasLimit,
                        where + ": more than " + limits.maxAliases() + " aliases to collections");
            }
            if (message.startsWith("Nesting Depth")) {
                throw new RenderFailure(
                        Reason.NestingTooDeep, where + ": nests deeper than " + limits.maxNestingDepth() + " levels");
            }
            throw new RenderFailure(Reason.ManifestInvalid, where + ": not valid YAML: " + message);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // SnakeYAML's own checks outside its YAMLException (a tag that decodes to one with spaces, found by
            // RepositoryInputFuzzTest): the document is not valid, the render fails with that reason, nothing else
            throw new RenderFailure(
                    Reason.ManifestInvalid,
                    path + " (document " + (documents.size() + 1) + "): not valid YAML: " + e.getMessage());
        }
        return documents;
    }

    private static List<Located> parseJson(String path, byte[] content, RenderLimits limits) throws RenderFailure {
        ObjectMapper json = JsonMapper.builder(com.fasterxml.jackson.core.JsonFactory.builder()
                        .streamReadConstraints(StreamReadConstraints.builder()
                                .maxNestingDepth(limits.maxNestingDepth())
                                .build())
                        .build())
                .build();
        List<Located> manifests = new ArrayList<>();
        int document = 0;
        try (JsonParser parser = json.getFactory().createParser(content);
                MappingIterator<JsonNode> documents = json.readValues(parser, JsonNode.class)) {
            while (documents.hasNextValue()) {
                JsonNode node = documents.nextValue();
                document++;
                if (node == null || node.isNull() || node.isMissingNode()) {
                    continue;
                }
                String where = path + " (document " + document + ")";
                manifests.add(new Located(where, validate(where, json.convertValue(node, Object.class))));
            }
        } catch (StreamConstraintsException e) {
            throw new RenderFailure(
                    Reason.NestingTooDeep, path + ": nests deeper than " + limits.maxNestingDepth() + " levels");
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new RenderFailure(
                    Reason.ManifestInvalid, path + ": not valid JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new RenderFailure(Reason.ManifestInvalid, path + ": cannot be read: " + e.getMessage());
        }
        return manifests;
    }

    /**
     * Counts values ({@code budget[0]}) and the characters of strings, keys included ({@code budget[1]}), as if every
     * alias were a copy, stopping as soon as either is spent: an alias to one big string, used many times, costs its
     * size each time, as it would when the bundle is written out.
     */
    private static boolean withinBudget(Object node, long[] budget, IdentityHashMap<Object, Boolean> path) {
        if (--budget[0] < 0) {
            return false;
        }
        if (node instanceof CharSequence text) {
            budget[1] -= text.length();
            return budget[1] >= 0;
        }
        if (node instanceof byte[] binary) {
            budget[1] -= binary.length;
            return budget[1] >= 0;
        }
        Collection<?> children =
                node instanceof Map<?, ?> map ? map.values() : node instanceof Collection<?> list ? list : List.of();
        if (node instanceof Map<?, ?> map) {
            for (Object key : map.keySet()) {
                if (key instanceof CharSequence name && (budget[1] -= name.length()) < 0) {
                    return false;
                }
            }
        }
        if (children.isEmpty()) {
            return true;
        }
        if (path.put(node, Boolean.TRUE) != null) {
            return false; // a document that contains itself never ends
        }
        for (Object child : children) {
            if (child != null && !withinBudget(child, budget, path)) {
                return false;
            }
        }
        path.remove(node);
        return true;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> validate(String where, Object node) throws RenderFailure {
        if (!(node instanceof Map<?, ?> object)) {
            throw new RenderFailure(Reason.ManifestInvalid, where + ": is not an object");
        }
        if (!(object.get("apiVersion") instanceof String apiVersion) || apiVersion.isBlank()) {
            throw new RenderFailure(Reason.ManifestInvalid, where + ": apiVersion is missing");
        }
        if (!(object.get("kind") instanceof String kind) || kind.isBlank()) {
            throw new RenderFailure(Reason.ManifestInvalid, where + ": kind is missing");
        }
        if (!(object.get("metadata") instanceof Map<?, ?> metadata)) {
            throw new RenderFailure(Reason.ManifestInvalid, where + ": metadata.name is missing");
        }
        if (!(metadata.get("name") instanceof String name) || name.isBlank()) {
            if (!(metadata.get("generateName") instanceof String prefix) || prefix.isBlank()) {
                throw new RenderFailure(Reason.ManifestInvalid, where + ": metadata.name is missing");
            }
            if (!isHook(metadata)) {
                throw new RenderFailure(
                        Reason.ManifestInvalid,
                        where + ": metadata.name is missing (metadata.generateName is only for sync hooks, which"
                                + " are created anew at each sync: annotate it driftless.dev/hook, "
                                + "argocd.argoproj.io/hook or helm.sh/hook)");
            }
        }
        Object namespace = metadata.get("namespace");
        if (namespace != null && !(namespace instanceof String)) {
            throw new RenderFailure(Reason.ManifestInvalid, where + ": metadata.namespace must be a string");
        }
        for (Object key : object.keySet()) {
            if (!(key instanceof String)) {
                throw new RenderFailure(Reason.ManifestInvalid, where + ": key " + key + " is not a string");
            }
        }
        return (Map<String, Object>) object;
    }

    /** The annotations that make an object a sync hook (sync-service's {@code Hooks} reads their values). */
    static final List<String> HOOK_ANNOTATIONS =
            List.of("driftless.dev/hook", "argocd.argoproj.io/hook", "helm.sh/hook");

    private static boolean isHook(Map<?, ?> metadata) {
        return metadata.get("annotations") instanceof Map<?, ?> annotations
                && HOOK_ANNOTATIONS.stream().anyMatch(annotations::containsKey);
    }

    /** The key under a SOPS file's {@code sops} metadata that names where it was read, for sync-service's messages. */
    public static final String SOPS_SOURCE = "driftlessSource";

    /**
     * A document encrypted with SOPS notes in its {@code sops} metadata where it was read (which SOPS's MAC does not
     * cover and sync-service drops with the rest of the metadata), so a file sync-service cannot decrypt is named.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> withSopsSource(Map<String, Object> manifest, String where) {
        if (!(manifest.get("sops") instanceof Map<?, ?> sops) || !(sops.get("mac") instanceof String)) {
            return manifest;
        }
        Map<String, Object> noted = new java.util.LinkedHashMap<>((Map<String, Object>) sops);
        noted.put(SOPS_SOURCE, where);
        Map<String, Object> copy = new java.util.LinkedHashMap<>(manifest);
        copy.put("sops", noted);
        return copy;
    }

    private static List<Map<String, Object>> unique(List<Located> located) throws RenderFailure {
        Map<String, String> seen = new HashMap<>();
        List<Map<String, Object>> manifests = new ArrayList<>(located.size());
        for (Located each : located) {
            Map<String, Object> manifest = each.manifest();
            Map<?, ?> metadata = (Map<?, ?>) manifest.get("metadata");
            if (metadata.get("name") == null) {
                manifests.add(withSopsSource(manifest, each.where())); // a hook named at each run: never a duplicate
                continue;
            }
            String apiVersion = (String) manifest.get("apiVersion");
            String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
            String identity = group + "/" + manifest.get("kind") + "/"
                    + (metadata.get("namespace") == null ? "" : metadata.get("namespace")) + "/" + metadata.get("name");
            String first = seen.putIfAbsent(identity, each.where());
            if (first != null) {
                throw new RenderFailure(
                        Reason.DuplicateObject,
                        manifest.get("kind") + " " + metadata.get("name") + " is declared twice: in " + first
                                + " and in " + each.where());
            }
            manifests.add(withSopsSource(manifest, each.where()));
        }
        return manifests;
    }

    /** SnakeYAML's safe types, but timestamps stay strings, as Kubernetes reads them. */
    private static final class KubernetesConstructor extends SafeConstructor {
        KubernetesConstructor(LoaderOptions options) {
            super(options);
            this.yamlConstructors.put(Tag.TIMESTAMP, new ConstructYamlStr());
        }
    }
}
