package dev.driftless.audit.domain;

import java.time.Instant;

/**
 * One row of the change log: a received event with the columns it is found by, and its data as JSON.
 *
 * @param eventId CloudEvent id (or {@code topic-partition-offset} for a message that was not a CloudEvent)
 * @param type CloudEvent type ({@code unknown} when it had none)
 * @param source CloudEvent source
 * @param subject CloudEvent subject
 * @param eventTime CloudEvent time
 * @param topic the topic it came from
 * @param key its Kafka key
 * @param application the application it concerns, if any
 * @param repository the repository it concerns, if any
 * @param commit the commit it concerns, if any
 * @param deliveryId the webhook delivery it came from, if any
 * @param actor who caused it (the pusher, the requester), if known
 * @param reason its failure reason, if it reports one
 * @param dataJson its data as JSON (a JSON string holding the text when the data was not JSON)
 */
public record ChangeEntry(
        String eventId,
        String type,
        String source,
        String subject,
        Instant eventTime,
        String topic,
        String key,
        String application,
        String repository,
        String commit,
        String deliveryId,
        String actor,
        String reason,
        String dataJson) {}
