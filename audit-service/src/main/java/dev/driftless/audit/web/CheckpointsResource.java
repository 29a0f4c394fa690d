package dev.driftless.audit.web;

import dev.driftless.audit.store.Checkpoints;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /api/checkpoints}: the latest signed checkpoint of the change log (every chain's head, signed with
 * audit-service's Ed25519 key), with the exact text signed, so it can be kept elsewhere and checked without Driftless.
 */
@Path("/api/checkpoints")
@Produces(MediaType.APPLICATION_JSON)
public class CheckpointsResource {

    @Inject
    Checkpoints checkpoints;

    @GET
    public Response latest() {
        return checkpoints
                .latest()
                .map(signed -> Response.ok(signed).build())
                .orElseGet(() -> Errors.of(
                        Response.Status.NOT_FOUND,
                        "NoCheckpoint",
                        "no signed checkpoint yet: one is published every driftless.audit.checkpoint-interval when"
                                + " driftless.audit.signing-key-file is set"));
    }
}
