package dev.driftless.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.driftless.events.ProjectRules;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImpersonationTest {

    static ProjectRules project(String serviceAccount) {
        return new ProjectRules("team-a", List.of(), List.of(), serviceAccount);
    }

    @Test
    void theProjectsServiceAccountForTheDestinationWins() {
        assertThat(Impersonation.user(project("team-a/deployer"), "team-a", Optional.of("driftless-deployer")))
                .contains("system:serviceaccount:team-a:deployer");
    }

    @Test
    void withoutOneTheDefaultNameIsLookedUpInTheDestinationNamespace() {
        assertThat(Impersonation.user(ProjectRules.DEFAULT, "shop", Optional.of("driftless-deployer")))
                .contains("system:serviceaccount:shop:driftless-deployer");
        assertThat(Impersonation.user(ProjectRules.DEFAULT, "shop", Optional.of("driftless-system/driftless-deployer")))
                .contains("system:serviceaccount:driftless-system:driftless-deployer");
    }

    @Test
    void withNeitherSyncServiceActsAsItself() {
        assertThat(Impersonation.user(ProjectRules.DEFAULT, "shop", Optional.empty()))
                .isEmpty();
        assertThat(Impersonation.user(ProjectRules.DEFAULT, "shop", Optional.of(" ")))
                .isEmpty();
    }

    @Test
    void namesThatAreNotKubernetesNamesAreRefusedNotSentAsAUser() {
        // a user name is a header value: nothing may smuggle another user, a group or a second account into it
        for (String bad : List.of(
                "team-a/deployer:system:masters", "Team-A/deployer", "team-a/", "/deployer", "a/b/c", "team a/x")) {
            assertThatThrownBy(() -> Impersonation.user(project(bad), "team-a", Optional.empty()))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> Impersonation.user(ProjectRules.DEFAULT, null, Optional.of("driftless-deployer")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
