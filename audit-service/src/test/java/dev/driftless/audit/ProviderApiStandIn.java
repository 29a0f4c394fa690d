package dev.driftless.audit;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP server standing in for GitHub's statuses API: it records every request and answers the first one
 * with 502, as a provider having a bad moment would, and the rest with 201.
 */
public class ProviderApiStandIn implements QuarkusTestResourceLifecycleManager {

    /** A request as the stand-in received it. */
    public record Received(String method, String path, Map<String, List<String>> headers, String body) {}

    public static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
    private static final AtomicInteger CALLS = new AtomicInteger();

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            RECEIVED.add(new Received(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(),
                    Map.copyOf(exchange.getRequestHeaders()),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(CALLS.getAndIncrement() == 0 ? 502 : 201, -1);
            exchange.close();
        });
        server.start();
        return Map.of(
                "driftless.audit.commit-status.acme.repository", "https://github.com/acme/*",
                "driftless.audit.commit-status.acme.provider", "github",
                "driftless.audit.commit-status.acme.api-url",
                        "http://127.0.0.1:" + server.getAddress().getPort(),
                "driftless.audit.commit-status.acme.token", "ghp-test-token");
    }

    @Override
    public void stop() {
        server.stop(0);
    }
}
