package dev.driftless.render.web;

import dev.driftless.events.ApiTokens;
import jakarta.annotation.Priority;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Every {@code /api} request needs {@code Authorization: Bearer <token>} with a token of
 * {@code driftless.render.api.tokens} (the same list as audit-service's, {@code DRIFTLESS_API_TOKENS}): 401 without
 * one, 403 when a read token asks to change something. The caller is left in the request property {@link #CALLER} for
 * the resources to check which applications it may see.
 */
@Provider
@Singleton
@Priority(Priorities.AUTHENTICATION)
public class BearerTokenFilter implements ContainerRequestFilter {

    /** Request property holding the authenticated {@link ApiTokens.Caller}. */
    public static final String CALLER = "driftless.caller";

    private static final Logger LOG = Logger.getLogger(BearerTokenFilter.class);

    private volatile ApiTokens tokens;

    /** The configured tokens, read once, at run time. */
    private ApiTokens tokens() {
        if (tokens == null) {
            ApiTokens parsed = ApiTokens.parse(ConfigProvider.getConfig()
                    .getOptionalValues("driftless.render.api.tokens", String.class)
                    .orElse(List.of()));
            if (parsed.isEmpty()) {
                LOG.warn("no API tokens are configured (driftless.render.api.tokens): every API request is refused");
            }
            tokens = parsed;
        }
        return tokens;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/api")) {
            return;
        }
        Optional<ApiTokens.Caller> caller = tokens().authenticate(request.getHeaderString("Authorization"));
        if (caller.isEmpty()) {
            request.abortWith(error(
                            Response.Status.UNAUTHORIZED,
                            "Unauthenticated",
                            "send Authorization: Bearer <token> with a configured API token")
                    .header("WWW-Authenticate", "Bearer realm=\"driftless\"")
                    .build());
            return;
        }
        boolean reads = request.getMethod().equals("GET") || request.getMethod().equals("HEAD");
        if (!caller.get().may(reads ? ApiTokens.Role.read : ApiTokens.Role.write)) {
            request.abortWith(error(
                            Response.Status.FORBIDDEN,
                            "Forbidden",
                            "token " + caller.get().name() + " may only read")
                    .build());
            return;
        }
        request.setProperty(CALLER, caller.get());
    }

    /** A JSON error with a reason word and a message. */
    static Response.ResponseBuilder error(Response.Status status, String reason, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(Map.of("status", status.getStatusCode(), "reason", reason, "message", message));
    }

    /** 403 for a caller whose token does not cover the application. */
    static Response forbidden(ApiTokens.Caller caller, String application) {
        return error(
                        Response.Status.FORBIDDEN,
                        "Forbidden",
                        "token " + caller.name() + " may not see or act on application " + application)
                .build();
    }
}
