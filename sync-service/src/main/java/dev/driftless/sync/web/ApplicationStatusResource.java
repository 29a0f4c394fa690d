package dev.driftless.sync.web;

import dev.driftless.events.SyncReport;
import dev.driftless.sync.Syncer;
import dev.driftless.sync.health.HealthMonitor;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/applications/{name}/status}: what sync-service knows of an application since it started: the
 * last applied commit and bundle digest, what the last sync did to each object, and the health of the application
 * and of each object. 404 for an application it has not synced.
 */
@Path("/api/applications/{name}/status")
@Produces(MediaType.APPLICATION_JSON)
public class ApplicationStatusResource {

    /**
     * An application's status.
     *
     * @param application its name
     * @param lastSync the last sync report (per-object results), if any
     * @param health the health of the application and its objects since the last successful sync, if any
     * @param waiting for an application synced by hand, the render its next sync would apply, if one is newer
     */
    public record ApplicationStatus(
            String application, SyncReport lastSync, HealthMonitor.Status health, Waiting waiting) {}

    /** A render waiting to be applied: its commit, when it was made, and what it waits for. */
    public record Waiting(String commit, java.time.Instant renderedAt, String reason) {}

    @Inject
    Syncer syncer;

    @Inject
    HealthMonitor health;

    @GET
    public jakarta.ws.rs.core.Response status(
            @PathParam("name") String name,
            @jakarta.ws.rs.core.Context jakarta.ws.rs.container.ContainerRequestContext request) {
        var caller = (dev.driftless.events.ApiTokens.Caller) request.getProperty(BearerTokenFilter.CALLER);
        if (!caller.sees(name, syncer.projectOf(name).orElse(null))) {
            return BearerTokenFilter.forbidden(caller, name);
        }
        var report = syncer.lastReport(name);
        var status = health.status(name);
        var waiting = syncer.waiting(name)
                .map(h -> new Waiting(h.render().commit(), h.render().renderedAt(), h.reason()));
        if (report.isEmpty() && status.isEmpty() && waiting.isEmpty()) {
            throw new NotFoundException("sync-service has not synced an application " + name + " since it started");
        }
        return jakarta.ws.rs.core.Response.ok(
                        new ApplicationStatus(name, report.orElse(null), status.orElse(null), waiting.orElse(null)))
                .build();
    }
}
