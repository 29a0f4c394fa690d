package dev.driftless.devstack.kube;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * fabric8's CRUD dispatcher extended with what the sandbox needs to behave like a real API server for the kinds
 * Driftless applies: server-side apply ({@code PATCH} with {@code application/apply-patch+yaml}, {@code fieldManager},
 * {@code force}), creating on apply, {@code dryRun=All} that changes nothing, and refusing namespaced objects whose
 * namespace does not exist. It also stands in for the controllers the sandbox does not run: after an object of a
 * kind {@link SimulatedStatus} knows is created or its spec changes, it writes that object's simulated status after
 * a delay, on a daemon thread, through the CRUD store so that reads and watches see it.
 */
final class SandboxDispatcher extends KubernetesCrudDispatcher implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();

    private static final Logger LOG = Logger.getLogger(SandboxDispatcher.class.getName());

    private final Object writes = new Object();
    private final ScheduledExecutorService simulator = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "sandbox-status-simulator");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, ScheduledFuture<?>> pending = new ConcurrentHashMap<>();
    private volatile Duration statusDelay;
    private volatile boolean simulatorWriting;

    SandboxDispatcher(Duration statusDelay) {
        statusDelay(statusDelay);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        MockResponse response = handle(request);
        java.nio.file.Path log = requestLog;
        if (log != null) {
            String who = String.valueOf(request.getHeader("Authorization"));
            String line = request.method() + " " + request.getPath() + " " + response.code() + " "
                    + who.substring(who.lastIndexOf(' ') + 1) + "\n";
            synchronized (this) {
                try {
                    java.nio.file.Files.writeString(
                            log,
                            line,
                            java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.APPEND);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
        return response;
    }

    private volatile java.nio.file.Path requestLog;

    /** Appends every request from now on to a file: method, path with query, response code, bearer token. */
    void recordRequestsTo(java.nio.file.Path file) {
        requestLog = file;
    }

    private MockResponse handle(RecordedRequest request) {
        HttpMethod method = request.method();
        if (method == HttpMethod.GET) {
            MockResponse discovered = discovery(request.getPath());
            if (discovered != null) {
                return discovered;
            }
            return readOne(request.getPath()).orElseGet(() -> super.dispatch(request));
        }
        String path = request.getPath();
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        synchronized (writes) {
            boolean statusWrite = bare.endsWith("/status");
            JsonNode before = statusWrite || method == HttpMethod.POST ? null : stored(bare);
            MockResponse response = write(request, method, path);
            boolean changes = method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH;
            if (changes && !statusWrite && response.code() < 300) {
                String object = method == HttpMethod.POST ? bare + "/" + createdName(response) : bare;
                if (getKey(object).containsKey("name")) {
                    afterWrite(object, before);
                }
            }
            return response;
        }
    }

    /**
     * The built-in kinds the sandbox serves, by group version: kind, plural and whether it is namespaced. A real API
     * server reads this from its registry; the sandbox, a stand-in, answers a fixed table of the kinds tests use.
     */
    private static final Map<String, java.util.List<String[]>> SERVED = Map.of(
            "v1",
            java.util.List.of(
                    new String[] {"ConfigMap", "configmaps", "true"},
                    new String[] {"Secret", "secrets", "true"},
                    new String[] {"Service", "services", "true"},
                    new String[] {"ServiceAccount", "serviceaccounts", "true"},
                    new String[] {"Pod", "pods", "true"},
                    new String[] {"PersistentVolumeClaim", "persistentvolumeclaims", "true"},
                    new String[] {"Namespace", "namespaces", "false"},
                    new String[] {"PersistentVolume", "persistentvolumes", "false"}),
            "apps/v1",
            java.util.List.of(
                    new String[] {"Deployment", "deployments", "true"},
                    new String[] {"StatefulSet", "statefulsets", "true"},
                    new String[] {"DaemonSet", "daemonsets", "true"},
                    new String[] {"ReplicaSet", "replicasets", "true"}),
            "batch/v1",
            java.util.List.of(new String[] {"Job", "jobs", "true"}, new String[] {"CronJob", "cronjobs", "true"}),
            "networking.k8s.io/v1",
            java.util.List.<String[]>of(new String[] {"Ingress", "ingresses", "true"}),
            "rbac.authorization.k8s.io/v1",
            java.util.List.of(
                    new String[] {"Role", "roles", "true"},
                    new String[] {"RoleBinding", "rolebindings", "true"},
                    new String[] {"ClusterRole", "clusterroles", "false"},
                    new String[] {"ClusterRoleBinding", "clusterrolebindings", "false"}),
            "apiextensions.k8s.io/v1",
            java.util.List.<String[]>of(
                    new String[] {"CustomResourceDefinition", "customresourcedefinitions", "false"}));

    /** The answer to a discovery request for one group version ({@code /api/v1}, {@code /apis/g/v}), or null. */
    private static MockResponse discovery(String path) {
        String groupVersion;
        if (path.equals("/api/v1")) {
            groupVersion = "v1";
        } else if (path.matches("^/apis/[^/?]+/[^/?]+$")) {
            groupVersion = path.substring("/apis/".length());
        } else {
            return null;
        }
        java.util.List<String[]> kinds = SERVED.get(groupVersion);
        if (kinds == null) {
            return new MockResponse().setResponseCode(404);
        }
        ObjectNode list = new ObjectMapper().createObjectNode();
        list.put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", groupVersion);
        ArrayNode resources = list.putArray("resources");
        for (String[] kind : kinds) {
            resources
                    .addObject()
                    .put("name", kind[1])
                    .put("singularName", "")
                    .put("kind", kind[0])
                    .put("namespaced", Boolean.parseBoolean(kind[2]));
        }
        return json(200, list.toString());
    }

    /**
     * A read of one object by name, answered through {@link #findResource}; empty for anything else (lists, watches,
     * selectors), which fabric8's dispatcher answers. Its own answer copies and scans the whole store on every read.
     */
    private java.util.Optional<MockResponse> readOne(String path) {
        if (path.contains("?")) {
            return java.util.Optional.empty();
        }
        AttributeSet query = attributeExtractor.fromPath(path);
        if (!query.containsKey(KubernetesAttributesExtractor.NAME)) {
            return java.util.Optional.empty();
        }
        Map.Entry<AttributeSet, String> found = findResource(query);
        return java.util.Optional.of(
                found == null ? new MockResponse().setResponseCode(404) : json(200, found.getValue()));
    }

    /**
     * The stored objects by name: the keys of fabric8's store, kept in step with it by {@link #processEvent} (through
     * which every create, change and delete passes), so finding an object by name reads a few candidates instead of
     * matching every attribute of every stored object (fabric8's own search; ~10,000 objects with 1,000
     * applications).
     */
    private final Map<Attribute, java.util.Set<AttributeSet>> byName = new ConcurrentHashMap<>();

    /** Set if the index ever disagrees with the store; every lookup then searches the way fabric8 does. */
    private volatile boolean indexUnreliable;

    @Override
    public void processEvent(
            String path, AttributeSet query, AttributeSet previous, GenericKubernetesResource resource, String stored) {
        super.processEvent(path, query, previous, resource, stored);
        if (previous != null) {
            Attribute name = previous.getAttribute(KubernetesAttributesExtractor.NAME);
            if (name != null) {
                byName.computeIfPresent(name, (n, keys) -> {
                    keys.remove(previous);
                    return keys.isEmpty() ? null : keys;
                });
            }
        }
        if (stored != null) {
            // the key fabric8's processEvent stored the object under, computed as it does
            KubernetesAttributesExtractor extractor = (KubernetesAttributesExtractor) attributeExtractor;
            AttributeSet key = resource != null ? extractor.extract(resource) : extractor.fromResource(stored);
            if (!key.containsKey(KubernetesAttributesExtractor.PLURAL)) {
                key = AttributeSet.merge(query, key);
            }
            Attribute name = key.getAttribute(KubernetesAttributesExtractor.NAME);
            if (name == null || !stored.equals(map.get(key))) {
                indexUnreliable = true;
                LOG.warning("the sandbox's name index lost step with its store at " + path
                        + "; lookups search the whole store from now on");
                return;
            }
            byName.computeIfAbsent(name, n -> ConcurrentHashMap.newKeySet()).add(key);
        }
    }

    @Override
    public void reset() {
        super.reset();
        byName.clear();
    }

    /**
     * The stored object a query names, as fabric8's dispatcher finds it (an entry whose attributes match the query),
     * from the name index. Queries without a plain name go to fabric8's own search.
     */
    @Override
    public Map.Entry<AttributeSet, String> findResource(AttributeSet query) {
        Attribute name = query.getAttribute(KubernetesAttributesExtractor.NAME);
        if (name == null || name.getType() != AttributeType.WITH || indexUnreliable) {
            return super.findResource(query);
        }
        for (AttributeSet key : byName.getOrDefault(name, java.util.Set.of())) {
            String stored = map.get(key);
            if (stored != null && key.matches(query)) {
                return Map.entry(key, stored);
            }
        }
        return null;
    }

    /**
     * Annotation that makes the sandbox answer the first server-side apply of the object with 503, as an API server
     * under load or restarting does: for tests of retries.
     */
    static final String FAIL_ONCE = "sandbox.driftless.dev/fail-first-apply";

    private final java.util.Set<String> failedOnce = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private MockResponse write(RecordedRequest request, HttpMethod method, String path) {
        Map<String, String> query = query(path);
        String contentType = request.getHeader("Content-Type");
        if (method == HttpMethod.PATCH && contentType != null && contentType.startsWith("application/apply-patch")) {
            String body = request.getUtf8Body();
            String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
            if (body.contains(FAIL_ONCE) && !"All".equals(query.get("dryRun")) && failedOnce.add(bare)) {
                return status(
                        503,
                        "ServiceUnavailable",
                        "the sandbox fails the first apply of this object (" + FAIL_ONCE + ")");
            }
            return serverSideApply(path, query, body);
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

    /**
     * As on a real API server, the simulated kinds have a status subresource: writes to the object keep its status
     * and only writes to {@code /status} (or the simulator's own) change it.
     */
    @Override
    public boolean isStatusSubresourceEnabledForResource(String path) {
        return !simulatorWriting
                && (SimulatedStatus.simulatesPath(path) || super.isStatusSubresourceEnabledForResource(path));
    }

    /** Sets the delay before a created or changed object gets its simulated status; zero writes it at once. */
    void statusDelay(Duration delay) {
        this.statusDelay = Objects.requireNonNull(delay, "delay");
    }

    /** Schedules the simulated status when an object of a simulated kind was created or its spec changed. */
    private void afterWrite(String path, JsonNode before) {
        JsonNode after = stored(path);
        if (after == null || !SimulatedStatus.simulates(after) || before != null && sameRollout(before, after)) {
            return;
        }
        Duration delay = SimulatedStatus.delay(after, statusDelay);
        ScheduledFuture<?> previous;
        if (delay.isZero()) {
            previous = pending.remove(path);
            writeStatus(path);
        } else {
            previous = pending.put(path, simulator.schedule(() -> simulate(path), delay.toMillis(), MILLISECONDS));
        }
        if (previous != null) {
            previous.cancel(false);
        }
    }

    private static boolean sameRollout(JsonNode before, JsonNode after) {
        JsonNode b = before.path("metadata");
        JsonNode a = after.path("metadata");
        return b.path("uid").equals(a.path("uid"))
                && b.path("generation").equals(a.path("generation"))
                && b.path("annotations")
                        .path(SimulatedStatus.SIMULATE)
                        .equals(a.path("annotations").path(SimulatedStatus.SIMULATE));
    }

    private void simulate(String path) {
        try {
            synchronized (writes) {
                writeStatus(path);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot write the simulated status of " + path, e);
        }
    }

    /**
     * Writes the simulated status into the stored object through the CRUD dispatcher (new resourceVersion, watch
     * event {@code MODIFIED}, generation unchanged), recorded under its own field manager. Callers hold
     * {@link #writes}.
     */
    private void writeStatus(String path) {
        JsonNode stored = stored(path);
        ObjectNode status = stored == null ? null : SimulatedStatus.of(stored);
        if (status == null) {
            return;
        }
        ObjectNode object = (ObjectNode) stored;
        object.set("status", status);
        ObjectNode metadata = (ObjectNode) object.get("metadata");
        ArrayNode managedFields = JSON.createArrayNode();
        for (JsonNode entry : metadata.path("managedFields")) {
            if (!SimulatedStatus.MANAGER.equals(entry.path("manager").asText())) {
                managedFields.add(entry);
            }
        }
        managedFields.add(
                SimulatedStatus.managedFieldsEntry(object.path("apiVersion").asText(), status));
        metadata.set("managedFields", managedFields);
        simulatorWriting = true;
        try {
            MockResponse response = handleUpdate(jsonRequest(HttpMethod.PUT, path, object));
            if (response.code() >= 300) {
                LOG.warning("cannot write the simulated status of " + path + ": HTTP " + response.code());
            }
        } finally {
            simulatorWriting = false;
        }
    }

    private JsonNode stored(String path) {
        Map.Entry<AttributeSet, String> found = findResource(getKey(path));
        try {
            return found == null ? null : JSON.readTree(found.getValue());
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String createdName(MockResponse response) {
        try {
            Buffer body = response.getBody();
            return body == null
                    ? ""
                    : JSON.readTree(body.getBytes())
                            .path("metadata")
                            .path("name")
                            .asText();
        } catch (IOException e) {
            return "";
        }
    }

    /** Stops the simulator; pending status writes are dropped. */
    @Override
    public void close() {
        simulator.shutdownNow();
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
