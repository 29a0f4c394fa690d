package dev.driftless.audit.web;

import dev.driftless.audit.AuditConfig;
import dev.driftless.events.ApiTokens;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Every {@code /api} request needs {@code Authorization: Bearer <token>} with a configured token: 401 without one,
 * 403 when a read token asks to change something (any method but GET and HEAD). The caller is left in the request
 * property {@link #CALLER} so what it does is recorded under its name.
 */
@Provider
@Singleton
@Priority(Priorities.AUTHENTICATION)
public class BearerTokenFilter implements ContainerRequestFilter {

    /** Request property holding the authenticated {@link ApiTokens.Caller}. */
    public static final String CALLER = "driftless.caller";

    private static final Logger LOG = Logger.getLogger(BearerTokenFilter.class);

    /** A provider: JAX-RS filters are built at static init, before configuration mappings exist. */
    @Inject
    jakarta.inject.Provider<AuditConfig> config;

    private volatile ApiTokens tokens;

    /** The configured tokens, read once, at run time. */
    private ApiTokens tokens() {
        if (tokens == null) {
            ApiTokens parsed = ApiTokens.parse(config.get().api().tokens().orElse(List.of()));
            if (parsed.isEmpty()) {
                LOG.warn("no API tokens are configured (driftless.audit.api.tokens): every API request is refused");
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
            request.abortWith(Response.fromResponse(Errors.of(
                            Response.Status.UNAUTHORIZED,
                            "Unauthenticated",
                            "send Authorization: Bearer <token> with a configured API token"))
                    .header("WWW-Authenticate", "Bearer realm=\"driftless\"")
                    .build());
            return;
        }
        boolean reads = request.getMethod().equals("GET") || request.getMethod().equals("HEAD");
        if (!caller.get().may(reads ? ApiTokens.Role.read : ApiTokens.Role.write)) {
            request.abortWith(Errors.of(
                    Response.Status.FORBIDDEN,
                    "Forbidden",
                    "token " + caller.get().name() + " may only read"));
            return;
        }
        request.setProperty(CALLER, caller.get());
    }
}
