package dev.driftless.sync.messaging;

import dev.driftless.events.ApplicationRemoved;
import dev.driftless.events.DeadLetter;
import dev.driftless.events.EventMalformedException;
import dev.driftless.events.ReceivedEvent;
import dev.driftless.events.RenderFailed;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.SyncReport;
import dev.driftless.sync.Syncer;
import dev.driftless.sync.domain.NextStep;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * On each {@code render.succeeded}: sync the bundle and publish {@code sync.succeeded} or {@code sync.failed}, then
 * acknowledge the record. Each application's renders are synced in the order they arrived, on its own lane
 * ({@link ApplicationLanes}), so one application waiting for its waves' health holds up no other; a record still
 * queued when its partition moved to another replica is left to that replica. A failed render is never synced (nothing is applied or pruned on a bad render). An event that
 * can never be read goes to the dead-letter topic with its reason. On {@code application.removed}: prune what the
 * application had applied, if its policy says so.
 */
@ApplicationScoped
public class RenderConsumer {

    private static final Logger LOG = Logger.getLogger(RenderConsumer.class);
    static final URI SOURCE = URI.create("urn:driftless:sync-service");

    @Inject
    Syncer syncer;

    @Inject
    SyncPublisher publisher;

    @Inject
    @Channel("deadletter")
    MutinyEmitter<String> deadLetters;

    private final java.util.Map<String, java.time.Instant> newestSynced =
            new java.util.concurrent.ConcurrentHashMap<>();

    @Inject
    dev.driftless.sync.SyncConfig config;

    private ApplicationLanes lanes;

    @jakarta.annotation.PostConstruct
    void startLanes() {
        lanes = new ApplicationLanes(config.parallelApplications(), config.maxRendersInFlight());
    }

    @jakarta.annotation.PreDestroy
    void stopLanes() {
        lanes.close();
    }

    /**
     * Lets go of an application another replica owns now, once whatever its lane already holds has run: a sync of it
     * running when its partition moved ends first (renders still queued are left to the new owner), so that sync
     * cannot have this replica follow, report and count the application again after it was let go. Whether it is still another's is asked again then ({@code
     * stillElsewhere}): its partition may have come back meanwhile, and this replica owns it again. Never waits.
     */
    void releaseAfterQueued(String application, java.util.function.BooleanSupplier stillElsewhere) {
        lanes.after(application, () -> {
            if (stillElsewhere.getAsBoolean()) {
                syncer.release(application);
            }
        });
    }

    /**
     * The applications with anything queued or running on their lane here now (a render, a look again, a release): a
     * first sync in progress follows its application once it ends, so what this replica follows includes them.
     */
    java.util.Set<String> syncing() {
        java.util.Set<String> busy = new java.util.HashSet<>(lanes.busy());
        busy.remove("");
        return busy;
    }

    /**
     * Hands the render to its application's lane and takes the next record at once: the record is acknowledged when
     * its sync is done, and the offset committed only up to the oldest record not yet done (SmallRye's throttled
     * commit strategy), so a restart redelivers what was not finished and a slow application holds up no other.
     */
    @Incoming("renders")
    @Blocking
    public CompletionStage<Void> onRender(Message<String> message) {
        ReceivedEvent event = ReceivedEvent.of(message);
        try {
            // the lane runs on another thread: it carries the record's trace, so the sync report continues it
            lanes.submit(
                    event.key() == null ? "" : event.key(),
                    io.opentelemetry.context.Context.current().wrap(() -> process(message, event)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopping: the record stays unacknowledged and is redelivered
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    private void process(Message<String> message, ReceivedEvent event) {
        Record data;
        try {
            data = event.data();
        } catch (EventMalformedException e) {
            LOG.warnf(
                    "%s: setting aside %s from %s: %s",
                    EventMalformedException.REASON, event.id(), event.topic(), e.getMessage());
            setAside(event, EventMalformedException.REASON, e.getMessage());
            message.ack();
            return;
        }
        if (data instanceof RenderSucceeded || data instanceof ApplicationRemoved) {
            java.util.Optional<String> unsigned = signatureProblem(event);
            if (unsigned.isPresent()) {
                LOG.warnf(
                        "%s: setting aside %s (%s of %s) from %s: %s",
                        BUNDLE_UNSIGNED, event.id(), event.type(), event.key(), event.topic(), unsigned.get());
                setAside(event, BUNDLE_UNSIGNED, "not applied: " + unsigned.get());
                message.ack();
                return;
            }
        }
        java.util.OptionalInt partition = partitionOf(message);
        if (partition.isPresent() && !ownership.owns(partition.getAsInt())) {
            // taken before its partition moved and still queued: the replica that owns the partition now has it from
            // the last committed offset and syncs it; synced here too, it would have this replica follow the
            // application again after letting it go
            LOG.infof(
                    "leaving %s (%s of %s) to the replica that owns partition %d of %s now",
                    event.id(), event.type(), event.key(), partition.getAsInt(), event.topic());
            message.ack();
            return;
        }
        try {
            handle(event, data);
        } catch (RuntimeException e) {
            // a bug or an answer nobody foresaw: never a reason to stop the partition for every other application
            LOG.errorf(e, "%s: setting aside %s from %s", DeadLetter.PROCESSING_FAILED, event.id(), event.topic());
            try {
                setAside(event, DeadLetter.PROCESSING_FAILED, e.toString());
            } catch (RuntimeException deadLetterFailed) {
                // the broker is away: leave the record unacknowledged, to be redelivered after a restart
                LOG.errorf("could not set aside %s: %s", event.id(), deadLetterFailed.toString());
                return;
            }
        }
        message.ack();
    }

    @Inject
    @io.smallrye.common.annotation.Identifier("renders-ownership")
    RendersOwnership ownership;

    /** The partition of {@code driftless.renders} the record came from, when it came from Kafka. */
    private static java.util.OptionalInt partitionOf(Message<String> message) {
        return message.getMetadata(io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata.class)
                .map(m -> java.util.OptionalInt.of(m.getPartition()))
                .orElse(java.util.OptionalInt.empty());
    }

    /** The reason a render event that no trusted key signed is set aside with, and nothing of it applied. */
    static final String BUNDLE_UNSIGNED = "BundleUnsigned";

    /** The keys render events must be signed with ({@code driftless.sync.trusted-render-keys-file}). */
    private final dev.driftless.events.TrustedSigners renderSigners =
            new dev.driftless.events.TrustedSigners("driftless.sync.trusted-render-keys-file");

    /** What is wrong with a render event's signature, or empty when a trusted key signed it. */
    private java.util.Optional<String> signatureProblem(ReceivedEvent event) {
        return renderSigners.problem(event);
    }

    private void setAside(ReceivedEvent event, String reason, String why) {
        var letter = event.deadLetter("sync-service", reason, why);
        deadLetters.sendMessageAndAwait(letter.envelope().toMessage(letter, event.key(), SOURCE));
    }

    private void handle(ReceivedEvent event, Record data) {
        if (data instanceof RenderFailed failed) {
            LOG.infof("not syncing %s: its render failed (%s)", failed.application(), failed.reason());
        } else if (data instanceof RenderSucceeded render) {
            statuses.declaredIn(render.application(), render.declaredIn());
            syncRender(render, event.id());
        } else if (data instanceof ApplicationRemoved removed) {
            try {
                syncer.remove(removed, event.id())
                        .ifPresent(report -> publish(report, event.id(), removed.repository()));
            } finally {
                statuses.forget(removed.application());
            }
        }
    }

    @Inject
    dev.driftless.sync.DependencyGate dependencies;

    @Inject
    dev.driftless.sync.kube.ApplicationStatusWriter statuses;

    private final java.util.Set<String> rechecking = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Looks again at every render waiting for its dependencies or a sync window, each on its application's lane. */
    @io.quarkus.scheduler.Scheduled(
            every = "${driftless.sync.dependency-check-interval:2s}",
            concurrentExecution = io.quarkus.scheduler.Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = io.quarkus.scheduler.Scheduled.ApplicationNotRunning.class)
    void recheckBlocked() {
        for (String application : syncer.waitingToRecheck()) {
            if (!rechecking.add(application)) {
                continue; // one look at a time per application: slow reads never pile up in its lane
            }
            try {
                lanes.submit(application, () -> {
                    try {
                        syncer.waiting(application)
                                .filter(Syncer.Held::recheck)
                                .ifPresent(held -> syncRender(held.render(), held.eventId()));
                    } catch (RuntimeException e) {
                        LOG.warnf("looking again at %s failed: %s", application, e.toString());
                    } finally {
                        rechecking.remove(application);
                    }
                });
            } catch (InterruptedException e) {
                rechecking.remove(application);
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Does what {@link NextStep#forRender} decides for a render; the facts it asks for are read here. */
    private void syncRender(RenderSucceeded render, String eventId) {
        Syncer.InventoryRead inventory = new Syncer.InventoryRead();
        NextStep.ForRender step = NextStep.forRender(
                render,
                () -> newestApplied(render, inventory),
                java.time.Instant.now(),
                () -> dependencies.notReady(render));
        if (step instanceof NextStep.LetGo) {
            syncer.release(render.application());
            LOG.infof(
                    "%s is suspended (spec.suspend): nothing is applied, healed or followed until it is resumed",
                    render.application());
        } else if (step instanceof NextStep.Hold hold) {
            syncer.hold(render, hold.reason(), eventId, hold.recheck());
            if (hold.recheck()) {
                LOG.debugf("%s at %s waits: %s", render.application(), render.commit(), hold.reason());
            } else {
                LOG.infof(
                        "%s syncs by hand (syncPolicy.automated: false): its render at %s waits for a sync"
                                + " (driftless sync %s)",
                        render.application(), render.commit().substring(0, 7), render.application());
            }
        } else if (step instanceof NextStep.Skip skip) {
            LOG.infof(
                    "not syncing %s at %s: a newer render (%s) was synced",
                    render.application(), render.commit().substring(0, 7), skip.newer());
        } else {
            newestSynced.merge(render.application(), render.renderedAt(), (a, b) -> a.isAfter(b) ? a : b);
            publish(syncer.sync(render, eventId, inventory), eventId, render.repository());
        }
    }

    /**
     * The newest render applied to the application: what this replica applied is the freshest knowledge; the
     * inventory knows what others (or this one before a restart) applied.
     */
    private java.util.Optional<java.time.Instant> newestApplied(RenderSucceeded render, Syncer.InventoryRead read) {
        java.time.Instant newest = newestSynced.get(render.application());
        if (newest == null || !render.renderedAt().isBefore(newest)) {
            newest = syncer.newerApplied(render, read).orElse(newest);
        }
        return java.util.Optional.ofNullable(newest);
    }

    private void publish(SyncReport report, String renderEventId, String repository) {
        publisher.report(report, renderEventId, repository);
    }
}
