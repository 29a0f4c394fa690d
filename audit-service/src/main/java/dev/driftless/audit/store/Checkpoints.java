package dev.driftless.audit.store;

import dev.driftless.events.ChainCheckpoint;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventCodec;
import dev.driftless.events.EventSignatures;
import dev.driftless.events.EventType;
import dev.driftless.events.Topics;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * Signed checkpoints of the change log: at an interval (on the replica that leads) the head of every hash chain is
 * read, signed with audit-service's Ed25519 key ({@code driftless.audit.signing-key-file}, a mounted file, never in
 * the database) and published to the compacted topic {@value Topics#CHECKPOINTS}. The latest is kept, read back from
 * the topic at start (and taken only if its signature holds), served at {@code GET /api/checkpoints}, and the
 * verification compares the log with it: what a holder of the database removed or rewrote since is found even when
 * every chain was recomputed to look whole.
 */
@ApplicationScoped
public class Checkpoints {

    private static final Logger LOG = Logger.getLogger(Checkpoints.class);
    static final URI SOURCE = URI.create("urn:driftless:audit-service");
    /** The record key on the compacted topic: one checkpoint stays. */
    static final String KEY = "checkpoint";

    /**
     * A checkpoint as signed: the CloudEvent's id, type and time, the exact JSON text that was signed ({@code data}
     * parsed is in {@code checkpoint}), and the signature with its key id, so anyone holding the public key can check
     * it without Driftless.
     */
    public record Signed(
            String id,
            String type,
            Instant time,
            String data,
            String signature,
            String keyId,
            ChainCheckpoint checkpoint) {}

    @Inject
    ChangeLog changeLog;

    @Inject
    @Channel("checkpoints")
    MutinyEmitter<String> topic;

    @Inject
    @io.smallrye.common.annotation.Identifier("leadership")
    dev.driftless.events.Leadership leadership;

    /** The connector's client settings ({@code kafka.*}: bootstrap servers, authentication), for the reader. */
    @Inject
    @io.smallrye.common.annotation.Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    @ConfigProperty(name = "driftless.audit.signing-key-file")
    Optional<java.nio.file.Path> keyFile;

    private EventSignatures.Signer signer;
    private EventSignatures.Verifier verifier;
    private final AtomicReference<Signed> latest = new AtomicReference<>();

    void onStart(@Observes StartupEvent start) {
        if (keyFile.isEmpty()) {
            LOG.warn("driftless.audit.signing-key-file is not set: no signed checkpoints are published, and the log"
                    + " is verified against none (a rewrite by a holder of the database goes unnoticed)");
            return;
        }
        try {
            signer = EventSignatures.Signer.read(keyFile.get());
            verifier = EventSignatures.Verifier.read(keyFile.get());
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new IllegalStateException(
                    "cannot read driftless.audit.signing-key-file " + keyFile.get() + ": " + e.getMessage(), e);
        }
        readLatest().ifPresent(latest::set);
    }

    /** The latest signed checkpoint, published here or read from the topic at start; empty when there is none. */
    public Optional<Signed> latest() {
        return Optional.ofNullable(latest.get());
    }

    /** Whether a checkpoint's signature is this service's (so it may be trusted to vouch for the log). */
    public boolean trusted(Signed signed) {
        return verifier != null
                && verifier.problem(
                                signed.id(),
                                signed.type(),
                                signed.data(),
                                Map.of(
                                        EventSignatures.SIGNATURE, signed.signature(),
                                        EventSignatures.KEY_ID, signed.keyId()))
                        .isEmpty();
    }

    @Scheduled(
            every = "${driftless.audit.checkpoint-interval:1m}",
            delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (signer == null || !leadership.leads()) {
            return;
        }
        try {
            publish();
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("could not publish a checkpoint of the change log; will retry: %s", e.getMessage());
        }
    }

    /**
     * Reads every chain's head, signs it and publishes it; returns it. Nothing is signed over a log that no longer
     * holds what the last signed checkpoint saw (a tail, a chain or an archive removed, a head rewritten): the last
     * checkpoint stays, so every verification keeps finding it, and this returns empty.
     *
     * @throws IllegalStateException when no signing key is set
     */
    public Optional<Signed> publish() throws SQLException {
        if (signer == null) {
            throw new IllegalStateException("no signing key: set driftless.audit.signing-key-file");
        }
        Signed previous = latest.get();
        if (previous != null) {
            java.util.List<dev.driftless.audit.domain.HashChain.Break> broken =
                    changeLog.sinceCheckpoint(previous.checkpoint());
            if (!broken.isEmpty()) {
                LOG.errorf(
                        "ChainBroken: not signing a new checkpoint over a change log that no longer holds what the"
                                + " checkpoint of %s saw: %s",
                        previous.time(), broken);
                return Optional.empty();
            }
        }
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        ChainCheckpoint checkpoint = new ChainCheckpoint(now, changeLog.heads());
        String id = UUID.randomUUID().toString();
        String data = EventCodec.encode(checkpoint);
        Map<String, String> signature = signer.sign(id, EventType.AUDIT_CHECKPOINT.type(), data);
        topic.sendMessageAndAwait(new Envelope(EventType.AUDIT_CHECKPOINT, id, null, now, Map.of())
                .toMessage(checkpoint, KEY, SOURCE, signer));
        Signed signed = new Signed(
                id,
                EventType.AUDIT_CHECKPOINT.type(),
                now,
                data,
                signature.get(EventSignatures.SIGNATURE),
                signature.get(EventSignatures.KEY_ID),
                checkpoint);
        latest.set(signed);
        LOG.debugf(
                "published a signed checkpoint of %d chains", checkpoint.heads().size());
        return Optional.of(signed);
    }

    /** The last checkpoint on the topic, if its signature is this service's. */
    private Optional<Signed> readLatest() {
        Properties properties = new Properties();
        properties.putAll(kafka);
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties)) {
            TopicPartition partition = new TopicPartition(Topics.CHECKPOINTS, 0);
            consumer.assign(java.util.List.of(partition));
            consumer.seekToEnd(java.util.List.of(partition));
            long end = consumer.position(partition, Duration.ofSeconds(10));
            if (end == 0) {
                return Optional.empty();
            }
            consumer.seek(partition, end - 1);
            Instant giveUp = Instant.now().plusSeconds(10);
            while (Instant.now().isBefore(giveUp)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    Optional<Signed> signed = parse(record);
                    if (signed.isPresent() && trusted(signed.get())) {
                        LOG.infof(
                                "the latest signed checkpoint is of %s",
                                signed.get().time());
                        return signed;
                    }
                    LOG.errorf(
                            "CheckpointUntrusted: the last record on %s is not a checkpoint this service signed (a"
                                    + " forgery, or another key); nothing is verified against it: compare the log with"
                                    + " a checkpoint you kept (./driftless verify)",
                            Topics.CHECKPOINTS);
                    return Optional.empty();
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("cannot read the latest checkpoint from %s: %s", Topics.CHECKPOINTS, e.getMessage());
        }
        return Optional.empty();
    }

    private static Optional<Signed> parse(ConsumerRecord<String, String> record) {
        Map<String, String> headers = new HashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        try {
            return Optional.of(new Signed(
                    headers.get("ce_id"),
                    headers.get("ce_type"),
                    java.time.OffsetDateTime.parse(headers.get("ce_time")).toInstant(),
                    record.value(),
                    headers.get("ce_" + EventSignatures.SIGNATURE),
                    headers.get("ce_" + EventSignatures.KEY_ID),
                    EventCodec.decode(ChainCheckpoint.class, record.value())));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
