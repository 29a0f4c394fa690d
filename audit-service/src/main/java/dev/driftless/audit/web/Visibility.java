package dev.driftless.audit.web;

import dev.driftless.audit.store.ChangeLog;
import dev.driftless.events.ApiTokens;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * What one caller may see: every application for an unlimited token; for a token limited to applications or projects
 * ({@link ApiTokens}), those applications, and the applications whose newest render names one of those projects.
 * Remembers each application's answer for the request it serves.
 */
final class Visibility {

    private final ApiTokens.Caller caller;
    private final ChangeLog changeLog;
    private final Map<String, Boolean> seen = new HashMap<>();

    Visibility(ApiTokens.Caller caller, ChangeLog changeLog) {
        this.caller = caller;
        this.changeLog = changeLog;
    }

    /** Whether the caller may see and act on this application; events of no application are seen by all. */
    boolean sees(String application) throws SQLException {
        if (caller == null || !caller.scoped() || application == null) {
            return true;
        }
        Boolean known = seen.get(application);
        if (known == null) {
            known = caller.sees(application, changeLog.projectOf(application).orElse(null));
            seen.put(application, known);
        }
        return known;
    }

    /** The answer to a caller who may not see or act on an application: 403 with the reason. */
    jakarta.ws.rs.core.Response forbidden(String application) {
        return Errors.of(
                jakarta.ws.rs.core.Response.Status.FORBIDDEN,
                "Forbidden",
                "token " + caller.name() + " may not see or act on application " + application);
    }
}
