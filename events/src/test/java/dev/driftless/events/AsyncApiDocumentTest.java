package dev.driftless.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** asyncapi.yaml, the contract outside consumers read, names every topic and type and points at existing schemas. */
class AsyncApiDocumentTest {

    @Test
    void everyTopicTypeAndSchemaIsDocumented() throws Exception {
        String doc = Files.readString(Path.of("asyncapi.yaml"));

        for (String topic : Topics.ALL) {
            assertThat(doc).contains("address: " + topic);
        }
        for (EventType type : EventType.values()) {
            assertThat(doc).contains("name: " + type.type());
            String schema = "src/main/resources" + type.schemaResource();
            assertThat(doc).contains(schema);
            assertThat(Path.of(schema)).exists();
        }
    }
}
