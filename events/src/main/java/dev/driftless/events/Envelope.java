package dev.driftless.events;

import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadataBuilder;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Builds the CloudEvent attributes of an outgoing Driftless event. SmallRye's Kafka connector writes them as
 * {@code ce_*} headers (binary mode) with the record's JSON as the value.
 *
 * @param type the event type
 * @param id the CloudEvent id: stable for the same logical event so consumers can dedupe
 * @param subject the application or repository the event is about
 * @param time when it happened
 * @param extensions extension attributes (see {@link CloudEventExtensions}); {@code null} values are left out
 */
public record Envelope(EventType type, String id, String subject, Instant time, Map<String, String> extensions) {

    public Envelope {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(id, "id");
        Map<String, String> present = new LinkedHashMap<>();
        if (extensions != null) {
            extensions.forEach((k, v) -> {
                if (v != null) {
                    present.put(k, v);
                }
            });
        }
        extensions = Map.copyOf(present);
    }

    /** A CloudEvent id derived from the parts that make an event the same logical event. */
    public static String stableId(String... parts) {
        return UUID.nameUUIDFromBytes(String.join("\u0000", parts).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    /**
     * The Kafka message carrying this event: the data record's JSON as value, {@code key} as record key, the
     * CloudEvent attributes as {@code ce_*} headers, published to the type's topic.
     */
    public Message<String> toMessage(Record data, String key, URI source) {
        return Message.of(EventCodec.encode(data))
                .addMetadata(toMetadata(source))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(key)
                        .withTopic(type.topic())
                        .build());
    }

    /**
     * The Kafka message carrying this event, signed ({@link EventSignatures}) when {@code signer} is not
     * {@code null}: the signature covers the id, the type and the value exactly as sent.
     */
    public Message<String> toMessage(Record data, String key, URI source, EventSignatures.Signer signer) {
        if (signer == null) {
            return toMessage(data, key, source);
        }
        String value = EventCodec.encode(data);
        Map<String, String> signed = new LinkedHashMap<>(extensions);
        signed.putAll(signer.sign(id, type.type(), value));
        return Message.of(value)
                .addMetadata(new Envelope(type, id, subject, time, signed).toMetadata(source))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(key)
                        .withTopic(type.topic())
                        .build());
    }

    /** The metadata SmallRye turns into CloudEvent headers, with {@code source} the emitting service's URI. */
    public OutgoingCloudEventMetadata<Object> toMetadata(URI source) {
        OutgoingCloudEventMetadataBuilder<Object> builder = OutgoingCloudEventMetadata.builder()
                .withId(id)
                .withType(type.type())
                .withSource(source)
                .withSubject(subject)
                .withDataContentType("application/json")
                .withTimestamp(time == null ? null : time.atZone(java.time.ZoneOffset.UTC));
        extensions.forEach(builder::withExtension);
        return builder.build();
    }
}
