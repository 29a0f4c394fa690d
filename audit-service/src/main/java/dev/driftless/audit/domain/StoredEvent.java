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
 * @param event the whole CloudEvent, in CloudEvents' JSON format
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
        JsonNode event) {}
