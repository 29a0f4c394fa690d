package dev.driftless.devstack.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.resolver.ServiceNotEnabledException;
import org.eclipse.jgit.util.FS;

/**
 * A local Git smart-HTTP server (JGit's {@link GitServlet} on Jetty) hosting bare repositories under one directory.
 * A push to a name that does not exist yet creates the repository, as hosted providers do for a new project. After
 * every accepted push it sends a GitHub-format {@code push} webhook for each updated ref through a
 * {@link PushWebhookSender}, when one is configured.
 *
 * <p>Repositories live at {@code <baseUrl>/<name>.git}; names are one or more segments of letters, digits, dots,
 * dashes and underscores, so a path can never leave the root directory.
 */
public final class GitServer implements AutoCloseable {

    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$");

    private final Server jetty;
    private final Path root;
    private final String baseUrl;
    private final java.util.concurrent.ConcurrentMap<String, java.util.concurrent.atomic.LongAdder> fetches;

    private GitServer(
            Server jetty,
            Path root,
            String baseUrl,
            java.util.concurrent.ConcurrentMap<String, java.util.concurrent.atomic.LongAdder> fetches) {
        this.jetty = jetty;
        this.root = root;
        this.baseUrl = baseUrl;
        this.fetches = fetches;
    }

    /**
     * Starts the server on 127.0.0.1.
     *
     * @param port the port, or 0 for a free one
     * @param root the directory holding the bare repositories
     * @param webhooks where to send push webhooks, or {@code null} to send none
     */
    public static GitServer start(int port, Path root, PushWebhookSender webhooks) {
        return start(port, root, webhooks, null);
    }

    /** The user that repositories under {@code private/} require, with the password given at start. */
    public static final String PRIVATE_USER = "driftless";

    /**
     * Starts the server on 127.0.0.1, with repositories under {@code private/} readable and writable only with HTTP
     * basic authentication as {@link #PRIVATE_USER} and {@code privatePassword} (none when it is {@code null}).
     */
    public static GitServer start(int port, Path root, PushWebhookSender webhooks, String privatePassword) {
        try {
            Files.createDirectories(root);
            Server jetty = new Server();
            ServerConnector connector = new ServerConnector(jetty);
            connector.setHost("127.0.0.1");
            connector.setPort(port);
            jetty.addConnector(connector);

            GitServlet servlet = new GitServlet();
            servlet.setRepositoryResolver((request, name) -> open(root, name, isPush(request)));
            java.util.concurrent.ConcurrentMap<String, java.util.concurrent.atomic.LongAdder> fetches =
                    new java.util.concurrent.ConcurrentHashMap<>();
            servlet.setUploadPackFactory((request, repository) -> {
                // every fetch or clone begins with one advertisement of the refs, whatever the protocol version
                if ("git-upload-pack".equals(request.getParameter("service"))) {
                    fetches.computeIfAbsent(
                                    nameOf(root, repository), name -> new java.util.concurrent.atomic.LongAdder())
                            .increment();
                }
                return new org.eclipse.jgit.transport.UploadPack(repository);
            });
            servlet.setReceivePackFactory((request, repository) -> {
                ReceivePack pack = new ReceivePack(repository);
                if (webhooks != null) {
                    String name = nameOf(root, repository);
                    pack.setPostReceiveHook((rp, commands) -> webhooks.onPush(name, repository, commands));
                }
                return pack;
            });
            ServletContextHandler context = new ServletContextHandler();
            context.setContextPath("/");
            context.addServlet(new ServletHolder(servlet), "/git/*");
            if (privatePassword != null) {
                String expected = "Basic "
                        + java.util.Base64.getEncoder()
                                .encodeToString((PRIVATE_USER + ":" + privatePassword)
                                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                context.addFilter(
                        new org.eclipse.jetty.ee10.servlet.FilterHolder((request, response, chain) -> {
                            var http = (jakarta.servlet.http.HttpServletRequest) request;
                            String given = http.getHeader("Authorization");
                            if (given != null
                                    && java.security.MessageDigest.isEqual(
                                            given.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                            expected.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
                                chain.doFilter(request, response);
                                return;
                            }
                            var answer = (jakarta.servlet.http.HttpServletResponse) response;
                            answer.setHeader("WWW-Authenticate", "Basic realm=\"driftless\"");
                            answer.sendError(401);
                        }),
                        "/git/private/*",
                        java.util.EnumSet.of(jakarta.servlet.DispatcherType.REQUEST));
            }
            jetty.setHandler(context);
            jetty.start();
            int actual = connector.getLocalPort();
            GitServer server = new GitServer(jetty, root, "http://127.0.0.1:" + actual + "/git", fetches);
            if (webhooks != null) {
                webhooks.setBaseUrl(server.baseUrl);
            }
            return server;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the Git server on port " + port + ": " + e.getMessage(), e);
        }
    }

    private static boolean isPush(jakarta.servlet.http.HttpServletRequest request) {
        String uri = request.getRequestURI();
        return "git-receive-pack".equals(request.getParameter("service"))
                || (uri != null && uri.endsWith("/git-receive-pack"));
    }

    private static String nameOf(Path root, Repository repository) {
        String relative = root.toAbsolutePath()
                .normalize()
                .relativize(repository.getDirectory().toPath().toAbsolutePath().normalize())
                .toString()
                .replace('\\', '/');
        return relative.endsWith(".git") ? relative.substring(0, relative.length() - 4) : relative;
    }

    static Repository open(Path root, String name, boolean createIfMissing)
            throws RepositoryNotFoundException, ServiceNotEnabledException {
        String normal = name.endsWith(".git") ? name.substring(0, name.length() - 4) : name;
        if (!NAME.matcher(normal).matches() || normal.contains("..")) {
            throw new RepositoryNotFoundException(name);
        }
        Path dir = root.resolve(normal + ".git").normalize();
        if (!dir.startsWith(root.normalize())) {
            throw new RepositoryNotFoundException(name);
        }
        try {
            if (!RepositoryCache.FileKey.isGitRepository(dir.toFile(), FS.DETECTED)) {
                if (!createIfMissing) {
                    throw new RepositoryNotFoundException(name);
                }
                createBare(dir);
            }
            return new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build();
        } catch (IOException e) {
            throw new RepositoryNotFoundException(name, e);
        }
    }

    private static synchronized void createBare(Path dir) throws IOException {
        if (RepositoryCache.FileKey.isGitRepository(dir.toFile(), FS.DETECTED)) {
            return;
        }
        try (Repository created =
                new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build()) {
            created.create(true);
            created.updateRef(org.eclipse.jgit.lib.Constants.HEAD).link("refs/heads/main");
            created.getConfig().setBoolean("http", null, "receivepack", true);
            created.getConfig().save();
        }
    }

    /** Base URL of the server, e.g. {@code http://127.0.0.1:8090/git}; a repository is {@code <base>/<name>.git}. */
    public String baseUrl() {
        return baseUrl;
    }

    /** The clone URL of a repository on this server. */
    public String repositoryUrl(String name) {
        return baseUrl + "/" + name + ".git";
    }

    /** The directory holding a repository, created bare if it does not exist yet. */
    public Path repositoryDirectory(String name) {
        try (Repository repository = open(root, name, true)) {
            return repository.getDirectory().toPath();
        } catch (RepositoryNotFoundException | ServiceNotEnabledException e) {
            throw new IllegalArgumentException("not a valid repository name: " + name, e);
        }
    }

    /** How many fetches (and clones) of a repository this server has answered since it started. */
    public long fetches(String name) {
        java.util.concurrent.atomic.LongAdder count = fetches.get(name);
        return count == null ? 0 : count.sum();
    }

    /** The port the server listens on. */
    public int port() {
        return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    }

    @Override
    public void close() {
        try {
            jetty.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the Git server", e);
        }
    }
}
