package dev.driftless.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.events.ProjectRules;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.SyncWindow;
import dev.driftless.events.Target;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class NextStepTest {

    static final Instant NOW = Instant.parse("2026-11-30T12:30:00Z");

    /** A fact the decision must not need: asking for it fails the test. */
    static <T> Supplier<T> notAsked(String what) {
        return () -> {
            throw new AssertionError(what + " was read, and the decision did not need it");
        };
    }

    static RenderSucceeded render(boolean automated, boolean suspended, String requestedBy, SyncWindow... windows) {
        ProjectRules project = new ProjectRules("p", List.of(), List.of(), null, List.of(windows));
        Target target = new Target(
                "default",
                "shop",
                true,
                true,
                false,
                true,
                null,
                null,
                null,
                project,
                null,
                null,
                automated,
                suspended,
                List.of("database"));
        return new RenderSucceeded(
                "shop",
                "https://git.example.com/shop.git",
                "refs/heads/main",
                "a".repeat(40),
                "",
                "sha256:" + "1".repeat(64),
                List.of(),
                target,
                "push",
                NOW.minusSeconds(5),
                3,
                null,
                requestedBy);
    }

    /** A deny window open from noon for an hour, with or without manual syncs let through. */
    static SyncWindow denyAtNoon(boolean manualSync) {
        return new SyncWindow("deny", "0 12 * * *", "1h", List.of(), manualSync, null);
    }

    @Test
    void aSuspendedApplicationIsLetGoOfWhateverElseHolds() {
        assertThat(NextStep.forRender(
                        render(false, true, "alice", denyAtNoon(false)),
                        notAsked("the newest applied"),
                        NOW,
                        notAsked("the dependencies")))
                .isEqualTo(new NextStep.LetGo());
    }

    @Test
    void anApplicationSyncedByHandWaitsForAPersonAndGoesWhenOneAsks() {
        assertThat(NextStep.forRender(
                        render(false, false, null), notAsked("the newest applied"), NOW, notAsked("the dependencies")))
                .isEqualTo(new NextStep.Hold(NextStep.BY_HAND, false));
        assertThat(NextStep.forRender(render(false, false, "alice"), Optional::empty, NOW, Optional::empty))
                .isEqualTo(new NextStep.Apply());
    }

    @Test
    void aRenderOlderThanOneAppliedIsNeverAppliedNotEvenWhenAPersonAsks() {
        Instant newer = NOW.minusSeconds(1);
        assertThat(NextStep.forRender(
                        render(true, false, "alice"), () -> Optional.of(newer), NOW, notAsked("the dependencies")))
                .isEqualTo(new NextStep.Skip(newer));
        assertThat(NextStep.forRender(
                        render(true, false, null), () -> Optional.of(NOW.minusSeconds(60)), NOW, Optional::empty))
                .as("an older one applied is no reason to skip")
                .isEqualTo(new NextStep.Apply());
    }

    @Test
    void aClosedWindowHoldsAutomaticSyncsAndLetsAPersonThroughOnlyWhereItSaysSo() {
        NextStep.ForRender held = NextStep.forRender(
                render(true, false, null, denyAtNoon(true)), Optional::empty, NOW, notAsked("the dependencies"));
        assertThat(held).isInstanceOfSatisfying(NextStep.Hold.class, hold -> {
            assertThat(hold.recheck()).isTrue();
            assertThat(hold.reason()).contains("sync window: deny");
        });
        assertThat(NextStep.forRender(
                        render(true, false, "alice", denyAtNoon(true)), Optional::empty, NOW, Optional::empty))
                .isEqualTo(new NextStep.Apply());
        assertThat(NextStep.forRender(
                        render(true, false, "alice", denyAtNoon(false)),
                        Optional::empty,
                        NOW,
                        notAsked("the dependencies")))
                .isInstanceOf(NextStep.Hold.class);
        assertThat(NextStep.forRender(
                        render(true, false, null, denyAtNoon(false)),
                        Optional::empty,
                        NOW.plusSeconds(3600),
                        Optional::empty))
                .as("once the window has closed")
                .isEqualTo(new NextStep.Apply());
    }

    @Test
    void aRenderWaitsForItsDependenciesAndGoesWhenTheyAreReady() {
        assertThat(NextStep.forRender(
                        render(true, false, null),
                        Optional::empty,
                        NOW,
                        () -> Optional.of("database (Progressing at 1a2b3c4)")))
                .isEqualTo(new NextStep.Hold("waits for database (Progressing at 1a2b3c4)", true));
        assertThat(NextStep.forRender(render(true, false, null), Optional::empty, NOW, Optional::empty))
                .isEqualTo(new NextStep.Apply());
    }

    @Test
    void driftIsHealedOnlyWithSelfHealAndAnOpenWindow() {
        SyncWindows.Decision open = SyncWindows.decide(List.of(), "shop", NOW, false);
        SyncWindows.Decision closed = SyncWindows.decide(List.of(denyAtNoon(false)), "shop", NOW, false);
        assertThat(NextStep.forDrift(true, open)).isEqualTo(NextStep.ForDrift.HEAL);
        assertThat(NextStep.forDrift(true, closed)).isEqualTo(NextStep.ForDrift.REPORT_AND_WAIT);
        assertThat(NextStep.forDrift(false, open)).isEqualTo(NextStep.ForDrift.REPORT);
        assertThat(NextStep.forDrift(false, closed)).isEqualTo(NextStep.ForDrift.REPORT);
    }
}
