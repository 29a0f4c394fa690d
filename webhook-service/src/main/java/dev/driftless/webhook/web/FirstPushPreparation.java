package dev.driftless.webhook.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.events.Topics;
import dev.driftless.webhook.domain.HmacSignature;
import dev.driftless.webhook.domain.HookEvent;
import dev.driftless.webhook.domain.HookRequest;
import dev.driftless.webhook.domain.ProviderHook;
import dev.driftless.webhook.domain.Providers;
import dev.driftless.webhook.messaging.CommitPublisher;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Runs once at start what the first push's request would otherwise be the first to run: an HMAC over a body (the
 * JDK's crypto provider and policy files), the parsing of a GitHub push, a look in the recent deliveries, the
 * building and signing of its {@code commit.pushed} (CloudEvent, JSON, Ed25519), and the broker's metadata of the
 * commits topic. On a service just
 * started the first push spent about 850 ms here, later ones about 5 ms (docs/benchmarks.md, "The first push after
 * start"). Nothing is published, counted or remembered; a sample that fails to parse is logged as a warning and
 * changes nothing (the signing key is read by {@link CommitPublisher} at start either way).
 */
@ApplicationScoped
public class FirstPushPreparation {

    private static final Logger LOG = Logger.getLogger(FirstPushPreparation.class);

    /** A push as GitHub sends it, of a repository no one has. */
    static final String SAMPLE_PUSH =
            """
            {"ref":"refs/heads/main",
             "before":"0000000000000000000000000000000000000000",
             "after":"1111111111111111111111111111111111111111",
             "repository":{"clone_url":"https://git.invalid/driftless/start-up.git"},
             "pusher":{"name":"driftless"},
             "commits":[{"added":["a.yaml"],"modified":[],"removed":[]}]}
            """;

    @Inject
    CommitPublisher publisher;

    @Inject
    ObjectMapper json;

    @Inject
    KafkaClientService kafka;

    @Inject
    RecentDeliveries recent;

    @org.eclipse.microprofile.config.inject.ConfigProperty(
            name = "mp.messaging.outgoing.commits.topic",
            defaultValue = Topics.COMMITS)
    String commitsTopic;

    /** How many sample events were built at start (one, unless the sample failed). */
    private volatile int prepared;

    int prepared() {
        return prepared;
    }

    void prepare(@Observes StartupEvent start) {
        long began = System.nanoTime();
        HookEvent parsed = null;
        try {
            byte[] body = SAMPLE_PUSH.getBytes(StandardCharsets.UTF_8);
            String secret = "start-up";
            String signature = "sha256="
                    + HexFormat.of().formatHex(HmacSignature.hmacSha256(secret.getBytes(StandardCharsets.UTF_8), body));
            HookRequest request = new HookRequest(
                    Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery", "start-up", "X-Hub-Signature-256", signature),
                    body,
                    Instant.now());
            ProviderHook github = Providers.named("github").orElseThrow();
            github.verify(request, secret);
            parsed = github.parse(request, json);
            // builds the cache of recent deliveries; a key no delivery has
            recent.ids("start-up");
        } catch (RuntimeException e) {
            LOG.warnf("could not prepare the push path at start (the first push will be slower): %s", e.toString());
        }
        // outside the catch: building the event must not fail quietly (the key itself is read by CommitPublisher)
        if (parsed instanceof HookEvent.Push push) {
            push.commits().forEach(publisher::prepare);
            prepared = push.commits().size();
        }
        // asynchronous: a broker not up yet must not hold the start; no producer when the channel is not Kafka's
        io.smallrye.reactive.messaging.kafka.KafkaProducer<Object, Object> producer =
                kafka.getProducer(CommitPublisher.CHANNEL);
        if (producer != null) {
            producer.partitionsFor(commitsTopic)
                    .subscribe()
                    .with(
                            partitions -> LOG.debugf("commits topic has %d partitions", partitions.size()),
                            failure -> LOG.debugf("no metadata of the commits topic at start: %s", failure.toString()));
        }
        LOG.debugf("push path prepared in %d ms", (System.nanoTime() - began) / 1_000_000);
    }
}
