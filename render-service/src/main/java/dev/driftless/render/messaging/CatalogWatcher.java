package dev.driftless.render.messaging;

import dev.driftless.render.Renderer;
import dev.driftless.render.catalog.CatalogDirectory;
import dev.driftless.render.domain.Application;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Watches the catalog directory: an application that is new or changed (including every application at start) is
 * rendered at once from the current head of its revision, without waiting for a push; one that was removed is
 * announced ({@code application.removed}) so sync-service can prune it if its policy says so. Every
 * {@code driftless.render.reconcile-interval} (jittered) each application is also compared with the head of its source
 * and rendered again if it is behind or its last render failed: webhooks make changes fast, this makes them certain.
 * The applications of one repository are compared together, after one fetch.
 * Every replica keeps the catalog; only the one that leads ({@link dev.driftless.events.Leadership}) renders on its
 * account and announces removals, and a replica that starts leading renders every application once.
 */
@ApplicationScoped
public class CatalogWatcher {

    private static final Logger LOG = Logger.getLogger(CatalogWatcher.class);

    @Inject
    CatalogDirectory catalog;

    @Inject
    Renderer renderer;

    @Inject
    RenderPublisher publisher;

    @Inject
    dev.driftless.render.RenderConfig config;

    @Inject
    @io.smallrye.common.annotation.Identifier("leadership")
    dev.driftless.events.Leadership leadership;

    private boolean led;

    private final Set<String> pending = new LinkedHashSet<>();
    private final Set<String> reconciling = new java.util.HashSet<>();
    private dev.driftless.render.domain.ReconcileSchedule schedule;

    @jakarta.annotation.PostConstruct
    void startSchedule() {
        schedule = new dev.driftless.render.domain.ReconcileSchedule(
                config.reconcileInterval(), java.util.concurrent.ThreadLocalRandom.current()::nextDouble);
    }

    private final List<Application> removals = new java.util.ArrayList<>();

    @Scheduled(
            every = "${driftless.render.catalog-poll-interval:2s}",
            delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void rescan() {
        CatalogDirectory.Scan scan = catalog.rescan();
        if (!leadership.leads()) {
            // every replica keeps the catalog (pushes are rendered wherever their partition is), one announces
            led = false;
            pending.clear();
            removals.clear();
            reconciling.clear();
            return;
        }
        if (!led) {
            // a replica that starts or takes over leading renders every application once at its head, as at start
            led = true;
            pending.addAll(
                    catalog.applications().stream().map(Application::name).toList());
        }
        pending.addAll(scan.changed().stream().map(Application::name).toList());
        removals.addAll(scan.removed());
        for (java.util.Iterator<Application> it = removals.iterator(); it.hasNext(); ) {
            Application removed = it.next();
            try {
                renderer.forget(removed.name());
                publisher.publishRemoved(removed);
                it.remove();
            } catch (RuntimeException e) {
                LOG.warnf("could not announce the removal of %s; retrying: %s", removed.name(), e.toString());
            }
        }
        // a suspended application is not reconciled; a change of its catalog entry (suspending or resuming it) is
        // rendered, so sync-service learns of it. A repository's applications come due together: one fetch for all.
        List<Application> behind = schedule.dueBySource(
                catalog.applications().stream()
                        .filter(app -> !app.target().suspended())
                        .toList(),
                java.time.Instant.now());
        behind.stream().map(Application::name).filter(pending::add).forEach(reconciling::add);
        List<Application> due = catalog.applications().stream()
                .filter(app -> pending.contains(app.name()))
                .toList();
        if (due.isEmpty()) {
            return;
        }
        // each render is published as soon as it is made: a catalog of ten thousand starts syncing at once
        renderer.renderAtHeads(
                due,
                app -> reconciling.contains(app.name()) ? "reconcile" : "catalog:" + app.source(),
                (app, render) -> {
                    try {
                        if (render != null) {
                            if (reconciling.contains(app.name())) {
                                LOG.infof(
                                        "%s was behind its source or its last render failed: rendered again",
                                        app.name());
                            }
                            publisher.publish(render);
                        }
                        pending.remove(app.name());
                        reconciling.remove(app.name());
                    } catch (RuntimeException e) {
                        // rendered but not published: the next scan renders it again instead of taking it as done
                        renderer.forget(app.name());
                        LOG.warnf("could not publish the render of %s; retrying: %s", app.name(), e.toString());
                    }
                });
        pending.retainAll(
                catalog.applications().stream().map(Application::name).collect(java.util.stream.Collectors.toSet()));
        reconciling.retainAll(pending);
    }
}
