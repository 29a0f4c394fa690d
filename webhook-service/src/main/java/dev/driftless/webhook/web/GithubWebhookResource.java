package dev.driftless.webhook.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.webhook.WebhookConfig;
import dev.driftless.webhook.domain.GithubEvent;
import dev.driftless.webhook.domain.HmacSignature;
import dev.driftless.webhook.domain.Reason;
import dev.driftless.webhook.domain.WebhookRejected;
import dev.driftless.webhook.messaging.CommitPublisher;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * {@code POST /hooks/github}: verifies {@code X-Hub-Signature-256} over the raw body before reading it, then
 * publishes each push as a {@code commit.pushed} event and answers 202 only once the broker acknowledged it. 401 for
 * a missing or wrong signature, 400 for a body that is not a push, 503 with {@code Retry-After} when the broker
 * cannot take the event (so the provider retries and nothing is lost), 200 for a ping, 202 {@code ignored} for other
 * event kinds.
 */
@Path("/hooks/github")
public class GithubWebhookResource {

    private static final Logger LOG = Logger.getLogger(GithubWebhookResource.class);

    @Inject
    WebhookConfig config;

    @Inject
    CommitPublisher publisher;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry metrics;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> receive(
            @HeaderParam("X-Hub-Signature-256") String signature,
            @HeaderParam("X-GitHub-Event") String event,
            @HeaderParam("X-GitHub-Delivery") String deliveryId,
            byte[] body) {
        Instant receivedAt = Instant.now();
        GithubEvent parsed;
        try {
            HmacSignature.verify(
                    signature,
                    body == null ? new byte[0] : body,
                    config.github().secret().orElse(null));
            parsed = GithubEvent.parse(json, event, deliveryId, body == null ? new byte[0] : body, receivedAt, true);
        } catch (WebhookRejected e) {
            return Uni.createFrom().item(rejected(e, deliveryId));
        }
        if (parsed instanceof GithubEvent.Ping) {
            count("ping");
            return Uni.createFrom().item(Response.ok(Map.of("status", "pong")).build());
        }
        if (parsed instanceof GithubEvent.Ignored ignored) {
            count("ignored");
            return Uni.createFrom()
                    .item(Response.accepted(Map.of("status", "ignored", "event", ignored.event()))
                            .build());
        }
        var push = ((GithubEvent.Push) parsed).commit();
        return publisher
                .publish(push, config.publishTimeout())
                .map(id -> {
                    count("accepted");
                    LOG.infof(
                            "accepted push %s %s %s..%s delivery %s",
                            push.repository(),
                            push.ref(),
                            abbreviate(push.before()),
                            abbreviate(push.after()),
                            push.deliveryId());
                    return Response.accepted(Map.of(
                                    "status", "accepted",
                                    "id", id,
                                    "repository", push.repository(),
                                    "ref", push.ref(),
                                    "commit", push.after()))
                            .build();
                })
                .onFailure()
                .recoverWithItem(failure -> {
                    count(Reason.BrokerUnavailable.name());
                    LOG.warnf(
                            "%s: could not publish delivery %s: %s",
                            Reason.BrokerUnavailable, push.deliveryId(), failure.toString());
                    return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                            .header("Retry-After", config.retryAfterSeconds())
                            .entity(error(Reason.BrokerUnavailable, "the event broker did not take the event; retry"))
                            .build();
                });
    }

    private Response rejected(WebhookRejected e, String deliveryId) {
        count(e.reason().name());
        LOG.infof("refused webhook delivery %s: %s: %s", deliveryId, e.reason(), e.getMessage());
        Response.Status status =
                switch (e.reason()) {
                    case SignatureInvalid, SecretNotConfigured -> Response.Status.UNAUTHORIZED;
                    case PayloadMalformed -> Response.Status.BAD_REQUEST;
                    case BrokerUnavailable -> Response.Status.SERVICE_UNAVAILABLE;
                };
        return Response.status(status).entity(error(e.reason(), e.getMessage())).build();
    }

    static Map<String, String> error(Reason reason, String message) {
        return Map.of("reason", reason.name(), "message", message);
    }

    private void count(String outcome) {
        metrics.counter("driftless.webhook.requests", "provider", "github", "outcome", outcome)
                .increment();
    }

    private static String abbreviate(String sha) {
        return sha.length() > 7 ? sha.substring(0, 7) : sha;
    }
}
