package dev.driftless.audit.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.events.EventCodec;
import dev.driftless.events.EventExamples;
import dev.driftless.events.EventType;
import dev.driftless.events.ReceivedEvent;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The indexed columns of an entry come from the event's record: for an example of every type, each column holds the
 * value of the record component of that meaning (read here by reflection, independently of the mapping under test),
 * with no extension attribute to lean on.
 */
class EntriesTest {

    /** Which record component fills which column ({@code after} is a push's commit, {@code pusher} its actor). */
    static final Map<String, String> COLUMN_OF = Map.of(
            "application", "application",
            "repository", "repository",
            "commit", "commit",
            "after", "commit",
            "deliveryId", "deliveryId",
            "actor", "actor",
            "pusher", "actor",
            "reason", "reason");

    static Map<String, String> columns(ChangeEntry e) {
        Map<String, String> columns = new HashMap<>();
        columns.put("application", e.application());
        columns.put("repository", e.repository());
        columns.put("commit", e.commit());
        columns.put("deliveryId", e.deliveryId());
        columns.put("actor", e.actor());
        columns.put("reason", e.reason());
        return columns;
    }

    @Test
    void everyTypesColumnsComeFromItsRecord() throws Exception {
        for (var example : EventExamples.EXAMPLES.entrySet()) {
            EventType type = example.getKey();
            Record data = example.getValue();
            ReceivedEvent event = new ReceivedEvent(
                    "id-" + type,
                    type.type(),
                    "urn:test",
                    null,
                    Instant.now(),
                    Map.of(),
                    type.topic(),
                    "k",
                    EventCodec.encode(data));

            ChangeEntry entry = Entries.of(event, "fallback");

            assertThat(entry.rejected())
                    .as("%s rejected: %s", type, entry.rejectionReason())
                    .isFalse();
            Map<String, String> expected = new HashMap<>();
            for (RecordComponent component : data.getClass().getRecordComponents()) {
                String column = COLUMN_OF.get(component.getName());
                Object value = component.getAccessor().invoke(data);
                if (column != null && value instanceof String text && !text.isEmpty()) {
                    expected.put(column, text);
                }
            }
            Map<String, String> actual = columns(entry);
            actual.values().removeIf(java.util.Objects::isNull);
            assertThat(actual).as("the columns of %s", type).isEqualTo(expected);
        }
    }
}
