package dev.driftless.render;

import dev.driftless.events.CommitPushed;
import dev.driftless.events.RenderFailed;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.render.domain.Application;
import dev.driftless.render.domain.Bundle;
import dev.driftless.render.domain.Reason;
import dev.driftless.render.domain.RenderFailure;
import dev.driftless.render.domain.RepositoryPaths;
import dev.driftless.render.domain.RevisionMatcher;
import dev.driftless.render.engine.RenderEngine;
import dev.driftless.render.engine.RenderPlan;
import dev.driftless.render.git.MirrorCache;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Renders one application at one commit: resolve the commit in the mirror, read the application's directory at
 * that commit, parse the manifests, digest the bundle. Returns the event to publish, success or failure; never
 * throws for bad input. Remembers each application's last outcome for the API.
 */
@ApplicationScoped
public class Renderer {

    private static final Logger LOG = Logger.getLogger(Renderer.class);

    /**
     * The last outcome of an application's render. {@code inputs} holds the Git object id of every repository path
     * the render read: with the application's definition, the render cache's key (a render that fetched a remote base
     * or chart has no key: it is never skipped). {@code commitSummary}: the commit's subject, author and time, for
     * people (the console and the command line show it).
     */
    public record LastRender(
            String commit,
            String digest,
            String outcome,
            String reason,
            String message,
            Instant at,
            String renderer,
            java.util.SortedSet<String> reads,
            @com.fasterxml.jackson.annotation.JsonIgnore Map<String, String> inputs,
            @com.fasterxml.jackson.annotation.JsonIgnore Application application,
            dev.driftless.render.git.MirrorCache.CommitSummary commitSummary) {}

    @Inject
    MirrorCache mirrors;

    @Inject
    RenderConfig config;

    @Inject
    RollbackPins pins;

    @Inject
    MeterRegistry metrics;

    @Inject
    RenderEngine engine;

    @Inject
    dev.driftless.render.engine.SignatureCheck signatures;

    @Inject
    dev.driftless.render.secrets.SecretSealer sealer;

    @Inject
    RenderQuarantine quarantine;

    private final Map<String, LastRender> last = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> appLocks = new ConcurrentHashMap<>();

    /** One render of an application at a time, so a push and a catalog change of it never render the same twice. */
    private ReentrantLock lockOf(Application app) {
        return appLocks.computeIfAbsent(app.name(), name -> new ReentrantLock());
    }

    private final Map<String, String> lastHeads = new ConcurrentHashMap<>();

    /** Renders of one push's applications, {@code driftless.render.parallelism} at a time. */
    private java.util.concurrent.ExecutorService pushRenders;

    @jakarta.annotation.PostConstruct
    void startPushRenders() {
        int threads = config.parallelism().orElse(Runtime.getRuntime().availableProcessors());
        if (threads < 1) {
            throw new IllegalArgumentException("driftless.render.parallelism must be at least 1, not " + threads);
        }
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        pushRenders = java.util.concurrent.Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, "push-render-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @jakarta.annotation.PreDestroy
    void stopPushRenders() {
        pushRenders.shutdownNow();
    }

    /**
     * Renders an application.
     *
     * @param commit the commit to render, or {@code null} for the head of its revision
     * @param triggeredBy the CloudEvent id of the push or command that asked for it
     * @return a {@link RenderSucceeded} or a {@link RenderFailed}
     */
    public Record render(Application app, String commit, String triggeredBy) {
        return render(app, commit, triggeredBy, null);
    }

    /**
     * Renders an application because someone asked for it by name (a resync or a rollback): an application synced by
     * hand applies only such renders; a suspended one renders nothing ({@link Reason#ApplicationSuspended}).
     *
     * @param requestedBy who asked, or {@code null} for a push, a reconcile or a catalog change
     */
    public Record render(Application app, String commit, String triggeredBy, String requestedBy) {
        long started = System.nanoTime();
        String resolved = commit;
        boolean marked = false;
        boolean succeeded = false;
        try {
            resolved = mirrors.resolve(app, commit);
            if (app.target().suspended() && requestedBy != null) {
                throw new RenderFailure(
                        Reason.ApplicationSuspended,
                        app.name() + " is suspended (spec.suspend): nothing is rendered, applied or healed until it"
                                + " is resumed");
            }
            var quarantined = quarantine.quarantined(app.name(), resolved);
            if (quarantined.isPresent()) {
                throw new RenderFailure(
                        Reason.RenderQuarantined,
                        "the service died " + quarantined.get().count() + " times while rendering " + app.name()
                                + " at this commit; it is not rendered at it again: push a new commit or ask for a"
                                + " resync");
            }
            quarantine.started(app.name(), resolved);
            marked = true;
            signatures.verify(app, resolved);
            RenderPlan plan = engine.plan(app, resolved);
            Bundle bundle = Bundle.of(sealer.seal(engine.render(app, resolved, plan)));
            String compressed = compressedIfLarge(app, bundle);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            record(null, took);
            behind(app.name(), false);
            last.put(
                    app.name(),
                    new LastRender(
                            resolved,
                            bundle.digest(),
                            "Succeeded",
                            null,
                            null,
                            Instant.now(),
                            plan.renderer(),
                            plan.inputs(),
                            plan.remoteReferences().isEmpty() ? mirrors.objectIds(app, resolved, plan.inputs()) : null,
                            app,
                            mirrors.commitSummary(app, resolved).orElse(null)));
            LOG.infof(
                    "rendered %s at %s: %d object(s), %s in %d ms",
                    app.name(),
                    resolved.substring(0, 7),
                    bundle.manifests().size(),
                    bundle.digest().substring(0, 19),
                    took.toMillis());
            succeeded = true;
            return new RenderSucceeded(
                    app.name(),
                    app.repository(),
                    app.ref() == null ? app.targetRevision() : app.ref(),
                    resolved,
                    app.path(),
                    bundle.digest(),
                    compressed == null ? bundle.manifests() : List.of(),
                    app.target(),
                    triggeredBy,
                    Instant.now(),
                    took.toMillis(),
                    compressed,
                    requestedBy,
                    app.declaredIn());
        } catch (RuntimeException e) {
            LOG.errorf(e, "unexpected error rendering %s at %s", app.name(), resolved);
            return failed(app, resolved, new RenderFailure(Reason.RenderError, e.toString()), triggeredBy, started);
        } catch (RenderFailure failure) {
            return failed(app, resolved, failure, triggeredBy, started);
        } finally {
            if (marked) {
                quarantine.ended(app.name(), succeeded);
            }
        }
    }

    /**
     * The bundle compressed, when it is larger than {@code compress-above}; {@code null} when it travels as it is.
     *
     * @throws RenderFailure {@code BundleTooLarge} when it does not fit {@code max-bundle-bytes} as it travels, or
     *     would expand past what sync-service accepts
     */
    private String compressedIfLarge(Application app, Bundle bundle) throws RenderFailure {
        int limit = config.limits().maxBundleBytes();
        if (bundle.sizeBytes() <= Math.min(limit, config.limits().compressAbove())) {
            return null;
        }
        if (bundle.sizeBytes() > RenderSucceeded.MAX_EXPANDED_BYTES) {
            throw new RenderFailure(
                    Reason.BundleTooLarge,
                    "bundle of " + app.name() + " is " + bundle.sizeBytes() + " bytes; sync-service expands at most "
                            + RenderSucceeded.MAX_EXPANDED_BYTES);
        }
        String compressed = RenderSucceeded.compress(bundle.manifests());
        if (compressed.length() > limit) {
            throw new RenderFailure(
                    Reason.BundleTooLarge,
                    "bundle of " + app.name() + " is " + bundle.sizeBytes() + " bytes, " + compressed.length()
                            + " compressed; the limit is " + limit);
        }
        return compressed;
    }

    /**
     * Renders what a push changed, for the applications following its repository and ref: one fetch, then the
     * branch's head, which may be newer than the pushed commit (a burst of pushes costs one render of the newest;
     * nothing older than the head is ever rendered). Only applications whose path a changed file lies under are
     * rendered (one tree diff from the last head seen, or the pushed {@code before}), plus those whose last render
     * failed; an application whose tree at the head is the one last rendered costs no render at all (a redelivered
     * push, a change reverted). Without a known earlier commit (a new branch, a force push past the mirror, a restart)
     * every candidate's tree is compared instead.
     *
     * @param candidates the applications following the pushed repository and ref, not empty
     * @param publish takes each render's event as soon as it is made, from {@code driftless.render.parallelism}
     *     threads; an application's events are handed over in order
     * @return how many events were handed to {@code publish}, one per application rendered
     */
    public int renderPush(
            List<Application> candidates, CommitPushed push, String triggeredBy, Consumer<Record> publish) {
        long started = System.nanoTime();
        Application first = candidates.get(0);
        String head;
        try {
            // pushes of one repository come one after another: one that a fetch begun after it brought shares it
            head = mirrors.alreadyFetched(first, push.receivedAt())
                    ? mirrors.resolveFetched(first, null)
                    : mirrors.resolve(first, null);
        } catch (RenderFailure failure) {
            return publishAll(failedAll(candidates, push, failure, triggeredBy, started), publish);
        } catch (RuntimeException e) {
            // never let one repository's surprise stop the consumer: each application fails with a reason
            LOG.errorf(e, "unexpected error resolving %s %s", push.repository(), push.ref());
            return publishAll(
                    failedAll(
                            candidates,
                            push,
                            new RenderFailure(Reason.RenderError, e.toString()),
                            triggeredBy,
                            started),
                    publish);
        }
        if (!head.equals(push.after())) {
            LOG.infof(
                    "%s %s: %s is no longer the head; rendering the head %s",
                    push.repository(), push.ref(), abbreviate(push.after()), abbreviate(head));
        }
        String key = push.repository() + " " + push.ref();
        String previous = lastHeads.getOrDefault(key, push.before());
        Optional<Set<String>> changed = mirrors.changedPaths(first, previous, head);
        List<Application> affected = changed.map(paths -> candidates.stream()
                        .filter(app -> !succeeded(app) || readsAnyOf(last.get(app.name()), paths))
                        .toList())
                .orElse(candidates);
        java.util.concurrent.atomic.AtomicInteger rendered = new java.util.concurrent.atomic.AtomicInteger();
        List<java.util.concurrent.Future<?>> running = new ArrayList<>();
        for (Application app : affected) {
            // the task runs in the consumed push's trace context, so its render event continues the push's trace
            running.add(pushRenders.submit(
                    io.opentelemetry.context.Context.current().wrap(() -> {
                        ReentrantLock lock = lockOf(app);
                        lock.lock();
                        try {
                            // a rolled-back application follows its branch again with a push that changes what it
                            // reads, and only then (a push elsewhere in the repository leaves it where it is)
                            if (pins.pinned(app.name()).isPresent()) {
                                if (changed.isEmpty()) {
                                    return;
                                }
                                pins.release(app.name());
                            }
                            // checked under the application's lock: a catalog render of the same head may just have
                            // finished
                            if (!inputsChanged(app, head)) {
                                cacheRequests("hit").increment();
                                return;
                            }
                            cacheRequests("miss").increment();
                            // published under the lock: an application's renders leave in the order they were made
                            publish.accept(render(app, head, triggeredBy));
                            rendered.incrementAndGet();
                        } finally {
                            lock.unlock();
                        }
                    })));
        }
        awaitAll(running);
        lastHeads.put(key, head);
        metrics.counter("driftless.render.push.applications", "outcome", "rendered")
                .increment(rendered.get());
        metrics.counter("driftless.render.push.applications", "outcome", "unchanged")
                .increment(candidates.size() - rendered.get());
        LOG.debugf(
                "push %s %s@%s: %d candidate(s), %d changed path(s), %d rendered",
                push.deliveryId(),
                push.ref(),
                abbreviate(head),
                candidates.size(),
                changed.map(Set::size).orElse(-1),
                rendered.get());
        return rendered.get();
    }

    /** Waits for every task; the first failure (a publish the broker refused) is thrown once all have ended. */
    private static void awaitAll(List<java.util.concurrent.Future<?>> tasks) {
        RuntimeException failure = null;
        for (java.util.concurrent.Future<?> task : tasks) {
            try {
                task.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException runtime
                            ? runtime
                            : new IllegalStateException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while rendering a push", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Renders applications at the current heads of their revisions with one fetch per repository, not one per
     * application (a catalog of a thousand applications in one repository starts with one fetch), handing each
     * application's event to {@code each} as soon as it is rendered, in the order given ({@code null} for one whose
     * current definition was rendered at that head meanwhile, by a push, and needs no second render): the first of ten
     * thousand is published in milliseconds, not after the last is rendered, and none waits in memory for the others.
     */
    public void renderAtHeads(
            List<Application> apps,
            Function<Application, String> cause,
            java.util.function.BiConsumer<Application, Record> each) {
        Map<String, Optional<RenderFailure>> fetches = new HashMap<>();
        for (Application app : apps) {
            Record outcome = null;
            long started = System.nanoTime();
            String triggeredBy = cause.apply(app);
            Optional<RenderFailure> fetch = fetches.computeIfAbsent(app.repository(), r -> refresh(app));
            try {
                if (fetch.isPresent()) {
                    throw fetch.get();
                }
                // a rolled-back application stays at the commit it was rolled back to (RollbackPins)
                Optional<String> pinned = pins.pinned(app.name());
                String commit = pinned.isPresent()
                        ? pinned.get()
                        : RevisionMatcher.isCommitSha(app.targetRevision())
                                ? app.targetRevision()
                                : mirrors.localHead(app);
                ReentrantLock lock = lockOf(app);
                lock.lock();
                try {
                    // a push of the same head may have rendered this very definition meanwhile: once is enough
                    LastRender previous = last.get(app.name());
                    if (!succeeded(app) || !commit.equals(previous.commit())) {
                        outcome = render(app, commit, triggeredBy);
                    }
                } finally {
                    lock.unlock();
                }
            } catch (RenderFailure failure) {
                outcome = failed(app, null, failure, triggeredBy, started);
            }
            each.accept(app, outcome);
        }
    }

    /**
     * Renders the applications that follow a semver range over tags after a tag moved: one fetch per repository, then
     * each application whose chosen tag now names another commit than its last successful render.
     */
    public List<Record> renderTagFollowers(List<Application> apps, String triggeredBy) {
        Map<String, Optional<RenderFailure>> fetches = new HashMap<>();
        List<Record> renders = new ArrayList<>();
        for (Application app : apps) {
            long started = System.nanoTime();
            try {
                Optional<RenderFailure> fetch = fetches.computeIfAbsent(app.repository(), r -> refresh(app));
                if (fetch.isPresent()) {
                    throw fetch.get();
                }
                String commit = mirrors.localHead(app);
                LastRender previous = last.get(app.name());
                if (succeeded(app) && commit.equals(previous.commit())) {
                    continue;
                }
                if (pins.pinned(app.name()).isPresent()) {
                    continue; // rolled back: it stays there until someone resyncs it
                }
                renders.add(render(app, commit, triggeredBy));
            } catch (RenderFailure failure) {
                renders.add(failed(app, null, failure, triggeredBy, started));
            }
        }
        return renders;
    }

    private Optional<RenderFailure> refresh(Application app) {
        try {
            mirrors.refresh(app);
            return Optional.empty();
        } catch (RenderFailure failure) {
            return Optional.of(failure);
        }
    }

    private static int publishAll(List<Record> records, Consumer<Record> publish) {
        records.forEach(publish);
        return records.size();
    }

    private List<Record> failedAll(
            List<Application> apps, CommitPushed push, RenderFailure failure, String triggeredBy, long started) {
        return apps.stream()
                .<Record>map(app -> failed(app, push.after(), failure, triggeredBy, started))
                .toList();
    }

    private boolean succeeded(Application app) {
        LastRender previous = last.get(app.name());
        return previous != null && "Succeeded".equals(previous.outcome()) && app.equals(previous.application());
    }

    /** Whether a changed path lies under (or is) any path the last render read: a path lookup, nothing more. */
    private static boolean readsAnyOf(LastRender previous, Set<String> changedPaths) {
        for (String changed : changedPaths) {
            for (String read : previous.reads()) {
                if (RepositoryPaths.isUnder(changed, read)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether what the application's last successful render read (as it is defined now) differs at this commit:
     * the render cache's check, by Git object ids.
     */
    private boolean inputsChanged(Application app, String commit) {
        LastRender previous = last.get(app.name());
        if (!succeeded(app) || previous.inputs() == null) {
            return true;
        }
        return !previous.inputs()
                .equals(mirrors.objectIds(app, commit, previous.inputs().keySet()));
    }

    private static String abbreviate(String sha) {
        return sha == null || sha.length() < 7 ? sha : sha.substring(0, 7);
    }

    private RenderFailed failed(
            Application app, String resolved, RenderFailure failure, String triggeredBy, long started) {
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        record(failure.reason(), took);
        behind(app.name(), true);
        last.put(
                app.name(),
                new LastRender(
                        resolved,
                        null,
                        "Failed",
                        failure.reason().name(),
                        failure.getMessage(),
                        Instant.now(),
                        null,
                        null,
                        null,
                        app,
                        resolved == null
                                ? null
                                : mirrors.commitSummary(app, resolved).orElse(null)));
        LOG.warnf("render of %s failed: %s: %s", app.name(), failure.reason(), failure.getMessage());
        return new RenderFailed(
                app.name(),
                app.repository(),
                app.ref() == null ? app.targetRevision() : app.ref(),
                resolved,
                failure.reason().name(),
                failure.getMessage(),
                triggeredBy,
                Instant.now());
    }

    /** Both series exist from the start, so a dashboard's hit ratio has data before the first hit. */
    @jakarta.annotation.PostConstruct
    void registerCacheMeters() {
        cacheRequests("hit");
        cacheRequests("miss");
    }

    /**
     * The render cache's answers for the applications a push may have changed: {@code hit} when the Git object ids
     * of everything the last render read are unchanged (no render), {@code miss} when it renders.
     */
    private io.micrometer.core.instrument.Counter cacheRequests(String outcome) {
        return io.micrometer.core.instrument.Counter.builder("driftless.render.cache.requests")
                .description("Render cache lookups for applications a push may have changed, by outcome")
                .tag("outcome", outcome)
                .register(metrics);
    }

    /** Forgets an application that left the catalog: a later one of the same name starts afresh. */
    public void forget(String application) {
        last.remove(application);
        behindSince.remove(application);
        io.micrometer.core.instrument.Meter gauge = behindGauges.remove(application);
        if (gauge != null) {
            metrics.remove(gauge);
        }
    }

    private final Map<String, Instant> behindSince = new ConcurrentHashMap<>();
    private final Map<String, io.micrometer.core.instrument.Meter> behindGauges = new ConcurrentHashMap<>();

    /**
     * Since when the application has not been rendered at the head it was last asked to render (its first failed
     * render since its last success), or empty when its last render succeeded. A push or the periodic comparison
     * with its source asks; so an application whose fetch or render keeps failing shows how long it has been stuck.
     */
    public Optional<Instant> behindSince(String application) {
        return Optional.ofNullable(behindSince.get(application));
    }

    private void behind(String application, boolean failed) {
        if (failed) {
            behindSince.putIfAbsent(application, Instant.now());
        } else {
            behindSince.remove(application);
        }
        behindGauges.computeIfAbsent(application, app -> io.micrometer.core.instrument.Gauge.builder(
                        "driftless.render.behind",
                        behindSince,
                        since -> since.containsKey(app)
                                ? Duration.between(since.get(app), Instant.now())
                                                .toMillis()
                                        / 1000.0
                                : 0)
                .description("Seconds since the application last failed to render at the head it was asked to"
                        + " (0 when its last render succeeded)")
                .baseUnit("seconds")
                .tag("application", app)
                .register(metrics));
    }

    /** The last outcome of each application rendered since start. */
    public Map<String, LastRender> lastRenders() {
        return Map.copyOf(last);
    }

    private void record(Reason reason, Duration took) {
        Timer.builder("driftless.render.duration")
                .description("Time to render one application")
                .tag("outcome", reason == null ? "succeeded" : "failed")
                .tag("reason", reason == null ? "none" : reason.name())
                .publishPercentileHistogram()
                .register(metrics)
                .record(took);
    }
}
