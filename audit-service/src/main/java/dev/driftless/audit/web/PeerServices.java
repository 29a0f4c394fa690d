package dev.driftless.audit.web;

import dev.driftless.audit.AuditConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Asks the other services what only they know, so that the console and the command line need one address:
 * sync-service ({@code driftless.audit.sync-url}) an application's live objects and their diff with Git,
 * render-service ({@code driftless.audit.render-url}) the catalog (projects, destinations, how far behind). The
 * caller's own token is sent, so each service decides what the caller may see, and its answer is passed on as it is;
 * a service that does not answer is a 503 with a reason word.
 */
@ApplicationScoped
public class PeerServices {

    private static final Logger LOG = Logger.getLogger(PeerServices.class);
    private static final int MAX_BYTES = 8 * 1024 * 1024;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Inject
    AuditConfig config;

    /**
     * sync-service's answer to {@code GET /api/applications/{name}/{what}}, for the caller's token. Each replica knows
     * only the applications it owns, so every address sync-service's name resolves to (a headless Service names each
     * replica) is asked in turn until one knows the application.
     */
    public Response sync(String application, String what, String authorization) {
        if (config.syncUrl().isEmpty()) {
            return notConfigured("sync-service", "DRIFTLESS_SYNC_URL");
        }
        String path = "/api/applications/"
                + URLEncoder.encode(application, StandardCharsets.UTF_8).replace("+", "%20") + "/" + what;
        return firstThatKnows(replicas(config.syncUrl().get()), path, authorization);
    }

    /** The first answer but 404 of these replicas, asked in order; the last 404 when none knows. */
    Response firstThatKnows(List<URI> replicas, String path, String authorization) {
        Response answer = null;
        for (URI replica : replicas) {
            answer = get("sync-service", "DRIFTLESS_SYNC_URL", Optional.of(replica), path, authorization);
            if (answer.getStatus() != Response.Status.NOT_FOUND.getStatusCode()) {
                return answer;
            }
        }
        return answer;
    }

    /** Every address (at most 16) the base URL's host resolves to, as URLs; the base URL itself for one or none. */
    static List<URI> replicas(URI base) {
        try {
            InetAddress[] addresses = InetAddress.getAllByName(base.getHost());
            if (addresses.length <= 1) {
                return List.of(base);
            }
            List<URI> replicas = new java.util.ArrayList<>();
            for (InetAddress address : java.util.Arrays.asList(addresses).subList(0, Math.min(16, addresses.length))) {
                replicas.add(new URI(
                        base.getScheme(), null, address.getHostAddress(), base.getPort(), base.getPath(), null, null));
            }
            return replicas;
        } catch (UnknownHostException | java.net.URISyntaxException e) {
            return List.of(base);
        }
    }

    private static Response notConfigured(String service, String variable) {
        return Errors.of(
                Response.Status.SERVICE_UNAVAILABLE,
                "PeerNotConfigured",
                "audit-service does not know where " + service + " is; set " + variable);
    }

    /** render-service's catalog ({@code GET /api/applications} there), for the caller's token. */
    public Response catalog(String authorization) {
        return get("render-service", "DRIFTLESS_RENDER_URL", config.renderUrl(), "/api/applications", authorization);
    }

    private Response get(String service, String variable, Optional<URI> where, String path, String authorization) {
        if (where.isEmpty()) {
            return notConfigured(service, variable);
        }
        URI base = where.get();
        URI uri = base.resolve(path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(20))
                .header("Accept", MediaType.APPLICATION_JSON);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<byte[]> answer = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (answer.body().length > MAX_BYTES) {
                return Errors.of(
                        Response.Status.BAD_GATEWAY,
                        "PeerAnswerTooLarge",
                        service + " answered with more than " + MAX_BYTES + " bytes");
            }
            boolean json = answer.headers()
                    .firstValue("Content-Type")
                    .map(t -> t.startsWith(MediaType.APPLICATION_JSON))
                    .orElse(false);
            if (!json) { // a plain error page (a 404 from a framework, say): said in our words
                return Errors.of(
                        Response.Status.fromStatusCode(answer.statusCode()) == null
                                ? Response.Status.BAD_GATEWAY
                                : Response.Status.fromStatusCode(answer.statusCode()),
                        answer.statusCode() == 404 ? "NotFound" : "PeerFailed",
                        answer.statusCode() == 404
                                ? service + " does not know it (" + path + ")"
                                : service + " answered " + answer.statusCode());
            }
            return Response.status(answer.statusCode())
                    .type(MediaType.APPLICATION_JSON)
                    .entity(answer.body())
                    .build();
        } catch (IOException e) {
            LOG.warnf("%s (%s) did not answer: %s", service, base, e.getMessage());
            return Errors.of(
                    Response.Status.SERVICE_UNAVAILABLE, "PeerUnavailable", service + " did not answer; retry");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Errors.of(Response.Status.SERVICE_UNAVAILABLE, "PeerUnavailable", "interrupted; retry");
        }
    }
}
