package dev.driftless.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.driftless.sync.domain.Hooks.DeletePolicy;
import dev.driftless.sync.domain.Hooks.Phase;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HooksTest {

    @Test
    void argoCdAnnotationsAreReadAsArgoCdReadsThem() {
        assertThat(Hooks.roleOf(Map.of(
                        "argocd.argoproj.io/hook", "PreSync,PostSync",
                        "argocd.argoproj.io/hook-delete-policy", "HookSucceeded",
                        "argocd.argoproj.io/sync-wave", "-2")))
                .isEqualTo(
                        new Hooks.Hook(Set.of(Phase.PreSync, Phase.PostSync), Set.of(DeletePolicy.HookSucceeded), -2));
        assertThat(Hooks.roleOf(Map.of("argocd.argoproj.io/hook", "Skip"))).isInstanceOf(Hooks.Skipped.class);
        assertThat(Hooks.roleOf(Map.of("argocd.argoproj.io/sync-wave", "3"))).isInstanceOf(Hooks.Ordinary.class);
    }

    @Test
    void withoutADeletePolicyTheLastRunIsDeletedBeforeTheNext() {
        assertThat(Hooks.roleOf(Map.of("driftless.dev/hook", "Sync")))
                .isEqualTo(new Hooks.Hook(Set.of(Phase.Sync), Set.of(DeletePolicy.BeforeHookCreation), 0));
    }

    @Test
    void helmHooksMapToPhasesAndHelmOnlyHooksAreNotRun() {
        assertThat(Hooks.roleOf(Map.of(
                        "helm.sh/hook", "pre-install, pre-upgrade",
                        "helm.sh/hook-weight", "5",
                        "helm.sh/hook-delete-policy", "before-hook-creation,hook-succeeded")))
                .isEqualTo(new Hooks.Hook(
                        Set.of(Phase.PreSync), Set.of(DeletePolicy.BeforeHookCreation, DeletePolicy.HookSucceeded), 5));
        assertThat(Hooks.roleOf(Map.of("helm.sh/hook", "post-install")))
                .isEqualTo(new Hooks.Hook(Set.of(Phase.PostSync), Set.of(DeletePolicy.BeforeHookCreation), 0));
        for (String helmOnly : List.of("test", "pre-delete", "post-rollback")) {
            assertThat(Hooks.roleOf(Map.of("helm.sh/hook", helmOnly))).isInstanceOf(Hooks.Skipped.class);
        }
        assertThat(Hooks.roleOf(Map.of("helm.sh/hook", "crd-install"))).isInstanceOf(Hooks.Ordinary.class);
    }

    @Test
    void argoCdAnnotationsWinOverHelmsAsArgoCdReadsACharts() {
        assertThat(Hooks.roleOf(Map.of("helm.sh/hook", "pre-install", "argocd.argoproj.io/hook", "PostSync")))
                .isEqualTo(new Hooks.Hook(Set.of(Phase.PostSync), Set.of(DeletePolicy.BeforeHookCreation), 0));
    }

    @Test
    void unknownValuesAreRefusedWithWhatIsAllowed() {
        assertThatThrownBy(() -> Hooks.roleOf(Map.of("argocd.argoproj.io/hook", "PreSnyc")))
                .hasMessageContaining("PreSnyc")
                .hasMessageContaining("PreSync, Sync, PostSync, SyncFail");
        assertThatThrownBy(() -> Hooks.roleOf(Map.of("helm.sh/hook", "pre-instal")))
                .hasMessageContaining("pre-instal");
        assertThatThrownBy(() ->
                        Hooks.roleOf(Map.of("driftless.dev/hook", "Sync", "driftless.dev/hook-delete-policy", "Never")))
                .hasMessageContaining("Never");
        assertThatThrownBy(() -> Hooks.roleOf(Map.of("driftless.dev/hook", "Sync", "helm.sh/hook-weight", "x")))
                .hasMessageContaining("integer");
    }

    @Test
    void aJobEndsByItsConditionsAndAPodOnlyWhenItExits() {
        assertThat(Hooks.outcome(Map.of(
                        "kind",
                        "Job",
                        "status",
                        Map.of("conditions", List.of(Map.of("type", "Complete", "status", "True"))))))
                .isEqualTo(Hooks.Outcome.Succeeded);
        assertThat(Hooks.outcome(Map.of(
                        "kind",
                        "Job",
                        "status",
                        Map.of("conditions", List.of(Map.of("type", "Failed", "status", "True"))))))
                .isEqualTo(Hooks.Outcome.Failed);
        assertThat(Hooks.outcome(Map.of("kind", "Job", "status", Map.of()))).isEqualTo(Hooks.Outcome.Running);
        assertThat(Hooks.outcome(Map.of(
                        "kind",
                        "Pod",
                        "status",
                        Map.of("phase", "Running", "conditions", List.of(Map.of("type", "Ready", "status", "True"))))))
                .as("a ready Pod still runs")
                .isEqualTo(Hooks.Outcome.Running);
        assertThat(Hooks.outcome(Map.of("kind", "Pod", "status", Map.of("phase", "Failed"))))
                .isEqualTo(Hooks.Outcome.Failed);
    }
}
