package dev.driftless.audit.domain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.driftless.events.CloudEventExtensions;
import dev.driftless.events.ReceivedEvent;
import java.util.Map;

/**
 * Turns any received message into a change-log entry, whatever its shape: the indexed columns come from the
 * CloudEvent extensions first and the data second, and data that is not JSON is kept as text. Nothing is dropped.
 */
public final class Entries {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Entries() {}

    /**
     * The entry for a received event.
     *
     * @param fallbackId the id to use when the message carried no CloudEvent id
     */
    public static ChangeEntry of(ReceivedEvent event, String fallbackId) {
        JsonNode data = parse(event.json());
        Map<String, Object> ext = event.extensions();
        String commit = first(ext.get(CloudEventExtensions.COMMIT), text(data, "commit"), text(data, "after"));
        String application = first(ext.get(CloudEventExtensions.APPLICATION), text(data, "application"));
        String repository = first(ext.get(CloudEventExtensions.REPOSITORY), text(data, "repository"));
        String delivery = first(ext.get(CloudEventExtensions.DELIVERY_ID), text(data, "deliveryId"));
        String actor = first(text(data, "pusher"), text(data, "actor"));
        return new ChangeEntry(
                event.id() == null ? fallbackId : event.id(),
                event.type() == null ? "unknown" : event.type(),
                event.source(),
                event.subject(),
                event.time(),
                event.topic() == null ? "unknown" : event.topic(),
                event.key(),
                application,
                repository,
                commit,
                delivery,
                actor,
                text(data, "reason"),
                data.toString());
    }

    private static JsonNode parse(String json) {
        if (json == null) {
            return TextNode.valueOf("");
        }
        try {
            JsonNode node = JSON.readTree(json);
            return node == null ? TextNode.valueOf(json) : node;
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(json);
        }
    }

    private static String text(JsonNode data, String field) {
        JsonNode value = data.get(field);
        return value != null && value.isTextual() && !value.asText().isEmpty() ? value.asText() : null;
    }

    private static String first(Object... candidates) {
        for (Object candidate : candidates) {
            if (candidate != null && !String.valueOf(candidate).isEmpty()) {
                return String.valueOf(candidate);
            }
        }
        return null;
    }
}
