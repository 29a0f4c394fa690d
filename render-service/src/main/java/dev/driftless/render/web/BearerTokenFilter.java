package dev.driftless.render.web;

import dev.driftless.events.ApiTokenFilter;
import jakarta.annotation.Priority;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.ext.Provider;

/** Every {@code /api} request of render-service needs a token of {@code driftless.render.api.tokens} ({@link ApiTokenFilter}). */
@Provider
@Singleton
@Priority(Priorities.AUTHENTICATION)
public class BearerTokenFilter extends ApiTokenFilter implements jakarta.ws.rs.container.ContainerRequestFilter {

    /** Request property holding the authenticated caller. */
    public static final String CALLER = ApiTokenFilter.CALLER;

    /** Declared here, as is the interface: Quarkus finds filters in its build-time index, which events is not in. */
    @Override
    public void filter(jakarta.ws.rs.container.ContainerRequestContext request) {
        super.filter(request);
    }

    @Override
    protected String tokensProperty() {
        return "driftless.render.api.tokens";
    }
}
