package dev.driftless.sync.domain;

import dev.driftless.events.RenderSucceeded;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What sync-service does next for an application, decided in one place from what Git wants (a render, a drift), what
 * the cluster has (the newest render applied, the dependencies' state) and the application's policy (suspend, sync by
 * hand, sync windows, self-heal). Pure: the facts that cost a read of the cluster are asked for only when the decision
 * needs them, in the order below, and the callers do what it says ({@code RenderConsumer} for renders,
 * {@code DriftWatcher} for drift).
 */
public final class NextStep {

    private NextStep() {}

    /** What to do with a render. */
    public sealed interface ForRender {}

    /** The application is suspended: let go of it (no apply, watch, heal or health) until it is resumed. */
    public record LetGo() implements ForRender {}

    /**
     * Keep the render without applying it, for this reason; {@code recheck}: look again on the interval (windows,
     * dependencies), else wait for a person (a sync by hand).
     */
    public record Hold(String reason, boolean recheck) implements ForRender {}

    /** A newer render (rendered at {@code newer}) was applied already: never go back to this older one. */
    public record Skip(Instant newer) implements ForRender {}

    /** Apply it now. */
    public record Apply() implements ForRender {}

    /** Why a render waits for a person. */
    public static final String BY_HAND = "a sync by hand";

    /**
     * The step for a render.
     *
     * @param render the render
     * @param newestApplied the time of the newest render applied to the application, by any replica (read on demand)
     * @param now the time the windows are judged at
     * @param dependencyNotReady the first dependency not ready and why, empty when all are (read on demand)
     */
    public static ForRender forRender(
            RenderSucceeded render,
            Supplier<Optional<Instant>> newestApplied,
            Instant now,
            Supplier<Optional<String>> dependencyNotReady) {
        if (render.target().suspended()) {
            return new LetGo();
        }
        boolean byAPerson = render.requestedBy() != null;
        if (!render.target().automated() && !byAPerson) {
            return new Hold(BY_HAND, false);
        }
        Optional<Instant> newer =
                newestApplied.get().filter(at -> render.renderedAt().isBefore(at));
        if (newer.isPresent()) {
            return new Skip(newer.get());
        }
        SyncWindows.Decision window =
                SyncWindows.decide(render.target().project().syncWindows(), render.application(), now, byAPerson);
        if (!window.allowed()) {
            return new Hold(window.reason(), true);
        }
        Optional<String> dependency = dependencyNotReady.get();
        if (dependency.isPresent()) {
            return new Hold("waits for " + dependency.get(), true);
        }
        return new Apply();
    }

    /** What to do with drift that was found. */
    public enum ForDrift {
        /** Re-apply the drifted objects (self-heal), and look again after the backoff. */
        HEAL,
        /** Report it and look again in a while: self-heal is on but a sync window holds it. */
        REPORT_AND_WAIT,
        /** Report it only: the application does not self-heal. */
        REPORT
    }

    /**
     * The step for drift found between what an application's last render wants and the cluster (the caller has made
     * sure that render is still the newest applied: drift from an older one is nobody's to heal).
     *
     * @param selfHeal the application's sync policy heals drift
     * @param windows whether a sync window lets automatic changes through now
     */
    public static ForDrift forDrift(boolean selfHeal, SyncWindows.Decision windows) {
        if (!selfHeal) {
            return ForDrift.REPORT;
        }
        return windows.allowed() ? ForDrift.HEAL : ForDrift.REPORT_AND_WAIT;
    }
}
