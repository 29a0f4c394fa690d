package dev.driftless.webhook;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import java.util.HashMap;
import java.util.Map;

/** Swaps the Kafka commits channel for SmallRye's in-memory connector, for tests where the broker is beside the point. */
public class InMemoryCommits implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return inMemory();
    }

    @Override
    public void stop() {
        clearAll();
    }

    /** The configuration that puts the commits channel in memory, and lets this one replica lead without a broker. */
    public static Map<String, String> inMemory() {
        Map<String, String> props = new HashMap<>(InMemoryConnector.switchOutgoingChannelsToInMemory("commits"));
        props.putAll(InMemoryConnector.switchIncomingChannelsToInMemory("leadership"));
        props.put("driftless.leadership.enabled", "false"); // no broker, one replica: it leads
        props.put("quarkus.messaging.kafka.health.enabled", "false");
        return props;
    }

    static void clearAll() {
        InMemoryConnector.clear();
    }
}
