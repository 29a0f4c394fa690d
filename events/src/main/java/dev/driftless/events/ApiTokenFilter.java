package dev.driftless.events;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * What every service's {@code /api} asks of a caller, in one place: {@code Authorization: Bearer <token>} with a
 * configured token ({@link ApiTokens}): 401 without one, 403 when a read token asks to change something (any method
 * but GET and HEAD). The caller is left in the request property {@link #CALLER}, for what it does to be recorded
 * under its name and for the resources to check which applications it may see ({@link #forbidden}). Each service
 * registers a subclass naming its tokens' property.
 */
public abstract class ApiTokenFilter implements ContainerRequestFilter {

    /** Request property holding the authenticated {@link ApiTokens.Caller}. */
    public static final String CALLER = "driftless.caller";

    private static final Logger LOG = Logger.getLogger(ApiTokenFilter.class);

    private volatile ApiTokens tokens;

    /** The property listing this service's tokens, e.g. {@code driftless.audit.api.tokens}. */
    protected abstract String tokensProperty();

    /** The configured tokens, read once, at run time (filters are built before configuration mappings exist). */
    private ApiTokens tokens() {
        if (tokens == null) {
            ApiTokens parsed = ApiTokens.parse(ConfigProvider.getConfig()
                    .getOptionalValues(tokensProperty(), String.class)
                    .orElse(List.of()));
            if (parsed.isEmpty()) {
                LOG.warnf("no API tokens are configured (%s): every API request is refused", tokensProperty());
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
            request.abortWith(Response.fromResponse(error(
                            Response.Status.UNAUTHORIZED,
                            "Unauthenticated",
                            "send Authorization: Bearer <token> with a configured API token"))
                    .header("WWW-Authenticate", "Bearer realm=\"driftless\"")
                    .build());
            return;
        }
        boolean reads = request.getMethod().equals("GET") || request.getMethod().equals("HEAD");
        if (!caller.get().may(reads ? ApiTokens.Role.read : ApiTokens.Role.write)) {
            request.abortWith(error(
                    Response.Status.FORBIDDEN,
                    "Forbidden",
                    "token " + caller.get().name() + " may only read"));
            return;
        }
        request.setProperty(CALLER, caller.get());
    }

    /** The caller a request was authenticated as. */
    public static ApiTokens.Caller caller(ContainerRequestContext request) {
        return (ApiTokens.Caller) request.getProperty(CALLER);
    }

    /** An error answer: the status, a stable reason word and a message for people; never a stack trace. */
    public static Response error(Response.Status status, String reason, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(Map.of("reason", reason, "message", message))
                .build();
    }

    /** 403 for a caller whose token does not cover the application. */
    public static Response forbidden(ApiTokens.Caller caller, String application) {
        return error(
                Response.Status.FORBIDDEN,
                "Forbidden",
                "token " + caller.name() + " may not see or act on application " + application);
    }
}
