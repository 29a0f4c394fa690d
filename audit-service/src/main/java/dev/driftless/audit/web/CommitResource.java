package dev.driftless.audit.web;

import dev.driftless.audit.domain.CommitTrace;
import dev.driftless.audit.domain.StoredEvent;
import dev.driftless.audit.store.ChangeLog;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * {@code GET /api/commits/{sha}}: a commit's story from the change log: the deliveries that announced it and, per
 * application, its render and its sync with what happened to each object. A SHA may be abbreviated to 7 characters.
 * 400 for something that is not a SHA, 404 when the log has nothing on it yet.
 */
@Path("/api/commits")
@Produces(MediaType.APPLICATION_JSON)
public class CommitResource {

    private static final Logger LOG = Logger.getLogger(CommitResource.class);
    private static final Pattern SHA = Pattern.compile("^[0-9a-f]{7,64}$");

    @Inject
    ChangeLog changeLog;

    @GET
    @Path("/{sha}")
    @Blocking
    public Response get(
            @PathParam("sha") String sha,
            @jakarta.ws.rs.core.Context jakarta.ws.rs.container.ContainerRequestContext request) {
        String normal = sha.toLowerCase(Locale.ROOT);
        if (!SHA.matcher(normal).matches()) {
            return error(
                    Response.Status.BAD_REQUEST, "CommitInvalid", "a commit SHA is 7 to 64 hexadecimal characters");
        }
        try {
            Visibility visible = ApplicationResource.visibility(request, changeLog);
            List<StoredEvent> events = new java.util.ArrayList<>();
            for (StoredEvent e : changeLog.byCommit(normal)) {
                if (visible.sees(e.application())) { // the push itself (no application) is seen by all
                    events.add(e);
                }
            }
            CommitTrace trace = CommitTrace.of(events);
            if (trace.commit() == null) {
                return error(
                        Response.Status.NOT_FOUND,
                        "CommitNotFound",
                        "the change log has no event for commit " + normal);
            }
            return Response.ok(trace).build();
        } catch (SQLException e) {
            LOG.errorf("cannot read the change log: %s", e.getMessage());
            return error(
                    Response.Status.SERVICE_UNAVAILABLE, "StoreUnavailable", "the change log cannot be read; retry");
        }
    }

    static Response error(Response.Status status, String reason, String message) {
        return Errors.of(status, reason, message);
    }
}
