package dev.driftless.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AdoptionTest {

    static final ObjectRef REF = new ObjectRef("v1", "ConfigMap", "shop", "settings");

    @Test
    void anObjectIsAppliedOverOnlyByItsOwnerOrWhenUnmanagedAndAdopted() {
        var shop = new Adoption.Claim("shop", false, false);
        assertThat(Adoption.refusal(shop, REF, null)).as("absent").isEmpty();
        assertThat(Adoption.refusal(shop, REF, Map.of(SyncPlan.APPLICATION, "shop")))
                .isEmpty();
        assertThat(Adoption.refusal(shop, REF, Map.of(SyncPlan.APPLICATION, "billing")))
                .hasValueSatisfying(r -> {
                    assertThat(r.reason()).isEqualTo(Reason.OwnedByOtherApplication);
                    assertThat(r.message()).contains("billing");
                });
        assertThat(Adoption.refusal(
                        new Adoption.Claim("shop", true, true), REF, Map.of(SyncPlan.APPLICATION, "billing")))
                .as("neither its inventory nor adopt takes another application's object")
                .isPresent();
        assertThat(Adoption.refusal(shop, REF, Map.of("app", "x")))
                .hasValueSatisfying(r -> assertThat(r.reason()).isEqualTo(Reason.AdoptionRefused));
        assertThat(Adoption.refusal(new Adoption.Claim("shop", false, true), REF, Map.of()))
                .isEmpty();
        assertThat(Adoption.refusal(Adoption.Claim.own("shop"), REF, Map.of()))
                .as("its own object whose label someone removed")
                .isEmpty();
    }

    @Test
    void anObjectAsksToBeAdoptedByAnnotation() {
        assertThat(Adoption.asked(Map.of("metadata", Map.of("annotations", Map.of(Adoption.ADOPT, "true")))))
                .isTrue();
        assertThat(Adoption.asked(Map.of("metadata", Map.of("annotations", Map.of(Adoption.ADOPT, "false")))))
                .isFalse();
        assertThat(Adoption.asked(Map.of("metadata", Map.of("name", "x")))).isFalse();
    }
}
