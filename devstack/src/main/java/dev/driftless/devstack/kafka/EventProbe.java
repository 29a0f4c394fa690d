package dev.driftless.devstack.kafka;

import dev.driftless.events.Envelope;
import dev.driftless.events.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Test tooling that talks to the broker the way an outside producer or consumer would: sends binary-mode
 * CloudEvents (or raw garbage) to a topic, and reads a topic from the beginning with its {@code ce_*} headers.
 * Services never use this; they publish through SmallRye's CloudEvents support.
 */
public final class EventProbe implements AutoCloseable {

    /** One record read back: key, value and headers as text. */
    public record Received(String topic, String key, String value, Map<String, String> headers) {
        /** A CloudEvent attribute or extension, e.g. {@code type} for {@code ce_type}. */
        public String ce(String attribute) {
            return headers.get("ce_" + attribute);
        }
    }

    private final String bootstrap;
    private final KafkaProducer<String, String> producer;

    public EventProbe(String bootstrapServers) {
        this.bootstrap = bootstrapServers;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class));
    }

    /** Sends an event as a binary-mode CloudEvent, as a Driftless service would, and waits for the ack. */
    public void send(Envelope envelope, Record data, String key, String source) {
        send(envelope, data, key, source, null);
    }

    /**
     * Sends an event as a binary-mode CloudEvent signed by {@code signer} (unsigned when it is {@code null}), as
     * render-service signs its events, and waits for the ack.
     */
    public void send(
            Envelope envelope,
            Record data,
            String key,
            String source,
            dev.driftless.events.EventSignatures.Signer signer) {
        String value = EventCodec.encode(data);
        if (signer != null) {
            Map<String, String> signed = new java.util.LinkedHashMap<>(envelope.extensions());
            signed.putAll(signer.sign(envelope.id(), envelope.type().type(), value));
            envelope = new Envelope(envelope.type(), envelope.id(), envelope.subject(), envelope.time(), signed);
        }
        ProducerRecord<String, String> record =
                new ProducerRecord<>(envelope.type().topic(), key, value);
        header(record, "ce_specversion", "1.0");
        header(record, "ce_id", envelope.id());
        header(record, "ce_type", envelope.type().type());
        header(record, "ce_source", source);
        if (envelope.subject() != null) {
            header(record, "ce_subject", envelope.subject());
        }
        if (envelope.time() != null) {
            header(record, "ce_time", DateTimeFormatter.ISO_INSTANT.format(envelope.time()));
        }
        header(record, "content-type", "application/json");
        envelope.extensions().forEach((k, v) -> header(record, "ce_" + k, v));
        await(record);
    }

    /** Sends a record with arbitrary headers and value, e.g. one that is not a valid event. */
    /**
     * The binary-mode CloudEvent headers of a hand-made record (spec version, id, type, a test source), for
     * {@link #sendRaw} of data a producer of ours would never send.
     */
    public static Map<String, String> cloudEventHeaders(String id, String type) {
        return Map.of("ce_specversion", "1.0", "ce_id", id, "ce_type", type, "ce_source", "urn:test");
    }

    public void sendRaw(String topic, String key, String value, Map<String, String> headers) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
        headers.forEach((k, v) -> header(record, k, v));
        await(record);
    }

    /**
     * Reads a topic from the beginning until {@code count} records match, or the timeout passes. No consumer group:
     * the reader takes every partition itself, so a read costs no group join.
     *
     * @return the matching records, in topic order per partition
     */
    public List<Received> read(String topic, Predicate<Received> matching, int count, Duration timeout) {
        List<Received> found = new ArrayList<>();
        try (var consumer = consumer(Map.of())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (found.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    Received received = received(r);
                    if (matching.test(received)) {
                        found.add(received);
                    }
                }
            }
        }
        return found;
    }

    /**
     * Reads every record on the topic up to its current end (no consumer group, so it is quick) and returns those that
     * match: what was acknowledged before the call is all there, so a count of these is exact.
     */
    public List<Received> readToEnd(String topic, Predicate<Received> matching) {
        try (Tail tail = tail(topic)) {
            return tail.readToEnd(matching);
        }
    }

    /** A reader of the topic from its beginning that keeps its place between reads; close it when done. */
    public Tail tail(String topic) {
        return new Tail(consumer(Map.of()), topic);
    }

    /**
     * A reader that keeps its place on a topic: each {@link #readToEnd} returns the matching records added since the
     * previous one, up to the topic's end at the time of the call, so following a growing topic costs only what is
     * new.
     */
    public static final class Tail implements AutoCloseable {

        private final KafkaConsumer<String, String> consumer;
        private final List<TopicPartition> partitions;

        private Tail(KafkaConsumer<String, String> consumer, String topic) {
            this.consumer = consumer;
            this.partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        /** The matching records from where the last read stopped to the topic's current end. */
        public List<Received> readToEnd(Predicate<Received> matching) {
            List<Received> found = new ArrayList<>();
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + partitions + " to the end within 30 s");
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    Received received = received(r);
                    if (matching.test(received)) {
                        found.add(received);
                    }
                }
            }
            return found;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    private KafkaConsumer<String, String> consumer(Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(extra);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return new KafkaConsumer<>(config);
    }

    private static Received received(ConsumerRecord<String, String> r) {
        Map<String, String> headers = new HashMap<>();
        r.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
        return new Received(r.topic(), r.key(), r.value(), headers);
    }

    private void await(ProducerRecord<String, String> record) {
        try {
            producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot send to " + record.topic() + ": " + e.getMessage(), e);
        }
    }

    private static void header(ProducerRecord<String, String> record, String key, String value) {
        record.headers().add(new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
        producer.close();
    }
}
