package dev.driftless.audit.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.driftless.events.SealedSecrets;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps Secret values out of the change log: of every Secret in an event's {@code manifests}, the sealed payload is
 * dropped (the log would otherwise keep, for ever, ciphertext that a leaked key opens) and any value that is not a
 * keyed digest (an event from a version that did not seal, or a forged one) is replaced by {@value #REDACTED}. Which
 * keys a Secret has, and their digests (so which changed), are kept.
 */
public final class SecretValues {

    /** What a value that arrived in clear is stored as. */
    public static final String REDACTED = "(redacted)";

    private SecretValues() {}

    /** The data with every Secret of its {@code manifests} reduced to keys and digests; other data as it is. */
    public static JsonNode redacted(JsonNode data) {
        JsonNode manifests = data.path("manifests");
        if (!manifests.isArray() || !hasSecret(manifests)) {
            return data;
        }
        JsonNode copy = data.deepCopy();
        for (JsonNode manifest : copy.path("manifests")) {
            if (manifest instanceof ObjectNode object && isSecret(object)) {
                object.remove(SealedSecrets.FIELD);
                redactValues(object, "data");
                redactValues(object, "stringData");
                if (object.path("metadata").path("annotations") instanceof ObjectNode annotations) {
                    annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
                }
            }
        }
        return copy;
    }

    private static boolean hasSecret(JsonNode manifests) {
        for (JsonNode manifest : manifests) {
            if (isSecret(manifest)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isSecret(JsonNode manifest) {
        return "Secret".equals(manifest.path("kind").asText())
                && "v1".equals(manifest.path("apiVersion").asText());
    }

    private static void redactValues(ObjectNode secret, String field) {
        if (!(secret.get(field) instanceof ObjectNode values)) {
            if (secret.has(field) && !secret.get(field).isNull()) {
                secret.put(field, REDACTED);
            }
            return;
        }
        List<String> names = new ArrayList<>();
        values.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            JsonNode value = values.get(name);
            if (!value.isTextual() || !value.asText().startsWith(SealedSecrets.DIGEST_PREFIX)) {
                values.put(name, REDACTED);
            }
        }
    }
}
