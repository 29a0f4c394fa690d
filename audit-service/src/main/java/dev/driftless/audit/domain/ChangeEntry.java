package dev.driftless.audit.domain;

import java.time.Instant;

/**
 * One row of the change log: a received event with the columns it is found by, the event itself, and whether it was
 * rejected (not a Driftless CloudEvent, or data that does not match its type's schema) and why.
 *
 * @param eventId CloudEvent id (or {@code topic-partition-offset} for a message that was not a CloudEvent)
 * @param type CloudEvent type ({@code unknown} when it had none)
 * @param source CloudEvent source
 * @param subject CloudEvent subject
 * @param eventTime CloudEvent time, to the microsecond (what PostgreSQL keeps)
 * @param topic the topic it came from
 * @param key its Kafka key
 * @param application the application it concerns, if any; also its hash chain
 * @param repository the repository it concerns, if any
 * @param commit the commit it concerns, if any
 * @param deliveryId the webhook delivery it came from, if any
 * @param actor who caused it (the pusher, the requester), if known
 * @param reason the failure reason the event reports, if any
 * @param eventJson the CloudEvent in CloudEvents' JSON format, canonical (its data a JSON string when it was not JSON)
 * @param rejected whether the event was rejected
 * @param rejectionReason why, when rejected
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
        String eventJson,
        boolean rejected,
        String rejectionReason) {

    /** The hash chain the entry belongs to: its application, or {@code ""} when it has none. */
    public String chain() {
        return application == null ? "" : application;
    }
}
