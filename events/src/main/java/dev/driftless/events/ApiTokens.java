package dev.driftless.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The configured API tokens and what each may do, the same for every service's API: {@code name:role:token}, role
 * {@code read} or {@code write}, optionally limited to some applications or projects with a fourth part,
 * {@code applications=a|b} or {@code projects=team-a|team-b}. Tokens are compared in constant time; an unknown token
 * and a missing one are the same to the caller.
 */
public final class ApiTokens {

    /** What a token may do: {@code read} the log, or also {@code write} commands. */
    public enum Role {
        read,
        write
    }

    /**
     * A caller a token identifies: its name is recorded as the actor of what it does.
     *
     * @param name the token's name
     * @param role what it may do
     * @param applications the applications it may see and act on; empty for every one (unless {@code projects})
     * @param projects the projects whose applications it may see and act on; empty for every one (unless
     *     {@code applications})
     */
    public record Caller(String name, Role role, Set<String> applications, Set<String> projects) {

        public Caller {
            applications = applications == null ? Set.of() : Set.copyOf(applications);
            projects = projects == null ? Set.of() : Set.copyOf(projects);
        }

        /** A caller of every application. */
        public Caller(String name, Role role) {
            this(name, role, Set.of(), Set.of());
        }

        /** Whether this caller may do what needs {@code needed}. */
        public boolean may(Role needed) {
            return role == Role.write || needed == Role.read;
        }

        /** Whether the token is limited to some applications or projects. */
        public boolean scoped() {
            return !applications.isEmpty() || !projects.isEmpty();
        }

        /**
         * Whether this caller may see and act on an application of a project ({@code null} when the project is not
         * known, which a project-limited token never sees).
         */
        public boolean sees(String application, String project) {
            return !scoped() || applications.contains(application) || (project != null && projects.contains(project));
        }
    }

    private record Entry(Caller caller, byte[] token) {}

    /** The optional fourth part of an entry: {@code :applications=a|b} or {@code :projects=p|q}, at its end. */
    private static final java.util.regex.Pattern SCOPE =
            java.util.regex.Pattern.compile(":(applications|projects)=([a-z0-9][-a-z0-9.|]*)$");

    private final List<Entry> entries;

    private ApiTokens(List<Entry> entries) {
        this.entries = entries;
    }

    /**
     * Parses {@code name:role:token} specifications.
     *
     * @throws IllegalArgumentException naming the entry (never the token) when one is malformed
     */
    /**
     * Names a token may not have: the actor of what the services ask for themselves (sync-service's resyncs after a
     * restart keep a rollback's pin; a person's resync under that name must not).
     */
    public static final Set<String> RESERVED_NAMES =
            Set.of("webhook-service", "render-service", "sync-service", "audit-service");

    public static ApiTokens parse(List<String> specs) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            String spec = specs.get(i).trim();
            if (spec.isEmpty()) {
                continue;
            }
            String[] parts = spec.split(":", 3);
            if (parts.length != 3 || parts[0].isBlank() || parts[2].length() < 16) {
                throw new IllegalArgumentException("API token entry " + (i + 1)
                        + " must be name:role:token with a token of at least 16 characters");
            }
            if (RESERVED_NAMES.contains(parts[0].trim())) {
                throw new IllegalArgumentException("API token entry " + (i + 1) + " (" + parts[0]
                        + "): the name is reserved for the service's own commands; choose another");
            }
            Role role;
            try {
                role = Role.valueOf(parts[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "API token entry " + (i + 1) + " (" + parts[0] + "): role must be read or write");
            }
            String token = parts[2];
            Set<String> applications = Set.of();
            Set<String> projects = Set.of();
            java.util.regex.Matcher scope = SCOPE.matcher(token);
            if (scope.find()) {
                token = token.substring(0, scope.start());
                Set<String> names = Set.of(scope.group(2).split("\\|"));
                if (scope.group(1).equals("applications")) {
                    applications = names;
                } else {
                    projects = names;
                }
            }
            if (token.length() < 16) {
                throw new IllegalArgumentException("API token entry " + (i + 1)
                        + " must be name:role:token with a token of at least 16 characters");
            }
            entries.add(new Entry(
                    new Caller(parts[0], role, applications, projects), token.getBytes(StandardCharsets.UTF_8)));
        }
        return new ApiTokens(List.copyOf(entries));
    }

    /** The caller an {@code Authorization} header identifies, if it carries a known bearer token. */
    public Optional<Caller> authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        Caller found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.token(), given) && found == null) {
                found = entry.caller();
            }
        }
        return Optional.ofNullable(found);
    }

    /** Whether any token is configured. */
    public boolean isEmpty() {
        return entries.isEmpty();
    }
}
