package dev.driftless.sync.web;

import dev.driftless.events.DriftDetected.Difference;
import dev.driftless.sync.drift.DriftWatcher;
import dev.driftless.sync.kube.ClusterFailure;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * {@code GET /api/applications/{name}/diff}: the last synced render compared with the cluster now, object by
 * object, by server-side dry-run apply: what a sync would change. Changes nothing. 404 for an application
 * sync-service has not synced; 503 when the cluster does not answer.
 */
@Path("/api/applications/{name}/diff")
@Produces(MediaType.APPLICATION_JSON)
public class ApplicationDiffResource {

    /**
     * The diff of an application.
     *
     * @param application its name
     * @param inSync whether the cluster matches Git
     * @param differences each field that differs, per object
     */
    public record ApplicationDiff(String application, boolean inSync, List<Difference> differences) {}

    @Inject
    DriftWatcher drift;

    @Inject
    dev.driftless.sync.Syncer syncer;

    @GET
    public jakarta.ws.rs.core.Response diff(
            @PathParam("name") String name,
            @jakarta.ws.rs.core.Context jakarta.ws.rs.container.ContainerRequestContext request) {
        var caller = (dev.driftless.events.ApiTokens.Caller) request.getProperty(BearerTokenFilter.CALLER);
        if (!caller.sees(name, syncer.projectOf(name).orElse(null))) {
            return BearerTokenFilter.forbidden(caller, name);
        }
        if (drift.result(name).isEmpty()) {
            throw new NotFoundException("sync-service has not synced an application " + name + " since it started");
        }
        try {
            List<Difference> differences = drift.diff(name);
            return jakarta.ws.rs.core.Response.ok(new ApplicationDiff(name, differences.isEmpty(), differences))
                    .build();
        } catch (ClusterFailure e) {
            throw new ServiceUnavailableException("the cluster did not answer: " + e.getMessage());
        }
    }
}
