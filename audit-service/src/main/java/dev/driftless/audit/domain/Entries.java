package dev.driftless.audit.domain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.driftless.events.CloudEventExtensions;
import dev.driftless.events.EventSchemas;
import dev.driftless.events.EventType;
import dev.driftless.events.ReceivedEvent;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns any received message into a change-log entry, whatever its shape: the indexed columns come from the
 * CloudEvent extensions first and the data second; data that is not JSON is kept as text; a message that is not a
 * Driftless CloudEvent, or whose data does not match its type's schema, is kept and marked rejected with the
 * reason. Nothing is dropped.
 */
public final class Entries {

    /** Rejection reason: the message had no CloudEvent id or type. */
    public static final String NOT_A_CLOUD_EVENT = "NotACloudEvent";
    /** Rejection reason: a CloudEvent type Driftless does not know. */
    public static final String UNKNOWN_TYPE = "EventTypeUnknown";
    /** Rejection reason: data that is not JSON or does not match the type's schema. */
    public static final String SCHEMA_VIOLATION = "SchemaViolation";

    private Entries() {}

    /**
     * The entry for a received event.
     *
     * @param fallbackId the id to use when the message carried no CloudEvent id
     */
    public static ChangeEntry of(ReceivedEvent event, String fallbackId) {
        Optional<JsonNode> parsed = parse(event.json());
        JsonNode data = parsed.orElseGet(() -> TextNode.valueOf(event.json() == null ? "" : event.json()));
        String rejection = rejection(event, parsed);
        Map<String, Object> ext = event.extensions();
        // a valid Driftless event is read through its record; anything else (kept, rejected) by field name
        Indexed indexed = rejection == null ? typed(event) : byName(data);
        String commit = first(ext.get(CloudEventExtensions.COMMIT), indexed.commit());
        String application = first(ext.get(CloudEventExtensions.APPLICATION), indexed.application());
        String repository = first(ext.get(CloudEventExtensions.REPOSITORY), indexed.repository());
        String delivery = first(ext.get(CloudEventExtensions.DELIVERY_ID), indexed.deliveryId());
        String actor = indexed.actor();
        return new ChangeEntry(
                event.id() == null ? fallbackId : event.id(),
                event.type() == null ? "unknown" : event.type(),
                event.source(),
                event.subject(),
                event.time() == null ? null : event.time().truncatedTo(ChronoUnit.MICROS),
                event.topic() == null ? "unknown" : event.topic(),
                event.key(),
                application,
                repository,
                commit,
                delivery,
                actor,
                indexed.reason(),
                Canonical.json(structured(event, SecretValues.redacted(data))),
                rejection != null,
                rejection);
    }

    /** Rejection reason: the database cannot store the event as it came (e.g. text with a NUL character). */
    public static final String UNSTORABLE = "DataUnstorable";

    /**
     * The entry for an event the database refused as it was: marked rejected, with NUL characters escaped as
     * visible text in every field, so the record is kept and says what was wrong.
     */
    public static ChangeEntry unstorable(ChangeEntry e, String problem) {
        return new ChangeEntry(
                clean(e.eventId()),
                clean(e.type()),
                clean(e.source()),
                clean(e.subject()),
                e.eventTime(),
                clean(e.topic()),
                clean(e.key()),
                clean(e.application()),
                clean(e.repository()),
                clean(e.commit()),
                clean(e.deliveryId()),
                clean(e.actor()),
                clean(e.reason()),
                e.eventJson().replace("\\u0000", "\\\\u0000").replace("\u0000", "\\u0000"),
                true,
                UNSTORABLE + ": " + clean(problem));
    }

    private static String clean(String text) {
        return text == null ? null : text.replace("\u0000", "\\u0000");
    }

    /** The event in CloudEvents' structured JSON format: its attributes, every extension, and its data. */
    static ObjectNode structured(ReceivedEvent event, JsonNode data) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        if (event.id() != null && event.type() != null) {
            json.put("specversion", "1.0");
        }
        json.put("id", event.id());
        json.put("type", event.type());
        json.put("source", event.source());
        json.put("subject", event.subject());
        json.put(
                "time",
                event.time() == null
                        ? null
                        : event.time().truncatedTo(ChronoUnit.MICROS).toString());
        json.put("datacontenttype", "application/json");
        event.extensions().forEach((name, value) -> json.put(name, value == null ? null : String.valueOf(value)));
        json.set("data", data);
        return json;
    }

    private static String rejection(ReceivedEvent event, Optional<JsonNode> data) {
        if (event.id() == null || event.type() == null) {
            return NOT_A_CLOUD_EVENT + ": no ce_id or ce_type header";
        }
        Optional<EventType> type = EventType.of(event.type());
        if (type.isEmpty()) {
            return UNKNOWN_TYPE + ": " + event.type();
        }
        if (data.isEmpty()) {
            return SCHEMA_VIOLATION + ": the data is not JSON";
        }
        List<String> problems = EventSchemas.problems(type.get(), data.get());
        return problems.isEmpty() ? null : SCHEMA_VIOLATION + ": " + String.join("; ", problems);
    }

    private static Optional<JsonNode> parse(String json) {
        if (json == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(Canonical.MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** The columns of a valid event, from its record. */
    private static Indexed typed(ReceivedEvent event) {
        try {
            return Indexed.of(dev.driftless.events.EventCodec.decode(event.type(), event.json()));
        } catch (RuntimeException e) {
            return Indexed.NONE; // it matched its schema, so this is not expected; the event is still kept whole
        }
    }

    /** The columns of an event of unknown shape (rejected, but kept), by the field names Driftless's events use. */
    private static Indexed byName(JsonNode data) {
        return new Indexed(
                text(data, "application"),
                text(data, "repository"),
                first(text(data, "commit"), text(data, "after")),
                text(data, "deliveryId"),
                first(text(data, "pusher"), text(data, "actor")),
                text(data, "reason"));
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
