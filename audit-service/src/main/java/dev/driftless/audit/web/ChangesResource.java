package dev.driftless.audit.web;

import dev.driftless.audit.domain.StoredEvent;
import dev.driftless.audit.store.ChangeLog;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * {@code GET /api/changes}: the change log, newest first, filtered by application, repository, type and time, in
 * pages of {@code limit} (default 50, at most 500) with an opaque {@code cursor} to the next page. A cursor marks a
 * position in the log, so pages stay stable while new events arrive. With {@code summary=true} each event is reduced to
 * what a history needs (its message, health, start and end; never a bundle). With {@code application} and
 * {@code pushes=true}, the pushes of the commits it was rendered at are in its history too.
 */
@Path("/api/changes")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class ChangesResource {

    @Inject
    ChangeLog changeLog;

    @Inject
    ChangeFeed feed;

    @GET
    public Response list(
            @QueryParam("application") String application,
            @QueryParam("repository") String repository,
            @QueryParam("type") String type,
            @QueryParam("since") String since,
            @QueryParam("until") String until,
            @QueryParam("limit") Integer limit,
            @QueryParam("cursor") String cursor,
            @QueryParam("summary") Boolean summary,
            @QueryParam("pushes") Boolean pushes,
            @jakarta.ws.rs.core.Context jakarta.ws.rs.container.ContainerRequestContext request) {
        int size = limit == null ? 50 : limit;
        if (size < 1 || size > 500) {
            return Errors.of(Response.Status.BAD_REQUEST, "LimitInvalid", "limit is between 1 and 500");
        }
        Instant from;
        Instant to;
        Long before;
        try {
            from = since == null ? null : Instant.parse(since);
            to = until == null ? null : Instant.parse(until);
        } catch (DateTimeParseException e) {
            return Errors.of(
                    Response.Status.BAD_REQUEST,
                    "TimeInvalid",
                    "since and until are ISO-8601 instants such as 2026-11-25T10:00:00Z");
        }
        try {
            before = cursor == null ? null : decode(cursor);
        } catch (IllegalArgumentException e) {
            return Errors.of(Response.Status.BAD_REQUEST, "CursorInvalid", "cursor is not one this API gave out");
        }
        try {
            List<StoredEvent> rows = changeLog.changes(
                    new ChangeLog.Filter(application, repository, type, from, to, before, Boolean.TRUE.equals(pushes)),
                    size,
                    Boolean.TRUE.equals(summary));
            boolean more = rows.size() > size;
            Visibility visible = ApplicationResource.visibility(request, changeLog);
            List<Map<String, Object>> items = new java.util.ArrayList<>();
            for (StoredEvent row : rows.subList(0, Math.min(size, rows.size()))) {
                if (visible.sees(row.application())) { // a limited token sees its applications' events only
                    items.add(item(row));
                }
            }
            Map<String, Object> page = new LinkedHashMap<>();
            page.put("items", items);
            page.put("nextCursor", more ? encode(rows.get(size - 1).seq()) : null);
            return Response.ok(page).build();
        } catch (SQLException e) {
            return ApplicationResource.unavailable(e);
        }
    }

    /**
     * {@code GET /api/changes/stream}: server-sent events, one per entry recorded from now on that the caller may see,
     * summarised as with {@code summary=true}, each with its {@code position} in the log.
     */
    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<Map<String, Object>> stream(
            @jakarta.ws.rs.core.Context jakarta.ws.rs.container.ContainerRequestContext request) {
        try {
            return feed.follow(BearerTokenFilter.caller(request));
        } catch (SQLException e) {
            ApplicationResource.unavailable(e);
            return Multi.createFrom().failure(new ServiceUnavailableException("the change log cannot be read; retry"));
        }
    }

    static Map<String, Object> item(StoredEvent e) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("id", e.eventId());
        item.put("type", e.type());
        item.put("topic", e.topic());
        item.put("application", e.application());
        item.put("repository", e.repository());
        item.put("commit", e.commit());
        item.put("deliveryId", e.deliveryId());
        item.put("actor", e.actor());
        item.put("reason", e.reason());
        item.put("time", e.eventTime());
        item.put("recordedAt", e.recordedAt());
        item.put("rejected", e.rejected());
        item.put("rejectionReason", e.rejectionReason());
        item.put("traceId", e.traceId());
        item.put("event", e.event());
        return item;
    }

    static String encode(long seq) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("seq:" + seq).getBytes(StandardCharsets.UTF_8));
    }

    static long decode(String cursor) {
        String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        if (!text.startsWith("seq:")) {
            throw new IllegalArgumentException("not a cursor");
        }
        return Long.parseLong(text.substring(4));
    }
}
