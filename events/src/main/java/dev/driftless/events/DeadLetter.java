package dev.driftless.events;

import java.time.Instant;

/**
 * A message that can never be processed, set aside with the reason so nothing is lost silently.
 *
 * @param service the service that gave up on it
 * @param topic the topic it came from
 * @param key its Kafka key
 * @param originalId its CloudEvent id, when it had one
 * @param originalType its CloudEvent type, when it had one
 * @param reason a stable reason word, e.g. {@code EventMalformed}
 * @param message what went wrong
 * @param payload the original payload as text
 * @param failedAt when it was set aside
 */
public record DeadLetter(
        String service,
        String topic,
        String key,
        String originalId,
        String originalType,
        String reason,
        String message,
        String payload,
        Instant failedAt) {

    /**
     * The reason for a valid event whose processing threw something unexpected: set aside so the consumer goes on
     * with the next record instead of failing on this one for ever.
     */
    public static final String PROCESSING_FAILED = "ProcessingFailed";

    /** The CloudEvent attributes of this dead letter: its id is stable for the same message set aside again. */
    public Envelope envelope() {
        return new Envelope(
                EventType.DEAD_LETTER,
                Envelope.stableId(
                        "deadletter",
                        service,
                        String.valueOf(topic),
                        String.valueOf(originalId),
                        payload == null ? "" : payload),
                topic,
                failedAt,
                java.util.Map.of());
    }
}
