package dev.driftless.events;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Normalises repository URLs so the same repository matches whatever form a payload or catalog uses: https or ssh,
 * scp-like {@code git@host:owner/repo}, with or without {@code .git}, any case of host, with or without credentials.
 * The normal form is {@code https://host[:port]/path} without credentials, trailing slash or {@code .git}; plain
 * {@code http} stays {@code http} (a local server).
 */
public final class RepositoryUrls {

    private static final Pattern SCP_LIKE = Pattern.compile("^(?:[^@/]+@)?([^:/]+):(?!//)(.+)$");

    private RepositoryUrls() {}

    /**
     * The normal form of a repository URL.
     *
     * @throws IllegalArgumentException when it is not a repository URL
     */
    public static String normalise(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("repository URL is empty");
        }
        String trimmed = url.trim();
        String scheme;
        String host;
        int port = -1;
        String path;
        Matcher scp = SCP_LIKE.matcher(trimmed);
        if (!trimmed.contains("://") && scp.matches()) {
            scheme = "https";
            host = scp.group(1);
            path = scp.group(2);
        } else {
            URI uri;
            try {
                uri = new URI(trimmed);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not a repository URL: " + e.getReason());
            }
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("not a repository URL: needs a scheme and a host");
            }
            String given = uri.getScheme().toLowerCase(Locale.ROOT);
            scheme = given.equals("http") ? "http" : "https";
            host = uri.getHost();
            port = given.equals("ssh") || given.equals("git") ? -1 : uri.getPort();
            path = uri.getPath() == null ? "" : uri.getPath();
        }
        path = path.replaceAll("/+$", "");
        if (path.endsWith(".git")) {
            path = path.substring(0, path.length() - 4);
        }
        if (!path.startsWith("/")) {
            path = "/" + path;
        }
        boolean defaultPort =
                port == -1 || (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
        return scheme + "://" + host.toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port) + path;
    }
}
