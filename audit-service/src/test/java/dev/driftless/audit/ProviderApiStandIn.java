package dev.driftless.audit;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local HTTP server standing in for the statuses APIs of GitHub ({@code /github}), GitLab ({@code /gitlab/api/v4})
 * and Gitea ({@code /gitea/api/v1}): it records every request and answers the first one to each with 502, as a
 * provider having a bad moment would, and the rest with 201.
 */
public class ProviderApiStandIn implements QuarkusTestResourceLifecycleManager {

    /** A request as the stand-in received it. */
    public record Received(String method, String path, Map<String, List<String>> headers, String body) {}

    public static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
    private static final Set<String> FAILED_ONCE = ConcurrentHashMap.newKeySet();

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getRawPath();
            RECEIVED.add(new Received(
                    exchange.getRequestMethod(),
                    path,
                    Map.copyOf(exchange.getRequestHeaders()),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            String provider = path.split("/")[1];
            exchange.sendResponseHeaders(FAILED_ONCE.add(provider) ? 502 : 201, -1);
            exchange.close();
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        Map<String, String> config = new HashMap<>();
        target(config, "acme", "https://github.com/acme/*", "github", base + "/github", "ghp-test-token");
        target(config, "group", "https://gitlab.com/group/*", "gitlab", base + "/gitlab/api/v4", "glpat-test-token");
        target(config, "forge", "https://codeberg.org/forge/*", "gitea", base + "/gitea/api/v1", "gitea-test-token");
        return config;
    }

    private static void target(
            Map<String, String> config, String name, String repository, String provider, String apiUrl, String token) {
        String prefix = "driftless.audit.commit-status." + name + ".";
        config.put(prefix + "repository", repository);
        config.put(prefix + "provider", provider);
        config.put(prefix + "api-url", apiUrl);
        config.put(prefix + "token", token);
    }

    @Override
    public void stop() {
        server.stop(0);
    }
}
