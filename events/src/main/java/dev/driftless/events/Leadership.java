package dev.driftless.events;

import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import java.util.Collection;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Which replica of a service runs the work that must happen once per deployment (watching the catalog, polling
 * repositories, archiving and verifying the change log): the one whose consumer of {@link Topics#LEADERSHIP}, in a
 * consumer group of the service's own, holds partition 0. Kafka's group protocol gives the partition to exactly one
 * live member and hands it to another within the session timeout when that member dies, hangs or leaves, so this needs
 * no lock, lease or component beyond the broker every service already uses, and works the same on Kubernetes, in
 * Compose and in {@code ./driftless up}. A replica cut off from the broker may believe it leads until its consumer
 * notices (the session timeout); the work it guards is idempotent downstream (stable event ids, renders of a head
 * once), so such an overlap costs a repeat, never a wrong result.
 *
 * <p>A service registers one as the rebalance listener of its {@code leadership} channel. With leadership off (a
 * single replica that needs no broker round, or a test without a broker) this replica always leads.
 */
public final class Leadership implements KafkaConsumerRebalanceListener {

    private static final Logger LOG = Logger.getLogger(Leadership.class.getName());

    private final String service;
    private final boolean enabled;
    private volatile boolean holdsPartitionZero;

    /**
     * @param service the service's name, for the log line on every change
     * @param enabled whether replicas elect a leader; {@code false} makes this one always lead
     */
    public Leadership(String service, boolean enabled) {
        this.service = service;
        this.enabled = enabled;
    }

    /** Whether this replica runs the once-per-deployment work now. */
    public boolean leads() {
        return !enabled || holdsPartitionZero;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (partitions.stream().anyMatch(Leadership::isPartitionZero) && !holdsPartitionZero) {
            holdsPartitionZero = true;
            LOG.info(() -> "this replica of " + service + " now leads (it holds " + Topics.LEADERSHIP + "-0)");
        }
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (partitions.stream().anyMatch(Leadership::isPartitionZero) && holdsPartitionZero) {
            holdsPartitionZero = false;
            LOG.info(() -> "this replica of " + service + " no longer leads");
        }
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        onPartitionsRevoked(consumer, partitions);
    }

    private static boolean isPartitionZero(TopicPartition partition) {
        return partition.partition() == 0 && Topics.LEADERSHIP.equals(partition.topic());
    }
}
