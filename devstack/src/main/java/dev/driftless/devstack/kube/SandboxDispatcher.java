package dev.driftless.devstack.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * fabric8's CRUD dispatcher extended with what the sandbox needs to behave like a real API server for the kinds
 * Driftless applies: server-side apply ({@code PATCH} with {@code application/apply-patch+yaml}, {@code fieldManager},
 * {@code force}), creating on apply, {@code dryRun=All} that changes nothing, and refusing namespaced objects whose
 * namespace does not exist.
 */
final class SandboxDispatcher extends KubernetesCrudDispatcher {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();

    private final Object writes = new Object();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        HttpMethod method = request.method();
        if (method == HttpMethod.GET) {
            return super.dispatch(request);
        }
        String path = request.getPath();
        Map<String, String> query = query(path);
        String contentType = request.getHeader("Content-Type");
        synchronized (writes) {
            if (method == HttpMethod.PATCH
                    && contentType != null
                    && contentType.startsWith("application/apply-patch")) {
                return serverSideApply(path, query, request.getUtf8Body());
            }
            if ("All".equals(query.get("dryRun"))) {
                return dryRun(method, path, request.getUtf8Body());
            }
            if (method == HttpMethod.POST) {
                String missing = missingNamespace(path + "/x");
                if (missing != null) {
                    return namespaceNotFound(missing);
                }
            }
            return super.dispatch(request);
        }
    }

    private MockResponse serverSideApply(String path, Map<String, String> query, String body) {
        String manager = query.get("fieldManager");
        if (manager == null || manager.isBlank()) {
            return status(422, "Invalid", "fieldManager is required for apply requests");
        }
        ObjectNode applied;
        try {
            JsonNode parsed = YAML.readTree(body);
            if (!(parsed instanceof ObjectNode object)) {
                return status(400, "BadRequest", "apply patch is not an object");
            }
            applied = object;
        } catch (JsonProcessingException e) {
            return status(400, "BadRequest", "apply patch is not valid YAML: " + e.getOriginalMessage());
        }
        if (applied.path("apiVersion").asText().isEmpty()
                || applied.path("kind").asText().isEmpty()) {
            return status(400, "BadRequest", "apply patch needs apiVersion and kind");
        }
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        String name = bare.substring(bare.lastIndexOf('/') + 1);
        if (!name.equals(applied.path("metadata").path("name").asText())) {
            return status(400, "BadRequest", "metadata.name does not match the request path");
        }
        String missing = missingNamespace(bare);
        if (missing != null) {
            return namespaceNotFound(missing);
        }
        Map.Entry<AttributeSet, String> found = findResource(getKey(bare));
        ObjectNode existing;
        try {
            existing = found == null ? null : (ObjectNode) JSON.readTree(found.getValue());
        } catch (JsonProcessingException e) {
            return status(500, "InternalError", "stored object is not JSON");
        }
        ServerSideApply.Result result;
        try {
            result = ServerSideApply.apply(existing, applied, manager, "true".equals(query.get("force")));
        } catch (ServerSideApply.ConflictException e) {
            return status(409, "Conflict", e.getMessage());
        }
        if ("All".equals(query.get("dryRun"))) {
            return json(existing == null ? 201 : 200, result.object().toString());
        }
        if (existing == null) {
            String collection = bare.substring(0, bare.lastIndexOf('/'));
            return handleCreate(jsonRequest(HttpMethod.POST, collection, result.object()));
        }
        if (!result.changed()) {
            return json(200, existing.toString());
        }
        ObjectNode update = result.object();
        ((ObjectNode) update.get("metadata"))
                .put(
                        "resourceVersion",
                        existing.path("metadata").path("resourceVersion").asText());
        return handleUpdate(jsonRequest(HttpMethod.PUT, bare, update));
    }

    private MockResponse dryRun(HttpMethod method, String path, String body) {
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        if (method == HttpMethod.POST) {
            String missing = missingNamespace(bare + "/x");
            return missing != null ? namespaceNotFound(missing) : json(201, body);
        }
        Map.Entry<AttributeSet, String> found = findResource(getKey(bare));
        if (found == null) {
            return status(404, "NotFound", "not found");
        }
        return json(200, method == HttpMethod.PUT ? body : found.getValue());
    }

    /** The namespace a namespaced path names, if that namespace does not exist; {@code null} otherwise. */
    private String missingNamespace(String bare) {
        String[] segments = bare.split("/");
        for (int i = 0; i < segments.length - 2; i++) {
            if (segments[i].equals("namespaces")) {
                String namespace = segments[i + 1];
                return findResource(getKey("/api/v1/namespaces/" + namespace)) == null ? namespace : null;
            }
        }
        return null;
    }

    private static MockResponse namespaceNotFound(String namespace) {
        return status(404, "NotFound", "namespaces \"" + namespace + "\" not found");
    }

    private static RecordedRequest jsonRequest(HttpMethod method, String path, JsonNode body) {
        Headers headers =
                Headers.builder().add("Content-Type", "application/json").build();
        return new RecordedRequest(
                "HTTP/1.1", method, path, headers, new Buffer(body.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse()
                .setResponseCode(code)
                .setHeader("Content-Type", "application/json")
                .setBody(body);
    }

    private static MockResponse status(int code, String reason, String message) {
        Map<String, Object> status = Map.of(
                "apiVersion",
                "v1",
                "kind",
                "Status",
                "status",
                "Failure",
                "code",
                code,
                "reason",
                reason,
                "message",
                message);
        try {
            return json(code, JSON.writeValueAsString(status));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> query(String path) {
        Map<String, String> params = new HashMap<>();
        int q = path.indexOf('?');
        if (q < 0) {
            return params;
        }
        for (String pair : path.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }
}
