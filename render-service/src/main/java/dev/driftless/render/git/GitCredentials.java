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
     * Whether a prefix covers a URL at a boundary: {@code https://git.example.com} covers
     * {@code https://git.example.com/acme/x} but not {@code https://git.example.com.evil.io/x} nor
     * {@code https://git.example.com@evil.io/x}, so a credential never reaches another host.
     */
    static boolean covers(String prefix, String url) {
        if (!url.startsWith(prefix)) {
            return false;
        }
        if (url.length() == prefix.length() || prefix.endsWith("/") || prefix.endsWith("-") || prefix.endsWith("_")) {
            return true;
        }
        char next = url.charAt(prefix.length());
        return next == '/' || next == ':'; // a path, a port, or the path of git@host:owner/repo
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
