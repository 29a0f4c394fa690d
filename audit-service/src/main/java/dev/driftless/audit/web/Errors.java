package dev.driftless.audit.web;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** Error answers of the audit API: a status, a stable reason word and a message for people; never a stack trace. */
final class Errors {

    private Errors() {}

    static Response of(Response.Status status, String reason, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(Map.of("reason", reason, "message", message))
                .build();
    }
}
