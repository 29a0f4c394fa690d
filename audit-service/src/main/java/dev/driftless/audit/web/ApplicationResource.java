package dev.driftless.audit.web;

import dev.driftless.audit.domain.ApplicationState;
import dev.driftless.audit.domain.Dora;
import dev.driftless.audit.domain.StoredEvent;
import dev.driftless.audit.messaging.CommandPublisher;
import dev.driftless.audit.store.ChangeLog;
import dev.driftless.events.ApiTokens;
import dev.driftless.events.EventType;
import dev.driftless.events.ResyncRequested;
import dev.driftless.events.RollbackRequested;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Applications as the change log knows them: {@code GET /api/applications} and {@code /api/applications/{name}}
 * (current commit, sync and health, last change, last failure, DORA figures), and the commands people give:
 * {@code POST /api/applications/{name}/resync} and {@code /rollback}, recorded under the caller's name; and, asked of
 * sync-service for the caller, its live objects ({@code /status}) and their diff with Git ({@code /diff}).
 */
@Path("/api/applications")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class ApplicationResource {

    private static final Logger LOG = Logger.getLogger(ApplicationResource.class);

    private static Response nameInvalid() {
        return Errors.of(
                Response.Status.BAD_REQUEST,
                "NameInvalid",
                "an application's name is a DNS label, or <namespace>.<name> for one of a team's namespace");
    }

    private static final Pattern FULL_SHA = Pattern.compile("^[0-9a-f]{40}([0-9a-f]{24})?$");

    /** Body of a resync request. */
    public record ResyncBody(String reason) {}

    /** Body of a rollback request. */
    public record RollbackBody(String commit, String reason) {}

    /** An application's state with its DORA figures. */
    public record ApplicationView(ApplicationState state, Dora dora) {}

    @Inject
    ChangeLog changeLog;

    @Inject
    CommandPublisher commands;

    @Inject
    PeerServices peers;

    static Visibility visibility(ContainerRequestContext request, ChangeLog changeLog) {
        return new Visibility((ApiTokens.Caller) request.getProperty(BearerTokenFilter.CALLER), changeLog);
    }

    @GET
    public Response list(@Context ContainerRequestContext request) {
        try {
            Visibility visible = visibility(request, changeLog);
            List<ApplicationState> states = new ArrayList<>();
            for (ApplicationState state : changeLog.states()) {
                if (visible.sees(state.name())) {
                    states.add(state);
                }
            }
            return Response.ok(Map.of("applications", states)).build();
        } catch (SQLException e) {
            return unavailable(e);
        }
    }

    @GET
    @Path("/{name}")
    public Response get(
            @PathParam("name") String name,
            @QueryParam("window") String window,
            @Context ContainerRequestContext request) {
        Duration period;
        try {
            period = window == null ? Duration.ofDays(30) : Duration.parse(window);
        } catch (DateTimeParseException e) {
            return Errors.of(
                    Response.Status.BAD_REQUEST, "WindowInvalid", "window is an ISO-8601 duration such as P30D");
        }
        try {
            Visibility visible = visibility(request, changeLog);
            if (!visible.sees(name)) {
                return visible.forbidden(name);
            }
            List<StoredEvent> events = changeLog.summaries(name);
            if (events.isEmpty()) {
                return Errors.of(
                        Response.Status.NOT_FOUND, "ApplicationNotFound", "the change log has no application " + name);
            }
            Instant since = Instant.now().minus(period);
            List<StoredEvent> recent =
                    events.stream().filter(e -> !e.recordedAt().isBefore(since)).toList();
            java.util.Set<String> commits = new java.util.HashSet<>();
            for (StoredEvent e : recent) {
                if (e.commit() != null
                        && (EventType.SYNC_SUCCEEDED.type().equals(e.type())
                                || EventType.HEALTH_CHANGED.type().equals(e.type()))) {
                    commits.add(e.commit());
                }
            }
            Map<String, Instant> pushedAt = changeLog.pushedAt(commits);
            return Response.ok(new ApplicationView(
                            ApplicationState.of(name, events), Dora.of(events, pushedAt, since, period)))
                    .build();
        } catch (SQLException e) {
            return unavailable(e);
        }
    }

    /** sync-service's status of the application: its objects, what the last sync did to each, their health. */
    @GET
    @Path("/{name}/status")
    public Response status(@PathParam("name") String name, @Context ContainerRequestContext request) {
        if (!dev.driftless.events.ApplicationNames.isValid(name)) {
            return nameInvalid();
        }
        return peers.sync(name, "status", request.getHeaderString("Authorization"));
    }

    /** sync-service's diff of the application: what in the cluster differs from Git now, field by field. */
    @GET
    @Path("/{name}/diff")
    public Response diff(@PathParam("name") String name, @Context ContainerRequestContext request) {
        if (!dev.driftless.events.ApplicationNames.isValid(name)) {
            return nameInvalid();
        }
        return peers.sync(name, "diff", request.getHeaderString("Authorization"));
    }

    @POST
    @Path("/{name}/resync")
    @Consumes(MediaType.WILDCARD)
    public Response resync(@PathParam("name") String name, ResyncBody body, @Context ContainerRequestContext request) {
        ApiTokens.Caller caller = (ApiTokens.Caller) request.getProperty(BearerTokenFilter.CALLER);
        try {
            Visibility visible = visibility(request, changeLog);
            if (!visible.sees(name)) {
                return visible.forbidden(name);
            }
            if (!changeLog.hasApplication(name)) {
                return Errors.of(
                        Response.Status.NOT_FOUND, "ApplicationNotFound", "the change log has no application " + name);
            }
        } catch (SQLException e) {
            return unavailable(e);
        }
        String id = commands.resync(
                new ResyncRequested(name, caller.name(), body == null ? null : body.reason(), Instant.now()));
        LOG.infof("resync of %s requested by %s (%s)", name, caller.name(), id);
        return Response.accepted(Map.of("status", "accepted", "id", id, "application", name, "actor", caller.name()))
                .build();
    }

    @POST
    @Path("/{name}/rollback")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response rollback(
            @PathParam("name") String name, RollbackBody body, @Context ContainerRequestContext request) {
        ApiTokens.Caller caller = (ApiTokens.Caller) request.getProperty(BearerTokenFilter.CALLER);
        if (body == null
                || body.commit() == null
                || !FULL_SHA.matcher(body.commit()).matches()) {
            return Errors.of(Response.Status.BAD_REQUEST, "CommitInvalid", "commit must be a full commit SHA");
        }
        try {
            Visibility visible = visibility(request, changeLog);
            if (!visible.sees(name)) {
                return visible.forbidden(name);
            }
            if (!changeLog.renderedAt(name, body.commit())) {
                return Errors.of(
                        Response.Status.CONFLICT,
                        "CommitNeverRendered",
                        name + " was never rendered at " + body.commit() + "; roll back to a commit it ran before");
            }
        } catch (SQLException e) {
            return unavailable(e);
        }
        String id = commands.rollback(
                new RollbackRequested(name, body.commit(), caller.name(), body.reason(), Instant.now()));
        LOG.infof("rollback of %s to %s requested by %s (%s)", name, body.commit(), caller.name(), id);
        return Response.accepted(Map.of(
                        "status",
                        "accepted",
                        "id",
                        id,
                        "application",
                        name,
                        "commit",
                        body.commit(),
                        "actor",
                        caller.name()))
                .build();
    }

    static Response unavailable(SQLException e) {
        LOG.errorf("cannot read the change log: %s", e.getMessage());
        return Errors.of(
                Response.Status.SERVICE_UNAVAILABLE, "StoreUnavailable", "the change log cannot be read; retry");
    }
}
