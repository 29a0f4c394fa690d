package dev.driftless.render;

import dev.driftless.events.RenderFailed;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.render.domain.Application;
import dev.driftless.render.domain.Bundle;
import dev.driftless.render.domain.ManifestParser;
import dev.driftless.render.domain.Reason;
import dev.driftless.render.domain.RenderFailure;
import dev.driftless.render.git.MirrorCache;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Renders one application at one commit: resolve the commit in the mirror, read the application's directory at
 * that commit, parse the manifests, digest the bundle. Returns the event to publish, success or failure; never
 * throws for bad input. Remembers each application's last outcome for the API.
 */
@ApplicationScoped
public class Renderer {

    private static final Logger LOG = Logger.getLogger(Renderer.class);

    /** The last outcome of an application's render. */
    public record LastRender(String commit, String digest, String outcome, String reason, String message, Instant at) {}

    @Inject
    MirrorCache mirrors;

    @Inject
    RenderConfig config;

    @Inject
    MeterRegistry metrics;

    private final Map<String, LastRender> last = new ConcurrentHashMap<>();

    /**
     * Renders an application.
     *
     * @param commit the commit to render, or {@code null} for the head of its revision
     * @param triggeredBy the CloudEvent id of the push or command that asked for it
     * @return a {@link RenderSucceeded} or a {@link RenderFailed}
     */
    public Record render(Application app, String commit, String triggeredBy) {
        long started = System.nanoTime();
        String resolved = commit;
        try {
            resolved = mirrors.resolve(app, commit);
            Bundle bundle = Bundle.of(ManifestParser.parse(mirrors.readDirectory(app, resolved)));
            if (bundle.sizeBytes() > config.maxBundleBytes()) {
                throw new RenderFailure(
                        Reason.BundleTooLarge,
                        "bundle of " + app.name() + " is " + bundle.sizeBytes() + " bytes; the limit is "
                                + config.maxBundleBytes());
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            record(null, took);
            last.put(app.name(), new LastRender(resolved, bundle.digest(), "Succeeded", null, null, Instant.now()));
            LOG.infof(
                    "rendered %s at %s: %d object(s), %s in %d ms",
                    app.name(),
                    resolved.substring(0, 7),
                    bundle.manifests().size(),
                    bundle.digest().substring(0, 19),
                    took.toMillis());
            return new RenderSucceeded(
                    app.name(),
                    app.repository(),
                    app.ref() == null ? app.targetRevision() : app.ref(),
                    resolved,
                    app.path(),
                    bundle.digest(),
                    bundle.manifests(),
                    app.target(),
                    triggeredBy,
                    Instant.now(),
                    took.toMillis());
        } catch (RuntimeException e) {
            LOG.errorf(e, "unexpected error rendering %s at %s", app.name(), resolved);
            return failed(app, resolved, new RenderFailure(Reason.RenderError, e.toString()), triggeredBy, started);
        } catch (RenderFailure failure) {
            return failed(app, resolved, failure, triggeredBy, started);
        }
    }

    /**
     * Renders an application after a push to its branch: at the branch's head, which may be newer than the pushed
     * commit (a burst of pushes costs one render of the newest), never at an older commit than the head. Empty when
     * the head was rendered already (a redelivered or replayed push).
     */
    public Optional<Record> renderAfterPush(Application app, String pushed, String triggeredBy) {
        long started = System.nanoTime();
        String head;
        try {
            head = mirrors.resolve(app, null);
        } catch (RenderFailure failure) {
            return Optional.of(failed(app, pushed, failure, triggeredBy, started));
        } catch (RuntimeException e) {
            LOG.errorf(e, "unexpected error resolving %s", app.name());
            return Optional.of(
                    failed(app, pushed, new RenderFailure(Reason.RenderError, e.toString()), triggeredBy, started));
        }
        if (!head.equals(pushed)) {
            LOG.infof(
                    "%s: %s is no longer the head of %s; rendering the head %s",
                    app.name(), abbreviate(pushed), app.targetRevision(), abbreviate(head));
        }
        if (alreadyRendered(app, head)) {
            return Optional.empty();
        }
        return Optional.of(render(app, head, triggeredBy));
    }

    private static String abbreviate(String sha) {
        return sha == null || sha.length() < 7 ? sha : sha.substring(0, 7);
    }

    private RenderFailed failed(
            Application app, String resolved, RenderFailure failure, String triggeredBy, long started) {
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        record(failure.reason(), took);
        last.put(
                app.name(),
                new LastRender(resolved, null, "Failed", failure.reason().name(), failure.getMessage(), Instant.now()));
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

    /** The last outcome of each application rendered since start. */
    public Map<String, LastRender> lastRenders() {
        return Map.copyOf(last);
    }

    /** Whether this commit is the one last rendered successfully for the application. */
    public boolean alreadyRendered(Application app, String commit) {
        LastRender previous = last.get(app.name());
        return previous != null && "Succeeded".equals(previous.outcome()) && commit.equals(previous.commit());
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
