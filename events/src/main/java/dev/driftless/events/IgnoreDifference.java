package dev.driftless.events;

import java.util.List;

/**
 * Differences an application leaves to others in the objects it matches ({@code spec.ignoreDifferences}, as Argo CD
 * users write them): the fields named by JSON pointer, and the fields the named field managers own (an autoscaler's
 * {@code spec.replicas}). sync-service keeps their live values when it applies, so they are never reported as drift,
 * never in a diff, never fought by self-heal and never overwritten.
 *
 * @param group API group of the objects it matches ({@code ""} or {@code null} for the core group)
 * @param kind kind of the objects it matches
 * @param name name of the one object it matches; {@code null} for every object of the kind
 * @param namespace namespace of the objects it matches; {@code null} for any
 * @param jsonPointers RFC 6901 pointers into the object ({@code /spec/replicas})
 * @param managedFieldsManagers field managers whose fields are theirs ({@code kube-controller-manager})
 * @param jsonPaths JSONPath expressions naming fields, several at once
 *     ({@code $.spec.template.spec.containers[*].image})
 */
public record IgnoreDifference(
        String group,
        String kind,
        String name,
        String namespace,
        List<String> jsonPointers,
        List<String> managedFieldsManagers,
        List<String> jsonPaths) {

    public IgnoreDifference {
        group = group == null ? "" : group;
        jsonPointers = jsonPointers == null ? List.of() : List.copyOf(jsonPointers);
        managedFieldsManagers = managedFieldsManagers == null ? List.of() : List.copyOf(managedFieldsManagers);
        jsonPaths = jsonPaths == null ? List.of() : List.copyOf(jsonPaths);
    }

    /** A rule by JSON pointer and field manager only. */
    public IgnoreDifference(
            String group,
            String kind,
            String name,
            String namespace,
            List<String> jsonPointers,
            List<String> managedFieldsManagers) {
        this(group, kind, name, namespace, jsonPointers, managedFieldsManagers, null);
    }

    /** Whether it applies to an object of this API group, kind, namespace and name. */
    public boolean matches(String objectGroup, String objectKind, String objectNamespace, String objectName) {
        return group.equals(objectGroup == null ? "" : objectGroup)
                && kind.equals(objectKind)
                && (name == null || name.equals(objectName))
                && (namespace == null || namespace.equals(objectNamespace));
    }
}
