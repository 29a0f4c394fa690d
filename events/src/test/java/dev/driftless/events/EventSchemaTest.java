package dev.driftless.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every event record serialises to JSON its published schema accepts, and the schemas are strict enough to matter. */
class EventSchemaTest {

    static final Map<EventType, Record> EXAMPLES = EventExamples.EXAMPLES;

    static java.util.List<String> validate(EventType type, JsonNode json) {
        return EventSchemas.problems(type, json);
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void everyRecordSerialisesToJsonItsSchemaAccepts(EventType type) throws Exception {
        Record example = EXAMPLES.get(type);
        assertThat(example).as("an example of %s", type).isNotNull();
        assertThat(example).isInstanceOf(type.dataClass());

        JsonNode json = EventCodec.mapper().readTree(EventCodec.encode(example));

        assertThat(validate(type, json)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void everyRecordRoundTripsThroughItsCloudEventType(EventType type) {
        Record example = EXAMPLES.get(type);

        Record decoded = EventCodec.decode(type.type(), EventCodec.encode(example));

        assertThat(decoded).isEqualTo(example);
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void schemaRejectsDataWithoutItsRequiredFields(EventType type) throws Exception {
        ObjectNode json = (ObjectNode) EventCodec.mapper().readTree(EventCodec.encode(EXAMPLES.get(type)));
        JsonNode schema = EventCodec.mapper().readTree(getClass().getResourceAsStream(type.schemaResource()));
        String required = schema.get("required").get(0).asText();
        json.remove(required);

        assertThat(validate(type, json)).as("without %s", required).isNotEmpty();
    }

    @Test
    void schemaRejectsAShortCommitShaAndABadTime() throws Exception {
        ObjectNode json =
                (ObjectNode) EventCodec.mapper().readTree(EventCodec.encode(EXAMPLES.get(EventType.COMMIT_PUSHED)));
        json.put("after", "abc123");
        json.put("receivedAt", "yesterday");

        assertThat(validate(EventType.COMMIT_PUSHED, json))
                .anySatisfy(m -> assertThat(m).contains("after"))
                .anySatisfy(m -> assertThat(m).contains("receivedAt"));
    }

    @Test
    void timesAreIsoStringsNotNumbers() throws Exception {
        JsonNode json = EventCodec.mapper().readTree(EventCodec.encode(EXAMPLES.get(EventType.COMMIT_PUSHED)));

        assertThat(json.get("receivedAt").asText()).isEqualTo("2026-11-25T10:15:30.123Z");
    }
}
