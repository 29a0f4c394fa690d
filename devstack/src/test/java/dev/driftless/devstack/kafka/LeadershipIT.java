package dev.driftless.devstack.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.driftless.events.Leadership;
import dev.driftless.events.Topics;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * {@link Leadership} on a real broker, with Kafka's own group protocol: of two replicas of a service exactly one leads,
 * and when it goes the other takes over. Each replica here is a plain consumer in the service's leadership group, as
 * SmallRye's connector runs it in the services.
 */
class LeadershipIT {

    /** One replica: a consumer of the leadership topic in the group, polling on its own thread. */
    static final class Replica implements AutoCloseable {
        final Leadership leadership = new Leadership("test-service", true);
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;

        Replica(String bootstrap, String group) {
            thread = new Thread(() -> {
                try (var consumer = new KafkaConsumer<String, String>(Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.GROUP_ID_CONFIG,
                        group,
                        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                        StringDeserializer.class,
                        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                        StringDeserializer.class))) {
                    consumer.subscribe(List.of(Topics.LEADERSHIP), new ConsumerRebalanceListener() {
                        @Override
                        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                            leadership.onPartitionsAssigned(consumer, partitions);
                        }

                        @Override
                        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                            leadership.onPartitionsRevoked(consumer, partitions);
                        }
                    });
                    while (running.get()) {
                        consumer.poll(Duration.ofMillis(100));
                    }
                } // closing leaves the group at once, as a replica shutting down does
            });
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }
    }

    @Test
    void ofTwoReplicasExactlyOneLeadsAndWhenItGoesTheOtherTakesOver() throws Exception {
        String bootstrap = KafkaTestResource.broker().bootstrapServers();
        String group = "leadership-it-" + UUID.randomUUID();
        try (Replica first = new Replica(bootstrap, group);
                Replica second = new Replica(bootstrap, group)) {
            await().atMost(Duration.ofSeconds(60))
                    .alias("one of the two leads")
                    .until(() -> first.leadership.leads() ^ second.leadership.leads());
            Replica leader = first.leadership.leads() ? first : second;
            Replica other = leader == first ? second : first;
            assertThat(other.leadership.leads()).isFalse();

            leader.close();
            assertThat(leader.leadership.leads()).as("a replica that left").isFalse();
            await().atMost(Duration.ofSeconds(60))
                    .alias("the other replica takes over")
                    .until(() -> other.leadership.leads());
        }
    }

    @Test
    void withLeadershipOffEveryReplicaLeads() {
        assertThat(new Leadership("test-service", false).leads()).isTrue();
    }
}
