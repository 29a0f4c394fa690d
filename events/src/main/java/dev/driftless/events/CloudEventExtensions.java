package dev.driftless.events;

/**
 * Names of the CloudEvent extension attributes Driftless sets, so consumers can filter without parsing data. In
 * Kafka binary mode each travels as a {@code ce_<name>} header.
 */
public final class CloudEventExtensions {
    /** The commit SHA the event is about. */
    public static final String COMMIT = "commit";
    /** The normalised repository URL. */
    public static final String REPOSITORY = "repository";
    /** The application name. */
    public static final String APPLICATION = "application";
    /** The Git provider's webhook delivery id. */
    public static final String DELIVERY_ID = "deliveryid";

    private CloudEventExtensions() {}
}
