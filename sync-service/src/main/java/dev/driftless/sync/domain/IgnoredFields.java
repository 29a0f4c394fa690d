package dev.driftless.sync.domain;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.events.IgnoreDifference;
import dev.driftless.events.ProjectRules;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The fields an application leaves to others ({@code spec.ignoreDifferences}): what is applied carries their live
 * values (or leaves them out where the live object has none), so applying changes nothing there, a dry run finds no
 * difference there, and self-heal never fights whoever owns them. Fields are named by JSON pointer, or are those the
 * live object's {@code managedFields} give to the named managers. An object that does not exist yet is created as
 * Git has it.
 */
public final class IgnoredFields {

    private static final ObjectMapper JSON = new ObjectMapper();

    private IgnoredFields() {}

    /** The rules that match an object. */
    public static List<IgnoreDifference> matching(List<IgnoreDifference> rules, ObjectRef ref) {
        String group = ProjectRules.groupOf(ref.apiVersion());
        return rules.stream()
                .filter(r -> r.matches(group, ref.kind(), ref.namespace(), ref.name()))
                .toList();
    }

    /**
     * The desired object with every field the rules name set to its live value, or removed where the live object has
     * none. The desired object is not changed; without rules or a live object it is returned as it is.
     */
    public static Map<String, Object> keepLive(
            Map<String, Object> desired, List<IgnoreDifference> rules, Map<String, Object> live) {
        if (rules.isEmpty() || live == null) {
            return desired;
        }
        List<List<Segment>> paths = new ArrayList<>();
        for (IgnoreDifference rule : rules) {
            rule.jsonPointers().forEach(pointer -> paths.add(pointerPath(pointer)));
            for (String expression : rule.jsonPaths()) {
                // the fields it names in either object: kept as they are live, or left out where live has none
                paths.addAll(jsonPathPaths(expression, live));
                paths.addAll(jsonPathPaths(expression, desired));
            }
            if (!rule.managedFieldsManagers().isEmpty()) {
                paths.addAll(ownedBy(live, rule.managedFieldsManagers()));
            }
        }
        Map<String, Object> kept = copy(desired);
        for (List<Segment> path : paths) {
            if (path.isEmpty()) {
                continue;
            }
            Optional<Object> value = resolve(live, path);
            if (value.isPresent()) {
                set(kept, path, value.get());
            } else {
                remove(kept, path);
            }
        }
        return kept;
    }

    /** One step of a path: a field of an object, the element of a list with these key fields, or an index. */
    sealed interface Segment {}

    record Field(String name) implements Segment {}

    record Keyed(Map<String, Object> keys) implements Segment {}

    record Index(int index) implements Segment {}

    /** A JSON pointer as a path: a numeric token is an index where the node is a list, a field otherwise. */
    static List<Segment> pointerPath(String pointer) {
        List<Segment> path = new ArrayList<>();
        for (JsonPointer p = JsonPointer.compile(pointer); !p.matches(); p = p.tail()) {
            path.add(p.mayMatchElement() ? new Index(p.getMatchingIndex()) : new Field(p.getMatchingProperty()));
        }
        return path;
    }

    private static final com.jayway.jsonpath.Configuration PATHS = com.jayway.jsonpath.Configuration.builder()
            .jsonProvider(new com.jayway.jsonpath.spi.json.JacksonJsonProvider())
            .mappingProvider(new com.jayway.jsonpath.spi.mapper.JacksonMappingProvider())
            .options(
                    com.jayway.jsonpath.Option.AS_PATH_LIST,
                    com.jayway.jsonpath.Option.SUPPRESS_EXCEPTIONS,
                    com.jayway.jsonpath.Option.ALWAYS_RETURN_LIST)
            .build();

    private static final java.util.regex.Pattern PATH_STEP =
            java.util.regex.Pattern.compile("\\['((?:[^'\\\\]|\\\\.)*)'\\]|\\[(\\d+)\\]");

    /** The concrete paths a JSONPath expression names in an object ({@code $['spec']['replicas']}, as segments). */
    static List<List<Segment>> jsonPathPaths(String expression, Map<String, Object> object) {
        List<List<Segment>> paths = new ArrayList<>();
        List<String> found =
                com.jayway.jsonpath.JsonPath.using(PATHS).parse(object).read(expression);
        for (String concrete : found == null ? List.<String>of() : found) {
            List<Segment> path = new ArrayList<>();
            java.util.regex.Matcher m = PATH_STEP.matcher(concrete);
            while (m.find()) {
                path.add(
                        m.group(1) != null
                                ? new Field(m.group(1).replace("\\'", "'"))
                                : new Index(Integer.parseInt(m.group(2))));
            }
            paths.add(path);
        }
        return paths;
    }

    /**
     * The paths of the fields the named managers own in the live object ({@code FieldsV1}: {@code f:} a field,
     * {@code k:} a list element by its keys, {@code i:} by index; a {@code v:} set member and a bare {@code .} mark
     * are not fields of their own and are left).
     */
    @SuppressWarnings("unchecked")
    static List<List<Segment>> ownedBy(Map<String, Object> live, List<String> managers) {
        List<List<Segment>> paths = new ArrayList<>();
        if (!(live.get("metadata") instanceof Map<?, ?> metadata)
                || !(metadata.get("managedFields") instanceof List<?> entries)) {
            return paths;
        }
        for (Object each : entries) {
            if (each instanceof Map<?, ?> entry
                    && managers.contains(String.valueOf(entry.get("manager")))
                    && entry.get("fieldsV1") instanceof Map<?, ?> fields) {
                leaves((Map<String, Object>) fields, new ArrayList<>(), paths);
            }
        }
        return paths;
    }

    @SuppressWarnings("unchecked")
    private static void leaves(Map<String, Object> fields, List<Segment> at, List<List<Segment>> into) {
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            String key = e.getKey();
            Segment step;
            if (key.startsWith("f:")) {
                step = new Field(key.substring(2));
            } else if (key.startsWith("k:")) {
                try {
                    step = new Keyed(JSON.readValue(key.substring(2), Map.class));
                } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                    continue;
                }
            } else if (key.startsWith("i:")) {
                try {
                    step = new Index(Integer.parseInt(key.substring(2)));
                } catch (NumberFormatException ex) {
                    continue;
                }
            } else {
                continue; // "." (the node itself) and v: (a member of a set of values)
            }
            List<Segment> path = new ArrayList<>(at);
            path.add(step);
            Map<String, Object> children = e.getValue() instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
            if (children.keySet().stream().allMatch(k -> k.equals("."))) {
                into.add(path);
            } else {
                leaves(children, path, into);
            }
        }
    }

    private static Optional<Object> resolve(Object node, List<Segment> path) {
        Object current = node;
        for (Segment step : path) {
            current = child(current, step);
            if (current == null) {
                return Optional.empty();
            }
        }
        return Optional.of(current);
    }

    private static Object child(Object node, Segment step) {
        if (step instanceof Field field && node instanceof Map<?, ?> map) {
            return map.get(field.name());
        }
        if (step instanceof Index index && node instanceof Map<?, ?> map) {
            return map.get(String.valueOf(index.index())); // a pointer's numeric token names a field of an object
        }
        if (node instanceof List<?> list) {
            if (step instanceof Index index) {
                return index.index() < list.size() ? list.get(index.index()) : null;
            }
            if (step instanceof Keyed keyed) {
                return list.stream()
                        .filter(item -> item instanceof Map<?, ?> m
                                && keyed.keys().entrySet().stream()
                                        .allMatch(k -> Objects.equals(
                                                String.valueOf(m.get(k.getKey())), String.valueOf(k.getValue()))))
                        .findFirst()
                        .orElse(null);
            }
            if (step instanceof Field field && field.name().matches("\\d+")) {
                int i = Integer.parseInt(field.name());
                return i < list.size() ? list.get(i) : null;
            }
        }
        return null;
    }

    /** Sets a value, creating missing objects on the way; a missing list element leaves it unset (not applied). */
    @SuppressWarnings("unchecked")
    private static void set(Map<String, Object> root, List<Segment> path, Object value) {
        Object current = root;
        for (int i = 0; i < path.size() - 1; i++) {
            Object next = child(current, path.get(i));
            if (next == null) {
                if (!(path.get(i) instanceof Field field) || !(current instanceof Map<?, ?>)) {
                    return;
                }
                next = new LinkedHashMap<String, Object>();
                ((Map<String, Object>) current).put(field.name(), next);
            }
            current = next;
        }
        Segment last = path.get(path.size() - 1);
        if (last instanceof Field field && current instanceof Map<?, ?>) {
            ((Map<String, Object>) current).put(field.name(), copyValue(value));
        } else if (last instanceof Index index && current instanceof Map<?, ?>) {
            ((Map<String, Object>) current).put(String.valueOf(index.index()), copyValue(value));
        } else if (current instanceof List<?> list) {
            Object element = child(list, last);
            if (element != null) {
                ((List<Object>) list).set(list.indexOf(element), copyValue(value));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void remove(Map<String, Object> root, List<Segment> path) {
        Object parent = resolve(root, path.subList(0, path.size() - 1)).orElse(null);
        Segment last = path.get(path.size() - 1);
        if (last instanceof Field field && parent instanceof Map<?, ?> map) {
            ((Map<String, Object>) map).remove(field.name());
        } else if (last instanceof Index index && parent instanceof Map<?, ?> map) {
            ((Map<String, Object>) map).remove(String.valueOf(index.index()));
        } else if (parent instanceof List<?> list) {
            Object element = child(list, last);
            if (element != null) {
                Iterator<?> it = list.iterator();
                while (it.hasNext()) {
                    if (it.next() == element) {
                        it.remove();
                        break;
                    }
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> copy(Map<String, Object> source) {
        return (Map<String, Object>) copyValue(source);
    }

    @SuppressWarnings("unchecked")
    private static Object copyValue(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            ((Map<String, Object>) map).forEach((k, v) -> copy.put(k, copyValue(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(copyValue(v)));
            return copy;
        }
        return value;
    }
}
