package dev.driftless.audit.web;

import dev.driftless.audit.store.ChainVerifier;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;

/**
 * {@code GET /api/verify}: walks every hash chain of the change log and reports whether it is intact, and if not,
 * the first broken link of each broken chain (an entry edited, removed or reordered).
 */
@Path("/api/verify")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class VerifyResource {

    @Inject
    ChainVerifier verifier;

    @GET
    public Response verify() {
        try {
            return Response.ok(verifier.verifyAll()).build();
        } catch (SQLException e) {
            return ApplicationResource.unavailable(e);
        }
    }
}
