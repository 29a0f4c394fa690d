package dev.driftless.devstack.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Server-side apply as the Kubernetes API server does it, for the sandbox: each field manager owns the fields it
 * applied (recorded in {@code metadata.managedFields} as {@code FieldsV1}); applying again sets the fields applied
 * now and removes the fields this manager applied before and no longer applies, unless another manager owns them
 * too. Applying a field another manager owns with a different value is a conflict unless forced, and forcing takes
 * the field over. Lists are atomic (replaced whole), as for lists without merge keys; {@code status} and
 * server-set metadata are never applied. Entries of other operations (the sandbox's status writes, recorded as
 * {@code Update}) are kept as they are.
 */
final class ServerSideApply {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> SERVER_METADATA =
            Set.of("resourceVersion", "uid", "creationTimestamp", "generation", "managedFields", "selfLink");

    /** The object to store and whether anything about it changed. */
    record Result(ObjectNode object, boolean changed) {}

    /** Another manager owns fields this apply would change, and it was not forced. */
    static final class ConflictException extends Exception {
        ConflictException(String message) {
            super(message);
        }
    }

    private ServerSideApply() {}

    static Result apply(ObjectNode existing, ObjectNode applied, String manager, boolean force)
            throws ConflictException {
        Objects.requireNonNull(manager, "fieldManager");
        applied = appliable(applied);
        ObjectNode result = existing == null ? NODES.objectNode() : existing.deepCopy();
        Map<String, Set<List<String>>> owners = readManagedFields(existing);
        Set<List<String>> appliedFields = new LinkedHashSet<>();
        collectFields(applied, new ArrayList<>(), appliedFields);

        List<String> conflicts = new ArrayList<>();
        for (var entry : owners.entrySet()) {
            if (entry.getKey().equals(manager)) {
                continue;
            }
            for (List<String> field : appliedFields) {
                if (entry.getValue().contains(field) && !Objects.equals(at(result, field), at(applied, field))) {
                    conflicts.add(entry.getKey() + " owns ." + String.join(".", field));
                }
            }
        }
        if (!conflicts.isEmpty()) {
            if (!force) {
                throw new ConflictException(
                        "Apply failed with " + conflicts.size() + " conflict(s): " + String.join("; ", conflicts));
            }
            owners.forEach((other, fields) -> {
                if (!other.equals(manager)) {
                    fields.removeAll(appliedFields);
                }
            });
        }

        Set<List<String>> previouslyApplied = owners.getOrDefault(manager, Set.of());
        for (List<String> field : previouslyApplied) {
            boolean stillApplied = appliedFields.contains(field);
            boolean ownedByOthers = owners.entrySet().stream()
                    .anyMatch(e -> !e.getKey().equals(manager) && e.getValue().contains(field));
            if (!stillApplied && !ownedByOthers) {
                remove(result, field);
            }
        }
        merge(result, applied);

        owners.put(manager, appliedFields);
        owners.values().removeIf(Set::isEmpty);

        ObjectNode before = existing == null ? null : withoutManagedFields(existing);
        boolean changed = before == null
                || !before.equals(withoutManagedFields(result))
                || !owners.equals(readManagedFields(existing));
        ObjectNode metadata = metadata(result);
        if (changed || existing == null) {
            ArrayNode managedFields =
                    writeManagedFields(owners, applied.path("apiVersion").asText());
            if (existing != null) {
                for (JsonNode entry : existing.path("metadata").path("managedFields")) {
                    if (!"Apply".equals(entry.path("operation").asText())) {
                        managedFields.add(entry.deepCopy());
                    }
                }
            }
            metadata.set("managedFields", managedFields);
        }
        return new Result(result, changed);
    }

    static Map<String, Set<List<String>>> readManagedFields(JsonNode object) {
        Map<String, Set<List<String>>> owners = new LinkedHashMap<>();
        if (object == null) {
            return owners;
        }
        for (JsonNode entry : object.path("metadata").path("managedFields")) {
            if (!"Apply".equals(entry.path("operation").asText())) {
                continue;
            }
            Set<List<String>> fields = new LinkedHashSet<>();
            readFieldsV1(entry.path("fieldsV1"), new ArrayList<>(), fields);
            owners.put(entry.path("manager").asText(), fields);
        }
        return owners;
    }

    private static void readFieldsV1(JsonNode node, List<String> path, Set<List<String>> into) {
        if (!node.isObject() || node.isEmpty()) {
            if (!path.isEmpty()) {
                into.add(List.copyOf(path));
            }
            return;
        }
        node.fieldNames().forEachRemaining(key -> {
            if (key.startsWith("f:")) {
                path.add(key.substring(2));
                readFieldsV1(node.get(key), path, into);
                path.remove(path.size() - 1);
            }
        });
    }

    private static ArrayNode writeManagedFields(Map<String, Set<List<String>>> owners, String apiVersion) {
        ArrayNode list = NODES.arrayNode();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        owners.forEach((manager, fields) -> {
            ObjectNode fieldsV1 = NODES.objectNode();
            for (List<String> field : fields) {
                ObjectNode at = fieldsV1;
                for (String segment : field) {
                    JsonNode next = at.get("f:" + segment);
                    if (next == null) {
                        next = at.putObject("f:" + segment);
                    }
                    at = (ObjectNode) next;
                }
            }
            ObjectNode entry = list.addObject();
            entry.put("manager", manager);
            entry.put("operation", "Apply");
            entry.put("apiVersion", apiVersion);
            entry.put("time", now);
            entry.put("fieldsType", "FieldsV1");
            entry.set("fieldsV1", fieldsV1);
        });
        return list;
    }

    private static void collectFields(JsonNode node, List<String> path, Set<List<String>> into) {
        if (node.isObject() && !node.isEmpty()) {
            node.fields().forEachRemaining(field -> {
                String key = field.getKey();
                if (path.isEmpty() && (key.equals("apiVersion") || key.equals("kind"))) {
                    return;
                }
                if (path.size() == 1
                        && path.get(0).equals("metadata")
                        && (key.equals("name") || key.equals("namespace"))) {
                    return;
                }
                path.add(key);
                collectFields(field.getValue(), path, into);
                path.remove(path.size() - 1);
            });
        } else if (!path.isEmpty()) {
            into.add(List.copyOf(path));
        }
    }

    private static JsonNode at(JsonNode root, List<String> field) {
        JsonNode node = root;
        for (String segment : field) {
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(segment);
        }
        return node;
    }

    private static void remove(ObjectNode root, List<String> field) {
        List<ObjectNode> parents = new ArrayList<>();
        JsonNode node = root;
        for (int i = 0; i < field.size() - 1; i++) {
            node = node.get(field.get(i));
            if (node == null || !node.isObject()) {
                return;
            }
            parents.add((ObjectNode) node);
        }
        ObjectNode parent = parents.isEmpty() ? root : parents.get(parents.size() - 1);
        parent.remove(field.get(field.size() - 1));
        for (int i = parents.size() - 1; i >= 0 && parents.get(i).isEmpty(); i--) {
            ObjectNode holder = i == 0 ? root : parents.get(i - 1);
            holder.remove(field.get(i));
        }
    }

    private static void merge(ObjectNode target, JsonNode applied) {
        Iterator<Map.Entry<String, JsonNode>> fields = applied.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            JsonNode current = target.get(field.getKey());
            if (value.isObject() && !value.isEmpty() && current instanceof ObjectNode currentObject) {
                merge(currentObject, value);
            } else {
                target.set(field.getKey(), value.deepCopy());
            }
        }
    }

    /** The applied object without what apply never sets: status and server-set metadata. */
    private static ObjectNode appliable(ObjectNode applied) {
        ObjectNode copy = applied.deepCopy();
        copy.remove("status");
        if (copy.get("metadata") instanceof ObjectNode m) {
            m.remove(SERVER_METADATA);
        }
        return copy;
    }

    private static ObjectNode metadata(ObjectNode object) {
        JsonNode metadata = object.get("metadata");
        return metadata instanceof ObjectNode m ? m : object.putObject("metadata");
    }

    private static ObjectNode withoutManagedFields(ObjectNode object) {
        ObjectNode copy = object.deepCopy();
        if (copy.get("metadata") instanceof ObjectNode m) {
            m.remove("managedFields");
        }
        return copy;
    }
}
