package dev.driftless.audit.notify;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP receiver on a free port, standing in for Slack, Teams or a team's own webhook: it keeps every body it
 * was sent, by path, and answers 503 to as many requests as it is told to fail next. Configures three endpoints of
 * audit-service at it: {@code generic} (JSON, every kind), {@code slack} (health only), {@code teams} (drift only).
 */
public class WebhookReceiver implements QuarkusTestResourceLifecycleManager {

    /** One request received: its path, Authorization header and body. */
    public record Received(String path, String authorization, String body) {}

    static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
    static final AtomicInteger FAIL_NEXT = new AtomicInteger();
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = 200;
            if (FAIL_NEXT.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                status = 503;
            } else {
                RECEIVED.add(new Received(
                        exchange.getRequestURI().getPath(),
                        exchange.getRequestHeaders().getFirst("Authorization"),
                        new String(body, StandardCharsets.UTF_8)));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.ofEntries(
                Map.entry("driftless.notify.endpoints.generic.url", base + "/generic"),
                Map.entry("driftless.notify.endpoints.generic.authorization", "Bearer hook-secret"),
                Map.entry("driftless.notify.endpoints.slack.url", base + "/slack"),
                Map.entry("driftless.notify.endpoints.slack.format", "slack"),
                Map.entry("driftless.notify.endpoints.slack.events", "health-degraded"),
                Map.entry("driftless.notify.endpoints.teams.url", base + "/teams"),
                Map.entry("driftless.notify.endpoints.teams.format", "teams"),
                Map.entry("driftless.notify.endpoints.teams.events", "drift-detected"),
                Map.entry("driftless.notify.console-url", "https://driftless.example.com/console/"),
                Map.entry("driftless.notify.backoff", "100ms"),
                Map.entry("driftless.notify.out-of-sync-after", "2s"),
                Map.entry("driftless.notify.check-interval", "1s"));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
