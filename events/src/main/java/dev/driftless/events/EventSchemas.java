package dev.driftless.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks event data against the published JSON Schema of its type (draft 2020-12, formats asserted), with the
 * schemas loaded from this module's class path, never from the network.
 */
public final class EventSchemas {

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(
            SpecVersion.VersionFlag.V202012,
            builder -> builder.schemaMappers(
                    mappers -> mappers.mapPrefix("https://driftless.dev/schemas/", "classpath:schemas/")));
    private static final SchemaValidatorsConfig STRICT =
            SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    private static final Map<EventType, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private EventSchemas() {}

    /** What is wrong with the data for its type; empty when it is valid. */
    public static List<String> problems(EventType type, JsonNode data) {
        return schema(type).validate(data).stream()
                .map(ValidationMessage::getMessage)
                .sorted()
                .toList();
    }

    /**
     * Loads and compiles the schemas of the types a service consumes, and prepares reading and writing their records,
     * now rather than on the first event of each type. Done at start: the first push after a service started used to
     * wait a few hundred milliseconds for this (some 200 classes loaded on its path), and a schema that cannot be
     * loaded fails the start instead of every event.
     */
    public static void prepare(java.util.Collection<EventType> types) {
        for (EventType type : types) {
            schema(type).initializeValidators();
            EventCodec.mapper().readerFor(type.dataClass());
            EventCodec.mapper().writerFor(type.dataClass());
        }
    }

    private static JsonSchema schema(EventType type) {
        return SCHEMAS.computeIfAbsent(
                type,
                t -> FACTORY.getSchema(
                        SchemaLocation.of("classpath:" + t.schemaResource().substring(1)), STRICT));
    }
}
