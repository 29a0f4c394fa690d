package dev.driftless.render.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.events.Target;
import java.util.List;
import org.junit.jupiter.api.Test;

class RemovalsTest {

    static Application declaredBy(String name, String source) {
        return new Application(
                name,
                "https://git.example.com/shop.git",
                "https://git.example.com/shop.git",
                "main",
                "",
                "auto",
                new Target("default", "shop", true, false, false, false),
                source);
    }

    static final Application FROM_DIRECTORY = declaredBy("shop", "shop.yaml");
    static final Application FROM_HOME = declaredBy("web", "cluster/driftless-system/Application/web");
    static final Application OF_TEAM_A = declaredBy("team-a.api", "cluster/team-a/Application/api");
    static final Application OF_TEAM_B = declaredBy("team-b.db", "cluster/team-b/Application/db");
    static final List<Application> GONE = List.of(FROM_DIRECTORY, FROM_HOME, OF_TEAM_A, OF_TEAM_B);

    @Test
    void withoutErrorsEverythingGoneIsRemoved() {
        assertThat(Removals.announceable(GONE, List.of(), "driftless-system")).isEqualTo(GONE);
    }

    @Test
    void anErrorInTheDirectoryOrWhereDriftlessRunsHoldsBackEveryRemoval() {
        assertThat(Removals.announceable(
                        GONE, List.of("broken.yaml: kind: must be Application or Project"), "driftless-system"))
                .isEmpty();
        assertThat(Removals.announceable(
                        GONE, List.of("cluster/driftless-system/Application/x: spec: bad"), "driftless-system"))
                .isEmpty();
        assertThat(Removals.announceable(GONE, List.of("spec.dependsOn: a cycle (a → b → a)"), "driftless-system"))
                .as("an error that names no place holds everything back")
                .isEmpty();
    }

    @Test
    void aTeamsBrokenApplicationHoldsBackOnlyThatTeamsRemovals() {
        assertThat(Removals.announceable(
                        GONE,
                        List.of("cluster/team-a/Application/evil: metadata.namespace: project shop does not allow"),
                        "driftless-system"))
                .containsExactly(FROM_DIRECTORY, FROM_HOME, OF_TEAM_B);
    }
}
