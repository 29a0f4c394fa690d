package dev.driftless.webhook.domain;

import java.util.regex.Pattern;

/**
 * A normalised repository URL, or a glob over them where {@code *} matches any run of characters
 * ({@code https://github.com/acme/*}). An exact URL is more specific than any glob; of two globs, the longer is.
 */
public record RepositoryPattern(String pattern) {

    public RepositoryPattern {
        pattern = pattern.trim();
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("a repository pattern must not be empty");
        }
    }

    /** Whether the repository URL matches. */
    public boolean matches(String repository) {
        if (!isGlob()) {
            return pattern.equals(repository);
        }
        String regex = Pattern.quote(pattern).replace("*", "\\E.*\\Q");
        return Pattern.matches(regex, repository);
    }

    /** How specific a match is: higher wins. */
    public int specificity() {
        return isGlob() ? pattern.length() : Integer.MAX_VALUE;
    }

    private boolean isGlob() {
        return pattern.indexOf('*') >= 0;
    }
}
