package dev.driftless.audit.web;

import dev.driftless.events.ApiTokens;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /api/catalog}: render-service's catalog (each application's project, source, destination and how far
 * behind it is) as the caller's token sees it, and {@code GET /api/caller}: who the token is and whether it may act.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class CatalogResource {

    @Inject
    PeerServices peers;

    @GET
    @Path("/catalog")
    @io.smallrye.common.annotation.Blocking
    public Response catalog(@Context ContainerRequestContext request) {
        return peers.catalog(request.getHeaderString("Authorization"));
    }

    @GET
    @Path("/caller")
    public Map<String, Object> caller(@Context ContainerRequestContext request) {
        ApiTokens.Caller caller = BearerTokenFilter.caller(request);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("name", caller.name());
        answer.put("role", caller.role().name());
        answer.put("mayAct", caller.may(ApiTokens.Role.write));
        answer.put("applications", caller.applications());
        answer.put("projects", caller.projects());
        return answer;
    }
}
