package dev.driftless.render.git;

import dev.driftless.render.RenderConfig;
import dev.driftless.render.domain.Reason;
import dev.driftless.render.domain.RenderFailure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * Applies the configured credentials ({@code driftless.render.git.credentials.*}) to a fetch: the one whose
 * {@code url-prefix} is the longest that starts the repository's URL. HTTPS gets a user name and a password or
 * token; SSH gets the private key and known hosts of the credential, never the service user's {@code ~/.ssh}.
 * Secret files are read at each fetch, so a rotated Secret needs no restart.
 */
@ApplicationScoped
public class GitCredentials {

    @Inject
    RenderConfig config;

    /** Configures a fetch of {@code url}; a URL no credential matches is fetched anonymously. */
    public void apply(TransportCommand<?, ?> command, String url) throws RenderFailure {
        Optional<Map.Entry<String, RenderConfig.Credential>> match = config.git().credentials().entrySet().stream()
                .filter(c -> covers(c.getValue().urlPrefix(), url))
                .max(Comparator.comparingInt(c -> c.getValue().urlPrefix().length()));
        if (match.isEmpty()) {
            return;
        }
        String name = match.get().getKey();
        RenderConfig.Credential credential = match.get().getValue();
        Optional<String> password = credential.passwordFile().isPresent()
                ? Optional.of(read(name, credential.passwordFile().get()))
                : credential.password();
        password.ifPresent(secret ->
                command.setCredentialsProvider(new UsernamePasswordCredentialsProvider(credential.username(), secret)));
        if (credential.sshPrivateKeyFile().isPresent()) {
            SshdSessionFactory ssh =
                    sshSessionFactory(name, credential.sshPrivateKeyFile().get(), credential.sshKnownHostsFile());
            command.setTransportConfigCallback(transport -> {
                if (transport instanceof SshTransport sshTransport) {
                    sshTransport.setSshSessionFactory(ssh);
                }
            });
        }
    }

    /**
     * Whether a credential's URL prefix covers a repository URL, judged on the parsed URLs, never on their text: the
     * same scheme, the same user (for {@code git@host:path}), host and port (a missing port is the scheme's default),
     * no user information in the repository URL, no {@code .} or {@code ..} segment in its path, and the prefix's path
     * a prefix of the repository's at a segment boundary (or at a name boundary, for a prefix ending in {@code -} or
     * {@code _}, such as {@code /private/allowed-}). So {@code https://git.example.com} never covers
     * {@code https://git.example.com.evil.io/x}, {@code https://git.example.com:x@evil.io/x} or
     * {@code https://git.example.com:8443/x}, and {@code https://git.example.com/acme/} never covers
     * {@code https://git.example.com/acme/../evil/x}: a credential never reaches another host or repository. A prefix
     * of a scheme alone ({@code ssh://}) covers every repository reached with that scheme.
     */
    public static boolean covers(String prefix, String url) {
        Optional<Location> repository = Location.of(url);
        if (repository.isEmpty() || repository.get().userInfo() != null) {
            return false;
        }
        java.util.regex.Matcher schemeOnly =
                java.util.regex.Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://").matcher(prefix.strip());
        if (schemeOnly.matches()) {
            // "ssh://": every repository reached with that scheme (a deploy key for all of them)
            return schemeOnly
                    .group(1)
                    .toLowerCase(java.util.Locale.ROOT)
                    .equals(repository.get().scheme());
        }
        Optional<Location> owner = Location.of(prefix);
        if (owner.isEmpty()) {
            return false;
        }
        Location p = owner.get();
        Location r = repository.get();
        if (!p.scheme().equals(r.scheme())
                || !p.host().equals(r.host())
                || p.port() != r.port()
                || !java.util.Objects.equals(p.user(), r.user())) {
            return false;
        }
        for (String segment : r.path().split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        String path = p.path();
        if (path.isEmpty() || path.equals("/")) {
            return true;
        }
        if (!r.path().startsWith(path)) {
            return false;
        }
        if (r.path().length() == path.length() || path.endsWith("/") || path.endsWith("-") || path.endsWith("_")) {
            return true;
        }
        return r.path().charAt(path.length()) == '/';
    }

    /**
     * A repository URL taken apart: {@code scheme://[userinfo@]host[:port]/path}, or the scp-like {@code user@host:path}
     * of SSH (scheme {@code ssh}, port 22).
     */
    record Location(String scheme, String userInfo, String user, String host, int port, String path) {

        static Optional<Location> of(String text) {
            String trimmed = text.strip();
            if (trimmed.contains("://")) {
                try {
                    java.net.URI uri = new java.net.URI(trimmed);
                    if (uri.getScheme() == null || uri.getHost() == null) {
                        return Optional.empty();
                    }
                    String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
                    int port = uri.getPort() != -1 ? uri.getPort() : defaultPort(scheme);
                    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
                    String userInfo = uri.getRawUserInfo();
                    // ssh://git@host/path: the user is part of whom the key is for, not a credential in the URL
                    String user = scheme.equals("ssh") ? userInfo : null;
                    return Optional.of(new Location(
                            scheme,
                            scheme.equals("ssh") ? null : userInfo,
                            user,
                            uri.getHost().toLowerCase(java.util.Locale.ROOT),
                            port,
                            path));
                } catch (java.net.URISyntaxException e) {
                    return Optional.empty();
                }
            }
            java.util.regex.Matcher scp = java.util.regex.Pattern.compile(
                            "([A-Za-z0-9._-]+)@([A-Za-z0-9.-]+)(?::(.*))?")
                    .matcher(trimmed);
            if (!scp.matches()) {
                return Optional.empty();
            }
            String path = scp.group(3) == null ? "" : "/" + scp.group(3);
            return Optional.of(
                    new Location("ssh", null, scp.group(1), scp.group(2).toLowerCase(java.util.Locale.ROOT), 22, path));
        }

        private static int defaultPort(String scheme) {
            return switch (scheme) {
                case "https" -> 443;
                case "http" -> 80;
                case "ssh" -> 22;
                case "git" -> 9418;
                default -> -1;
            };
        }
    }

    private static SshdSessionFactory sshSessionFactory(String name, Path key, Optional<Path> knownHosts)
            throws RenderFailure {
        if (!Files.isReadable(key)) {
            throw new RenderFailure(
                    Reason.RepositoryUnreachable, "credential " + name + ": cannot read its SSH key file " + key);
        }
        Path home = key.toAbsolutePath().getParent();
        return new SshdSessionFactoryBuilder()
                .setHomeDirectory(home.toFile())
                .setSshDirectory(home.toFile())
                .setDefaultIdentities(dir -> List.of(key.toAbsolutePath()))
                .setDefaultKnownHostsFiles(
                        dir -> knownHosts.map(Path::toAbsolutePath).stream().toList())
                .setPreferredAuthentications("publickey")
                .setConfigFile(dir -> null)
                .build(null);
    }

    private static String read(String name, Path file) throws RenderFailure {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new RenderFailure(
                    Reason.RepositoryUnreachable, "credential " + name + ": cannot read its password file " + file);
        }
    }
}
