package dev.driftless.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a consumer accepts off a topic: only data that passes its type's schema is decoded. */
class ReceivedEventTest {

    static ReceivedEvent received(String type, String json) {
        return new ReceivedEvent("id-1", type, "urn:test", null, null, Map.of(), "t", "k", json);
    }

    @Test
    void dataMissingRequiredFieldsIsMalformedAndSaysWhich() {
        assertThatThrownBy(() -> received(EventType.COMMIT_PUSHED.type(), "{\"repository\":\"https://h/x\"}")
                        .data())
                .isInstanceOf(EventMalformedException.class)
                .hasMessageContaining("schema")
                .hasMessageContaining("ref");
        assertThatThrownBy(() -> received(EventType.RENDER_SUCCEEDED.type(), "{\"application\":null}")
                        .data())
                .isInstanceOf(EventMalformedException.class)
                .hasMessageContaining("application");
    }

    @Test
    void notJsonAnUnknownTypeAndNoTypeAreMalformed() {
        assertThatThrownBy(
                        () -> received(EventType.COMMIT_PUSHED.type(), "{nope").data())
                .isInstanceOf(EventMalformedException.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> received("dev.example.other.v1", "{}").data())
                .isInstanceOf(EventMalformedException.class)
                .hasMessageContaining("unknown event type");
        assertThatThrownBy(() -> received(null, "{}").data())
                .isInstanceOf(EventMalformedException.class)
                .hasMessageContaining("not a CloudEvent");
    }

    @Test
    void everyExampleEventIsReadBack() {
        for (var example : EventExamples.EXAMPLES.entrySet()) {
            Record data = received(example.getKey().type(), EventCodec.encode(example.getValue()))
                    .data();
            assertThat(data).isEqualTo(example.getValue());
        }
    }

    @Test
    void aPushWithMorePathsThanAnEventListsListsNoneAndSaysSo() {
        java.util.List<String> many = java.util.stream.IntStream.range(0, CommitPushed.MAX_CHANGED_PATHS + 1)
                .mapToObj(i -> "apps/" + i + ".yaml")
                .toList();
        CommitPushed push = new CommitPushed(
                "https://h/r",
                "refs/heads/main",
                "a".repeat(40),
                "b".repeat(40),
                null,
                "github",
                "d",
                many,
                java.time.Instant.now(),
                true);
        assertThat(push.changedPaths()).isEmpty();
        assertThat(push.changedPathsTruncated()).isTrue();
        assertThat(received(EventType.COMMIT_PUSHED.type(), EventCodec.encode(push))
                        .data())
                .as("valid by its schema")
                .isEqualTo(push);

        CommitPushed few = new CommitPushed(
                "https://h/r",
                "refs/heads/main",
                "a".repeat(40),
                "b".repeat(40),
                null,
                "github",
                "d",
                many.subList(0, 3),
                java.time.Instant.now(),
                true);
        assertThat(few.changedPaths()).hasSize(3);
        assertThat(few.changedPathsTruncated()).isFalse();
    }
}
