package dev.driftless.audit.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each sync-service replica knows only the applications it owns: audit-service asks one after the other until one
 * knows. Two JDK HTTP servers stand in for two replicas (a real pair would need the broker to split partitions
 * between them; OwnershipIT tests that sync-service answers 404 for what it does not own).
 */
class PeerServicesTest {

    final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();

    /** A stand-in replica answering every request with this status and body. */
    URI replica(int status, String body) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        servers.add(server);
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    @Test
    void theReplicaThatOwnsTheApplicationAnswersWithTheCallersToken() throws Exception {
        URI other = replica(404, "{\"reason\":\"NotFound\",\"message\":\"not mine\"}");
        URI owner = replica(200, "{\"application\":\"web\",\"inSync\":true}");
        var answer = new PeerServices()
                .firstThatKnows(List.of(other, owner), "/api/applications/web/diff", "Bearer caller-token");
        assertThat(answer.getStatus()).isEqualTo(200);
        assertThat(new String((byte[]) answer.getEntity(), StandardCharsets.UTF_8))
                .contains("\"inSync\":true");
        assertThat(authorizations).containsExactly("Bearer caller-token", "Bearer caller-token");
    }

    @Test
    void whenNoReplicaKnowsItTheAnswerIsNotFound() throws Exception {
        URI one = replica(404, "{\"reason\":\"NotFound\",\"message\":\"not mine\"}");
        URI two = replica(404, "{\"reason\":\"NotFound\",\"message\":\"not mine\"}");
        assertThat(new PeerServices()
                        .firstThatKnows(List.of(one, two), "/api/applications/web/status", null)
                        .getStatus())
                .isEqualTo(404);
    }

    @Test
    void aNameThatResolvesToOneAddressIsAskedAsItIs() {
        URI base = URI.create("http://127.0.0.1:8083");
        assertThat(PeerServices.replicas(base)).containsExactly(base);
    }
}
