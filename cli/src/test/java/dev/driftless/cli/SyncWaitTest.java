package dev.driftless.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SyncWaitTest {

    static final String A = "a".repeat(40);
    static final String B = "b".repeat(40);

    static JsonNode entry(String app, String type, String commit, String reason, String data) {
        try {
            return Stack.JSON.readTree("{\"application\":\"" + app + "\",\"type\":\"dev.driftless." + type
                    + ".v1\",\"commit\":" + (commit == null ? "null" : "\"" + commit + "\"") + ",\"reason\":"
                    + (reason == null ? "null" : "\"" + reason + "\"") + ",\"event\":{\"data\":" + data + "}}");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Optional<SyncWait.Outcome> feed(SyncWait wait, JsonNode... entries) {
        Optional<SyncWait.Outcome> outcome = Optional.empty();
        for (JsonNode e : entries) {
            outcome = wait.next(e);
            if (outcome.isPresent()) {
                return outcome;
            }
        }
        return outcome;
    }

    @Test
    void renderedSyncedAndHealthyIsGoodNews() {
        SyncWait wait = new SyncWait("web", null);
        assertThat(feed(
                        wait,
                        entry("web", "command.resync", null, null, "{}"),
                        entry("web", "render.succeeded", A, null, "{}"),
                        entry("web", "sync.succeeded", A, null, "{}"),
                        entry("web", "health.changed", A, null, "{\"current\":\"Progressing\"}"),
                        entry("web", "health.changed", A, null, "{\"current\":\"Healthy\"}")))
                .hasValueSatisfying(o -> assertThat(o.exitCode()).isEqualTo(Exit.OK));
    }

    @Test
    void theHealthOfTheCommitMayBeRecordedBeforeItsSync() {
        SyncWait wait = new SyncWait("web", null);
        assertThat(feed(
                        wait,
                        entry("web", "render.succeeded", A, null, "{}"),
                        entry("web", "health.changed", A, null, "{\"current\":\"Healthy\"}"),
                        entry("web", "sync.succeeded", A, null, "{}")))
                .hasValueSatisfying(o -> assertThat(o.exitCode()).isEqualTo(Exit.OK));
    }

    @Test
    void aFailedRenderOrSyncOrADegradedRolloutIsBadNews() {
        assertThat(feed(
                        new SyncWait("web", null),
                        entry("web", "render.failed", A, "ManifestInvalid", "{\"message\":\"x.yaml (document 1)\"}")))
                .hasValueSatisfying(o -> {
                    assertThat(o.exitCode()).isEqualTo(Exit.BAD_NEWS);
                    assertThat(o.message()).contains("ManifestInvalid");
                });
        assertThat(feed(
                        new SyncWait("web", null),
                        entry("web", "render.succeeded", A, null, "{}"),
                        entry("web", "sync.failed", A, "Forbidden", "{}")))
                .hasValueSatisfying(o -> assertThat(o.exitCode()).isEqualTo(Exit.BAD_NEWS));
        assertThat(feed(
                        new SyncWait("web", null),
                        entry("web", "render.succeeded", A, null, "{}"),
                        entry("web", "sync.succeeded", A, null, "{}"),
                        entry("web", "health.changed", A, null, "{\"current\":\"Degraded\"}")))
                .hasValueSatisfying(o -> assertThat(o.exitCode()).isEqualTo(Exit.BAD_NEWS));
    }

    @Test
    void otherApplicationsAndOtherCommitsDecideNothing() {
        SyncWait wait = new SyncWait("web", B); // a rollback to B
        assertThat(feed(
                        wait,
                        entry("shop", "render.failed", A, "ManifestInvalid", "{}"),
                        entry("web", "render.succeeded", A, null, "{}"),
                        entry("web", "sync.succeeded", A, null, "{}"),
                        entry("web", "health.changed", A, null, "{\"current\":\"Healthy\"}")))
                .isEmpty();
        assertThat(wait.synced()).isFalse();
    }

    @Test
    void aRollbackIsNotEndedByTheFailedRenderOfAConcurrentPush() {
        SyncWait wait = new SyncWait("web", B);
        assertThat(feed(
                        wait,
                        entry("web", "render.failed", A, "ManifestInvalid", "{}"),
                        entry("web", "render.succeeded", B, null, "{}"),
                        entry("web", "sync.succeeded", B, null, "{}"),
                        entry("web", "health.changed", B, null, "{\"current\":\"Healthy\"}")))
                .hasValueSatisfying(o -> assertThat(o.exitCode()).isEqualTo(Exit.OK));
    }

    @Test
    void aResyncOfAHealthyCommitIsDecidedByItsLiveHealth() {
        SyncWait wait = new SyncWait("web", null);
        assertThat(feed(
                        wait,
                        entry("web", "render.succeeded", A, null, "{}"),
                        entry("web", "sync.succeeded", A, null, "{}")))
                .isEmpty();
        assertThat(wait.synced()).isTrue();
        assertThat(wait.health(B, "Healthy")).as("the health of another commit").isEmpty();
        assertThat(wait.health(A, "Progressing")).isEmpty();
        assertThat(wait.health(A, "Healthy"))
                .hasValueSatisfying(o -> assertThat(o.exitCode()).isEqualTo(Exit.OK));
    }
}
