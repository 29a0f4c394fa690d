package dev.driftless.webhook.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.events.CommitPushed;
import dev.driftless.webhook.WebhookConfig;
import dev.driftless.webhook.domain.HookEvent;
import dev.driftless.webhook.domain.HookRequest;
import dev.driftless.webhook.domain.ProviderHook;
import dev.driftless.webhook.domain.Providers;
import dev.driftless.webhook.domain.Reason;
import dev.driftless.webhook.domain.SecretPolicy;
import dev.driftless.webhook.domain.WebhookRejected;
import dev.driftless.webhook.messaging.CommitPublisher;
import dev.driftless.webhook.secrets.WebhookSecrets;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * {@code POST /hooks/{provider}} for every provider {@link Providers} knows: authenticates the request over the raw
 * body against the {@link SecretPolicy} before reading it, checks each pushed repository was signed with its own
 * secret (or may send unsigned hooks), then publishes each push of a watched repository as a
 * {@code commit.pushed} event and answers 202 only once the broker acknowledged it. 401 for a missing or wrong
 * signature or token, 400 for a body that is not a push, 404 for a provider Driftless does not know, 503 with
 * {@code Retry-After} when the broker cannot take the event (so the provider retries and nothing is lost), 200 for a
 * ping, 202 {@code ignored} for other event kinds.
 */
@Path("/hooks")
public class WebhookResource {

    private static final Logger LOG = Logger.getLogger(WebhookResource.class);

    @Inject
    WebhookConfig config;

    @Inject
    CommitPublisher publisher;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry metrics;

    @Inject
    RecentDeliveries recent;

    @Inject
    WebhookSecrets secrets;

    @POST
    @Path("/{provider}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> receive(@PathParam("provider") String name, @Context HttpHeaders headers, byte[] body) {
        long started = System.nanoTime();
        ProviderHook provider = Providers.named(name).orElse(null);
        if (provider == null) {
            return Uni.createFrom()
                    .item(Response.status(Response.Status.NOT_FOUND)
                            .entity(Map.of(
                                    "reason",
                                    "ProviderUnknown",
                                    "message",
                                    "no provider " + name + "; known: " + Providers.names()))
                            .build());
        }
        String contentType = headers.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (contentType != null && !isJson(contentType)) {
            count(name, "refused", "UnsupportedMediaType", started);
            return Uni.createFrom()
                    .item(Response.status(Response.Status.UNSUPPORTED_MEDIA_TYPE)
                            .entity(Map.of(
                                    "reason",
                                    "UnsupportedMediaType",
                                    "message",
                                    "send the payload as application/json, not " + contentType))
                            .build());
        }
        Map<String, String> flat = new HashMap<>();
        headers.getRequestHeaders().forEach((k, v) -> flat.put(k, v.isEmpty() ? "" : v.get(0)));
        HookRequest request = new HookRequest(flat, body, Instant.now());
        SecretPolicy policy = secrets.policy();
        SecretPolicy.Authentication authentication;
        HookEvent parsed;
        try {
            authentication = policy.authenticate(provider, request);
        } catch (WebhookRejected e) {
            return Uni.createFrom().item(rejected(name, e, started));
        }
        try {
            parsed = provider.parse(request, json);
        } catch (WebhookRejected e) {
            // an unsigned body that is not even a push: say it is unsigned, not what is wrong with it
            return Uni.createFrom()
                    .item(rejected(name, authentication.secret().isPresent() ? e : authentication.failure(), started));
        }
        if (authentication.secret().isEmpty() && !(parsed instanceof HookEvent.Push)) {
            // only a push from a repository allowed to send unsigned hooks is taken unsigned; nothing else is answered
            return Uni.createFrom().item(rejected(name, authentication.failure(), started));
        }
        if (parsed instanceof HookEvent.Ping) {
            count(name, "ping", null, started);
            return Uni.createFrom().item(Response.ok(Map.of("status", "pong")).build());
        }
        if (parsed instanceof HookEvent.Ignored ignored) {
            count(name, "ignored", null, started);
            return Uni.createFrom()
                    .item(Response.accepted(Map.of("status", "ignored", "event", ignored.event()))
                            .build());
        }
        List<CommitPushed> pushes;
        try {
            pushes = policy.authorize(name, authentication, ((HookEvent.Push) parsed).commits()).stream()
                    .filter(p -> config.watches(p.repository()))
                    .toList();
        } catch (WebhookRejected e) {
            return Uni.createFrom().item(rejected(name, e, started));
        }
        if (pushes.isEmpty()) {
            count(name, "ignored", null, started);
            return Uni.createFrom()
                    .item(Response.accepted(Map.of(
                                    "status",
                                    "ignored",
                                    "event",
                                    "push",
                                    "message",
                                    "no watched repository: see driftless.webhook.repositories"))
                            .build());
        }
        // a redelivery (same delivery id) or a replay of the same signed body under another delivery id (the id header
        // is not signed) is the same push, within one repository
        String deliveryKey =
                name + ":" + pushes.get(0).repository() + ":" + pushes.get(0).deliveryId();
        String contentKey = name + ":"
                + pushes.stream()
                        .map(p -> p.repository() + " " + p.ref() + " " + p.before() + ".." + p.after())
                        .collect(java.util.stream.Collectors.joining(","));
        List<String> already = recent.ids(deliveryKey);
        if (already == null) {
            already = recent.ids(contentKey);
        }
        if (already != null) {
            count(name, "duplicate", null, started);
            return Uni.createFrom()
                    .item(Response.ok(Map.of("status", "duplicate", "id", already.get(0), "ids", already))
                            .build());
        }
        List<Uni<String>> published = pushes.stream()
                .map(push -> publisher.publish(push, config.publishTimeout()))
                .toList();
        return Uni.join()
                .all(published)
                .andFailFast()
                .map(ids -> {
                    recent.remember(deliveryKey, ids);
                    recent.remember(contentKey, ids);
                    metrics.counter("driftless.webhook.published.events", "provider", name)
                            .increment(ids.size());
                    count(name, "accepted", null, started);
                    for (CommitPushed push : pushes) {
                        logged(
                                name,
                                push,
                                "accepted",
                                () -> LOG.infof(
                                        "accepted %s push %s %s %s..%s delivery %s%s",
                                        name,
                                        push.repository(),
                                        push.ref(),
                                        abbreviate(push.before()),
                                        abbreviate(push.after()),
                                        push.deliveryId(),
                                        push.verified() ? "" : " (unsigned)"));
                    }
                    CommitPushed first = pushes.get(0);
                    Map<String, Object> answer = new java.util.LinkedHashMap<>();
                    answer.put("status", "accepted");
                    answer.put("id", ids.get(0));
                    answer.put("ids", ids);
                    answer.put("repository", first.repository());
                    answer.put("ref", first.ref());
                    answer.put("commit", first.after());
                    return Response.accepted(answer).build();
                })
                .onFailure()
                .recoverWithItem(failure -> {
                    count(name, "refused", Reason.BrokerUnavailable.name(), started);
                    logged(
                            name,
                            pushes.get(0),
                            Reason.BrokerUnavailable.name(),
                            () -> LOG.warnf(
                                    "%s: could not publish %s delivery %s: %s",
                                    Reason.BrokerUnavailable,
                                    name,
                                    pushes.get(0).deliveryId(),
                                    failure.toString()));
                    return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                            .header("Retry-After", config.retryAfterSeconds())
                            .entity(error(Reason.BrokerUnavailable, "the event broker did not take the event; retry"))
                            .build();
                });
    }

    private Response rejected(String provider, WebhookRejected e, long started) {
        count(provider, "refused", e.reason().name(), started);
        MDC.put("provider", provider);
        MDC.put("outcome", e.reason().name());
        try {
            LOG.infof("refused %s webhook: %s: %s", provider, e.reason(), e.getMessage());
        } finally {
            MDC.remove("provider");
            MDC.remove("outcome");
        }
        Response.Status status =
                switch (e.reason()) {
                    case SignatureInvalid, SecretNotConfigured -> Response.Status.UNAUTHORIZED;
                    case PayloadMalformed -> Response.Status.BAD_REQUEST;
                    case BrokerUnavailable -> Response.Status.SERVICE_UNAVAILABLE;
                };
        return Response.status(status).entity(error(e.reason(), e.getMessage())).build();
    }

    private static boolean isJson(String contentType) {
        String type = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        return type.equals("application/json") || type.endsWith("+json");
    }

    static Map<String, String> error(Reason reason, String message) {
        return Map.of("reason", reason.name(), "message", message);
    }

    /** Counts a request by provider, outcome and reason, and times it from arrival to answer. */
    private void count(String provider, String outcome, String reason, long started) {
        metrics.counter(
                        "driftless.webhook.requests",
                        "provider",
                        provider,
                        "outcome",
                        outcome,
                        "reason",
                        reason == null ? "none" : reason)
                .increment();
        Timer.builder("driftless.webhook.request.duration")
                .description("From a webhook's arrival to its answer, broker acknowledgement included")
                .tag("provider", provider)
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(metrics)
                .record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /**
     * Logs with the delivery's fields in the MDC, so JSON logs ({@code DRIFTLESS_LOG_JSON=true}) carry them as fields;
     * never the secret or the body.
     */
    private static void logged(String provider, CommitPushed push, String outcome, Runnable log) {
        Map<String, String> fields = Map.of(
                "provider", provider,
                "deliveryId", push.deliveryId(),
                "repository", push.repository(),
                "ref", push.ref(),
                "commit", push.after(),
                "outcome", outcome);
        fields.forEach(MDC::put);
        try {
            log.run();
        } finally {
            fields.keySet().forEach(MDC::remove);
        }
    }

    private static String abbreviate(String sha) {
        return sha.length() > 7 ? sha.substring(0, 7) : sha;
    }
}
