package dev.driftless.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EventCodecTest {

    @Test
    void unknownTypeIsMalformedNotACrash() {
        assertThatThrownBy(() -> EventCodec.decode("dev.example.unknown.v1", "{}"))
                .isInstanceOf(EventMalformedException.class)
                .hasMessageContaining("dev.example.unknown.v1");
    }

    @Test
    void dataThatIsNotJsonIsMalformed() {
        assertThatThrownBy(() -> EventCodec.decode(EventType.COMMIT_PUSHED.type(), "{not json"))
                .isInstanceOf(EventMalformedException.class)
                .hasMessageContaining("CommitPushed");
    }

    @Test
    void emptyDataIsMalformed() {
        assertThatThrownBy(() -> EventCodec.decode(CommitPushed.class, " "))
                .isInstanceOf(EventMalformedException.class);
    }

    @Test
    void fieldsAddedByANewerProducerAreIgnored() {
        ResyncRequested decoded = EventCodec.decode(
                ResyncRequested.class,
                "{\"application\":\"demo\",\"actor\":\"a\",\"requestedAt\":\"2026-01-01T00:00:00Z\",\"newField\":1}");

        assertThat(decoded.application()).isEqualTo("demo");
    }

    @Test
    void stableIdsAreStableAndDistinct() {
        assertThat(Envelope.stableId("push", "d1")).isEqualTo(Envelope.stableId("push", "d1"));
        assertThat(Envelope.stableId("push", "d1")).isNotEqualTo(Envelope.stableId("push", "d2"));
        assertThat(Envelope.stableId("a", "bc")).isNotEqualTo(Envelope.stableId("ab", "c"));
    }
}
