package dev.driftless.audit.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The configured API tokens and what each may do. Tokens are compared in constant time; an unknown token and a
 * missing one are the same to the caller.
 */
public final class ApiTokens {

    /** What a token may do: {@code read} the log, or also {@code write} commands. */
    public enum Role {
        read,
        write
    }

    /** A caller a token identifies: its name is recorded as the actor of what it does. */
    public record Caller(String name, Role role) {
        /** Whether this caller may do what needs {@code needed}. */
        public boolean may(Role needed) {
            return role == Role.write || needed == Role.read;
        }
    }

    private record Entry(Caller caller, byte[] token) {}

    private final List<Entry> entries;

    private ApiTokens(List<Entry> entries) {
        this.entries = entries;
    }

    /**
     * Parses {@code name:role:token} specifications.
     *
     * @throws IllegalArgumentException naming the entry (never the token) when one is malformed
     */
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
            Role role;
            try {
                role = Role.valueOf(parts[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "API token entry " + (i + 1) + " (" + parts[0] + "): role must be read or write");
            }
            entries.add(new Entry(new Caller(parts[0], role), parts[2].getBytes(StandardCharsets.UTF_8)));
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
