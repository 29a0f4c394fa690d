package dev.driftless.events;

import io.smallrye.reactive.messaging.ce.IncomingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * A Driftless event as a consumer receives it from Kafka: the CloudEvent attributes from the {@code ce_*} headers,
 * the Kafka coordinates, and the JSON data still undecoded, so a consumer can route on the type and dead-letter what
 * it cannot read without losing it.
 *
 * @param id CloudEvent id, {@code null} if the message was not a CloudEvent
 * @param type CloudEvent type, {@code null} if the message was not a CloudEvent
 * @param source CloudEvent source
 * @param subject CloudEvent subject
 * @param time CloudEvent time
 * @param extensions CloudEvent extension attributes
 * @param topic the topic it came from
 * @param key its Kafka key
 * @param json the data
 */
public record ReceivedEvent(
        String id,
        String type,
        String source,
        String subject,
        Instant time,
        Map<String, Object> extensions,
        String topic,
        String key,
        String json) {

    /** Reads the attributes SmallRye's Kafka connector attached to an incoming message. */
    @SuppressWarnings("unchecked")
    public static ReceivedEvent of(Message<String> message) {
        Optional<IncomingCloudEventMetadata<String>> ce =
                message.getMetadata(IncomingCloudEventMetadata.class).map(m -> (IncomingCloudEventMetadata<String>) m);
        Optional<IncomingKafkaRecordMetadata<String, String>> kafka = message.getMetadata(
                        IncomingKafkaRecordMetadata.class)
                .map(m -> (IncomingKafkaRecordMetadata<String, String>) m);
        return new ReceivedEvent(
                ce.map(IncomingCloudEventMetadata::getId).orElse(null),
                ce.map(IncomingCloudEventMetadata::getType).orElse(null),
                ce.map(m -> String.valueOf(m.getSource())).orElse(null),
                ce.flatMap(IncomingCloudEventMetadata::getSubject).orElse(null),
                ce.flatMap(IncomingCloudEventMetadata::getTimeStamp)
                        .map(t -> t.toInstant())
                        .orElse(null),
                ce.map(IncomingCloudEventMetadata::getExtensions).orElse(Map.of()),
                kafka.map(IncomingKafkaRecordMetadata::getTopic).orElse(null),
                kafka.map(IncomingKafkaRecordMetadata::getKey).orElse(null),
                message.getPayload());
    }

    /**
     * The data decoded as the record of its CloudEvent type, once it has passed the type's JSON Schema (required
     * fields present, formats and bounds kept): Kafka is not a trust boundary, and an event with a missing field would
     * otherwise fail deep inside a consumer, again on every redelivery.
     *
     * @throws EventMalformedException when the message is not a Driftless CloudEvent or its data does not fit its
     *     schema or record
     */
    public Record data() {
        if (type == null) {
            throw new EventMalformedException("not a CloudEvent: no ce_type header");
        }
        EventType known =
                EventType.of(type).orElseThrow(() -> new EventMalformedException("unknown event type " + type));
        if (json == null || json.isBlank()) {
            throw new EventMalformedException("empty event data for " + type);
        }
        com.fasterxml.jackson.databind.JsonNode tree;
        try {
            tree = EventCodec.mapper().readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new EventMalformedException("event data is not JSON: " + e.getOriginalMessage());
        }
        java.util.List<String> problems = EventSchemas.problems(known, tree);
        if (!problems.isEmpty()) {
            throw new EventMalformedException("event data does not match the schema of " + type + ": "
                    + String.join("; ", problems.subList(0, Math.min(10, problems.size())))
                    + (problems.size() > 10 ? " (and " + (problems.size() - 10) + " more)" : ""));
        }
        return EventCodec.decode(known.dataClass(), json);
    }

    /** The dead letter that sets this event aside with a reason. */
    public DeadLetter deadLetter(String service, String reason, String message) {
        return new DeadLetter(service, topic, key, id, type, reason, message, json, Instant.now());
    }
}
