package dev.driftless.audit.domain;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** An event read back from the change log, in log order. */
public record StoredEvent(
        long seq,
        String eventId,
        String type,
        String application,
        String repository,
        String commit,
        Instant eventTime,
        Instant recordedAt,
        JsonNode data) {}
