package dev.driftless.events;

/** Event data that can never be read: unknown type, not JSON, or not the shape of its record. Not retriable. */
public class EventMalformedException extends RuntimeException {

    /** The reason word recorded for such events in the dead-letter topic and the audit log. */
    public static final String REASON = "EventMalformed";

    public EventMalformedException(String message) {
        super(message);
    }
}
