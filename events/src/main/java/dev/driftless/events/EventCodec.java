package dev.driftless.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * Turns event records into CloudEvent JSON data and back. Unknown fields are ignored when reading, so an additive
 * change to a record keeps older consumers working; times are ISO-8601 strings.
 */
public final class EventCodec {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private EventCodec() {}

    /** The mapper every service uses for event data. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** The JSON data of an event record. */
    public static String encode(Record data) {
        try {
            return MAPPER.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "cannot serialise " + data.getClass().getSimpleName(), e);
        }
    }

    /**
     * Reads the data of an event of the given CloudEvent type.
     *
     * @throws EventMalformedException when the type is unknown or the JSON does not fit its record
     */
    public static Record decode(String cloudEventType, String json) {
        EventType type = EventType.of(cloudEventType)
                .orElseThrow(() -> new EventMalformedException("unknown event type " + cloudEventType));
        return decode(type.dataClass(), json);
    }

    /**
     * Reads event data as the given record.
     *
     * @throws EventMalformedException when the JSON does not fit the record
     */
    public static <T extends Record> T decode(Class<T> dataClass, String json) {
        if (json == null || json.isBlank()) {
            throw new EventMalformedException("empty event data for " + dataClass.getSimpleName());
        }
        try {
            return MAPPER.readValue(json, dataClass);
        } catch (JsonProcessingException e) {
            throw new EventMalformedException(
                    "event data is not a valid " + dataClass.getSimpleName() + ": " + e.getOriginalMessage());
        }
    }
}
