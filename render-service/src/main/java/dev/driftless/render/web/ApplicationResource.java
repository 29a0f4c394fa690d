package dev.driftless.render.web;

import dev.driftless.events.Target;
import dev.driftless.render.Renderer;
import dev.driftless.render.catalog.CatalogDirectory;
import dev.driftless.render.domain.Application;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * {@code GET /api/applications}: the catalog as render-service sees it, each application with its last render
 * (commit, bundle digest, outcome), since when it has failed to reach the head it was asked to render
 * ({@code behindSince}, absent when its last render succeeded) and its own reconcile interval if it has one, plus the
 * catalog errors that left declarations out.
 */
@Path("/api/applications")
@Produces(MediaType.APPLICATION_JSON)
public class ApplicationResource {

    /**
     * An application and its last render, if any; {@code pinnedTo}: the commit a rollback keeps it at until its next
     * push or a resync.
     */
    public record ApplicationView(
            String name,
            String repository,
            String targetRevision,
            String path,
            String renderType,
            Target target,
            String source,
            Renderer.LastRender lastRender,
            java.time.Instant behindSince,
            java.time.Duration reconcileInterval,
            String pinnedTo) {}

    /** Every application, and the errors in the catalog. */
    public record CatalogView(List<ApplicationView> applications, List<String> errors) {}

    @Inject
    CatalogDirectory catalog;

    @Inject
    Renderer renderer;

    @Inject
    dev.driftless.render.RollbackPins pins;

    /**
     * Every application the caller's token covers, and the catalog's errors (to a token limited to some applications
     * or projects, none: they may name others).
     */
    @GET
    public CatalogView list(@jakarta.ws.rs.core.Context jakarta.ws.rs.container.ContainerRequestContext request) {
        dev.driftless.events.ApiTokens.Caller caller = caller(request);
        return new CatalogView(
                catalog.applications().stream()
                        .filter(app ->
                                caller.sees(app.name(), app.target().project().name()))
                        .map(this::view)
                        .toList(),
                caller.scoped() ? List.of() : catalog.errors());
    }

    @GET
    @Path("/{name}")
    public jakarta.ws.rs.core.Response get(
            @PathParam("name") String name,
            @jakarta.ws.rs.core.Context jakarta.ws.rs.container.ContainerRequestContext request) {
        dev.driftless.events.ApiTokens.Caller caller = caller(request);
        Application app = catalog.applications().stream()
                .filter(a -> a.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new NotFoundException("no application " + name));
        if (!caller.sees(app.name(), app.target().project().name())) {
            return BearerTokenFilter.forbidden(caller, name);
        }
        return jakarta.ws.rs.core.Response.ok(view(app)).build();
    }

    private static dev.driftless.events.ApiTokens.Caller caller(
            jakarta.ws.rs.container.ContainerRequestContext request) {
        return (dev.driftless.events.ApiTokens.Caller) request.getProperty(BearerTokenFilter.CALLER);
    }

    private ApplicationView view(Application app) {
        return new ApplicationView(
                app.name(),
                app.repository(),
                app.targetRevision(),
                app.path(),
                app.renderType(),
                app.target(),
                app.source(),
                renderer.lastRenders().get(app.name()),
                renderer.behindSince(app.name()).orElse(null),
                app.reconcileInterval(),
                pins.pinned(app.name()).orElse(null));
    }
}
