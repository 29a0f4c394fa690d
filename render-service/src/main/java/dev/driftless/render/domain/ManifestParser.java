package dev.driftless.render.domain;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Turns the files of an application directory into Kubernetes manifests: every {@code *.yaml}, {@code *.yml} and
 * {@code *.json} file, each possibly holding several YAML documents, in path order then document order. Empty
 * documents are skipped; anything else must be an object with {@code apiVersion}, {@code kind} and
 * {@code metadata.name}, or the whole render fails with {@link Reason#ManifestInvalid} naming the file and document.
 */
public final class ManifestParser {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    private ManifestParser() {}

    /** Whether a file name is one this parser reads. */
    public static boolean isManifestFile(String path) {
        String lower = path.toLowerCase(java.util.Locale.ROOT);
        return lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json");
    }

    /**
     * Parses files (path → content) into manifests.
     *
     * @throws RenderFailure with {@link Reason#ManifestInvalid} for the first file that is not valid
     */
    public static List<Map<String, Object>> parse(SortedMap<String, byte[]> files) throws RenderFailure {
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (var file : files.entrySet()) {
            if (isManifestFile(file.getKey())) {
                manifests.addAll(parseFile(file.getKey(), file.getValue()));
            }
        }
        return manifests;
    }

    static List<Map<String, Object>> parseFile(String path, byte[] content) throws RenderFailure {
        ObjectMapper mapper = path.toLowerCase(java.util.Locale.ROOT).endsWith(".json") ? JSON : YAML;
        List<Map<String, Object>> manifests = new ArrayList<>();
        int document = 0;
        try (JsonParser parser = mapper.getFactory().createParser(content);
                MappingIterator<JsonNode> documents = mapper.readValues(parser, JsonNode.class)) {
            while (documents.hasNextValue()) {
                JsonNode node = documents.nextValue();
                document++;
                if (node == null || node.isNull() || node.isMissingNode()) {
                    continue;
                }
                manifests.add(validate(path, document, node));
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new RenderFailure(
                    Reason.ManifestInvalid, path + ": not valid YAML" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new RenderFailure(Reason.ManifestInvalid, path + ": cannot be read: " + e.getMessage());
        }
        return manifests;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> validate(String path, int document, JsonNode node) throws RenderFailure {
        String where = path + " (document " + document + ")";
        if (!node.isObject()) {
            throw new RenderFailure(Reason.ManifestInvalid, where + ": is not an object");
        }
        if (!node.path("apiVersion").isTextual()
                || node.path("apiVersion").asText().isBlank()) {
            throw new RenderFailure(Reason.ManifestInvalid, where + ": apiVersion is missing");
        }
        if (!node.path("kind").isTextual() || node.path("kind").asText().isBlank()) {
            throw new RenderFailure(Reason.ManifestInvalid, where + ": kind is missing");
        }
        if (!node.path("metadata").path("name").isTextual()
                || node.path("metadata").path("name").asText().isBlank()) {
            throw new RenderFailure(Reason.ManifestInvalid, where + ": metadata.name is missing");
        }
        JsonNode namespace = node.path("metadata").get("namespace");
        if (namespace != null && !namespace.isNull() && !namespace.isTextual()) {
            throw new RenderFailure(Reason.ManifestInvalid, where + ": metadata.namespace must be a string");
        }
        if (!node.path("metadata").path("name").isTextual()) {
            throw new RenderFailure(Reason.ManifestInvalid, where + ": metadata.name must be a string");
        }
        return JSON.convertValue(node, Map.class);
    }
}
