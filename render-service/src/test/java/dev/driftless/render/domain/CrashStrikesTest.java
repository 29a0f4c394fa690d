package dev.driftless.render.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CrashStrikesTest {

    @Test
    void oneDeathMidRenderIsForgivenTheSecondAtTheSameCommitQuarantines() {
        var first = CrashStrikes.afterRestart(Map.of("shop", "c1"), Map.of());
        assertThat(first.get("shop").quarantines()).isFalse();

        var second = CrashStrikes.afterRestart(Map.of("shop", "c1"), first);
        assertThat(second.get("shop").quarantines()).isTrue();

        var otherCommit = CrashStrikes.afterRestart(Map.of("shop", "c2"), first);
        assertThat(otherCommit.get("shop")).isEqualTo(new CrashStrikes.Strike("c2", 1));

        var notRendering = CrashStrikes.afterRestart(Map.of("billing", "b1"), second);
        assertThat(notRendering.get("shop").quarantines())
                .as("kept across restarts")
                .isTrue();
        assertThat(notRendering.get("billing").count()).isEqualTo(1);
    }
}
