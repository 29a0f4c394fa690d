package dev.driftless.audit.domain;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * An event read back from the change log, in log order.
 *
 * @param seq its position in the log
 * @param eventId CloudEvent id
 * @param type CloudEvent type
 * @param application the application it concerns
 * @param repository the repository it concerns
 * @param commit the commit it concerns
 * @param eventTime when it happened
 * @param recordedAt when the log recorded it
 * @param data its data
 * @param actor who caused it
 * @param deliveryId the webhook delivery it came from
 * @param reason the failure reason it reports
 * @param rejected whether it was rejected
 * @param rejectionReason why
 * @param topic the topic it came from
 * @param event the whole CloudEvent, in CloudEvents' JSON format, with the W3C {@code traceparent} of the Kafka record
 *     that carried it as the distributed-tracing extension attribute {@code traceparent}, when it had one
 */
public record StoredEvent(
        long seq,
        String eventId,
        String type,
        String application,
        String repository,
        String commit,
        Instant eventTime,
        Instant recordedAt,
        JsonNode data,
        String actor,
        String deliveryId,
        String reason,
        boolean rejected,
        String rejectionReason,
        String topic,
        JsonNode event) {

    /**
     * The OpenTelemetry trace id of the event: the trace-id part of its {@code traceparent} extension ({@code
     * 00-<trace id>-<parent id>-<flags>}), or {@code null} when it has none or it is malformed.
     */
    public String traceId() {
        String[] parts = event == null
                ? new String[0]
                : event.path("traceparent").asText("").split("-");
        return parts.length == 4 && parts[1].matches("[0-9a-f]{32}") && !parts[1].matches("0+") ? parts[1] : null;
    }
}
