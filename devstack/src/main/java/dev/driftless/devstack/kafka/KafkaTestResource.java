package dev.driftless.devstack.kafka;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Quarkus test resource that points {@code kafka.bootstrap.servers} at a real embedded KRaft broker. One broker is
 * shared by every test class of a test JVM (it is stopped when the JVM exits); tests isolate themselves with their
 * own topics, keys or consumer groups.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    private static EmbeddedKafka shared;

    /** The broker shared by this test JVM, started on first use. */
    public static synchronized EmbeddedKafka broker() {
        if (shared == null) {
            shared = EmbeddedKafka.start();
            shared.createDriftlessTopics(3);
            EmbeddedKafka started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "embedded-kafka-shutdown"));
        }
        return shared;
    }

    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", broker().bootstrapServers());
    }

    @Override
    public void stop() {
        // shared across test classes; stopped with the JVM
    }
}
