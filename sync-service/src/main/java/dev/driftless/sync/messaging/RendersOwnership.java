package dev.driftless.sync.messaging;

import dev.driftless.events.CloudEventExtensions;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventType;
import dev.driftless.events.ResyncRequested;
import dev.driftless.events.Topics;
import dev.driftless.sync.SyncConfig;
import dev.driftless.sync.Syncer;
import dev.driftless.sync.domain.Ownership;
import dev.driftless.sync.kube.Cluster;
import dev.driftless.sync.kube.ClusterFailure;
import dev.driftless.sync.kube.Clusters;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * Keeps what this replica follows in step with the partitions of {@code driftless.renders} it consumes (the rebalance
 * listener of the {@code renders} channel): a second after partitions move, and at start, it lets go of the
 * applications it no longer owns (once a sync of theirs that runs has ended) and asks for a resync
 * ({@code command.resync}, actor {@code sync-service}) of each application it now owns that has an inventory in one of
 * its clusters but is not followed here, so that after a restart, a crash of another replica or a scale-out every
 * application is watched, healed and reported on again by exactly its owner. What to do is {@link Ownership}'s
 * decision; this class only gathers the facts and carries it out, off the consumer's polling thread.
 */
@ApplicationScoped
@Identifier("renders-ownership")
public class RendersOwnership implements KafkaConsumerRebalanceListener {

    private static final Logger LOG = Logger.getLogger(RendersOwnership.class);
    static final java.net.URI SOURCE = java.net.URI.create("urn:driftless:sync-service");

    @Inject
    Syncer syncer;

    @Inject
    Clusters clusters;

    @Inject
    RenderConsumer renders;

    @Inject
    SyncConfig config;

    @Inject
    @Channel("commands")
    MutinyEmitter<String> commands;

    private dev.driftless.events.EventSignatures.Signer signer;

    /** Its resync commands are signed (render-service acts on no other); a key file set but unreadable stops the start. */
    @jakarta.annotation.PostConstruct
    void readSigningKey() {
        signer = dev.driftless.events.TrustedSigners.signer("driftless.sync.signing-key-file");
    }

    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private final Set<String> requested = ConcurrentHashMap.newKeySet();
    private volatile int partitions;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "renders-ownership");
        thread.setDaemon(true);
        return thread;
    });
    private ScheduledFuture<?> next;

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> assigned) {
        if (partitions == 0) {
            partitions = consumer.partitionsFor(Topics.RENDERS).size();
        }
        assigned.stream().filter(p -> Topics.RENDERS.equals(p.topic())).forEach(p -> owned.add(p.partition()));
        schedule();
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> revoked) {
        revoked.stream().filter(p -> Topics.RENDERS.equals(p.topic())).forEach(p -> owned.remove(p.partition()));
        schedule();
    }

    /**
     * Whether this replica consumes that partition of {@code driftless.renders} now (before any was ever assigned,
     * nothing is known and it does).
     */
    boolean owns(int partition) {
        return partitions == 0 || owned.contains(partition);
    }

    /** After the moves settle (the consumers of one group rebalance one after another): decide once. */
    private synchronized void schedule() {
        if (next != null) {
            next.cancel(false);
        }
        next = worker.schedule(this::settle, 1, TimeUnit.SECONDS);
    }

    private void settle() {
        if (partitions == 0) {
            return; // nothing was ever assigned: nothing to decide
        }
        try {
            // busy lanes first: an application only moves from a busy lane to followed, so read in this order none
            // is missed in between
            Set<String> followed = new java.util.HashSet<>(renders.syncing());
            followed.addAll(syncer.followed());
            Set<String> inventoried = inventoried();
            requested.retainAll(inventoried);
            requested.removeAll(followed);
            Ownership.Plan plan =
                    Ownership.plan(followed, inventoried, Set.copyOf(requested), Set.copyOf(owned), this::partitionOf);
            for (String application : plan.release()) {
                renders.releaseAfterQueued(application, () -> !owned.contains(partitionOf(application)));
            }
            if (!plan.release().isEmpty()) {
                LOG.infof(
                        "letting go of %d applications another replica owns now (each once a sync of it that runs"
                                + " has ended): %s",
                        plan.release().size(), plan.release());
            }
            for (String application : plan.adopt()) {
                askForResync(application);
                requested.add(application);
            }
            if (!plan.adopt().isEmpty()) {
                LOG.infof(
                        "owns %d applications it did not follow; asked for their resync: %s",
                        plan.adopt().size(), plan.adopt());
            }
        } catch (RuntimeException e) {
            LOG.warnf("could not settle what this replica owns; trying again: %s", e.toString());
            schedule();
        }
    }

    /** Every application with an inventory in a cluster this replica syncs to; an unreachable cluster adds none. */
    private Set<String> inventoried() {
        Set<String> applications = new LinkedHashSet<>();
        Set<String> names = new LinkedHashSet<>();
        names.add(Clusters.DEFAULT);
        names.addAll(config.clusters().keySet());
        for (String name : names) {
            try {
                Cluster cluster = clusters.named(name);
                applications.addAll(cluster.inventoriedApplications());
            } catch (ClusterFailure | RuntimeException e) {
                LOG.warnf("cannot list the inventories of cluster %s: %s", name, e.getMessage());
            }
        }
        return applications;
    }

    /** The partition Kafka's default partitioner gives a record keyed by the application's name. */
    int partitionOf(String application) {
        return Utils.toPositive(Utils.murmur2(application.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private void askForResync(String application) {
        ResyncRequested resync = new ResyncRequested(
                application,
                "sync-service",
                "this replica owns the application now and rebuilds its state",
                Instant.now());
        Envelope envelope = new Envelope(
                EventType.COMMAND_RESYNC,
                java.util.UUID.randomUUID().toString(),
                application,
                resync.requestedAt(),
                Map.of(CloudEventExtensions.APPLICATION, application));
        commands.sendMessageAndAwait(envelope.toMessage(resync, application, SOURCE, signer));
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
    }
}
