package dev.driftless.events;

import java.util.regex.Pattern;

/**
 * What an application's name may be everywhere (events, APIs, tokens' scopes): a DNS label, or
 * {@code <namespace>.<name>} for one declared by an Application resource in a team's namespace; 63 characters at most,
 * as a label value must be.
 */
public final class ApplicationNames {

    private static final Pattern NAME =
            Pattern.compile("^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");

    private ApplicationNames() {}

    /** Whether {@code name} is an application's name. */
    public static boolean isValid(String name) {
        return name != null && name.length() <= 63 && NAME.matcher(name).matches();
    }
}
