package dev.driftless.events;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** A valid example of every event type's data, for contract tests here and in the services (test-jar). */
public final class EventExamples {

    public static final String SHA_A = "a".repeat(40);
    public static final String SHA_B = "b".repeat(40);
    public static final Instant NOW = Instant.parse("2026-11-25T10:15:30.123Z");
    public static final Target TARGET = new Target("default", "demo", true, true, false, true);

    /** One example per type. */
    public static final Map<EventType, Record> EXAMPLES = new EnumMap<>(EventType.class);

    static {
        EXAMPLES.put(
                EventType.COMMIT_PUSHED,
                new CommitPushed(
                        "https://git.example.com/shop/deploy",
                        "refs/heads/main",
                        SHA_A,
                        SHA_B,
                        "alice",
                        "github",
                        "72d3162e-cc78-11e3-81ab-4c9367dc0958",
                        List.of("apps/demo/config.yaml"),
                        NOW,
                        true));
        EXAMPLES.put(
                EventType.RENDER_SUCCEEDED,
                new RenderSucceeded(
                        "demo",
                        "https://git.example.com/shop/deploy",
                        "refs/heads/main",
                        SHA_B,
                        "apps/demo",
                        "sha256:" + "0".repeat(64),
                        List.of(Map.of(
                                "apiVersion", "v1", "kind", "ConfigMap", "metadata", Map.of("name", "demo-config"))),
                        TARGET,
                        "push-1",
                        NOW,
                        12));
        EXAMPLES.put(
                EventType.RENDER_FAILED,
                new RenderFailed(
                        "demo",
                        "https://git.example.com/shop/deploy",
                        "refs/heads/main",
                        SHA_B,
                        "ManifestInvalid",
                        "apps/demo/bad.yaml: document 1 has no kind",
                        "push-1",
                        NOW));
        EXAMPLES.put(
                EventType.APPLICATION_REMOVED,
                new ApplicationRemoved(
                        "demo", "https://git.example.com/shop/deploy", TARGET, "catalog/demo.yaml", NOW));
        SyncReport report = new SyncReport(
                "demo",
                SHA_B,
                "sha256:" + "0".repeat(64),
                SyncReport.SUCCEEDED,
                null,
                null,
                List.of(new SyncReport.ResourceResult(
                        "v1", "ConfigMap", "demo", "demo-config", "configured", null, null)),
                "render-1",
                NOW,
                NOW.plusMillis(40));
        EXAMPLES.put(EventType.SYNC_SUCCEEDED, report);
        EXAMPLES.put(
                EventType.SYNC_FAILED,
                new SyncReport(
                        "demo",
                        SHA_B,
                        null,
                        SyncReport.FAILED,
                        "ApplyInvalid",
                        "1 of 2 objects failed",
                        List.of(new SyncReport.ResourceResult(
                                "apps/v1", "Deployment", "demo", "web", "failed", "ApplyInvalid", "spec.replicas")),
                        "render-1",
                        NOW,
                        NOW));
        EXAMPLES.put(
                EventType.DRIFT_DETECTED, new DriftDetected("demo", SHA_B, List.of("ConfigMap/demo/demo-config"), NOW));
        EXAMPLES.put(EventType.HEALTH_CHANGED, new HealthChanged("demo", SHA_B, "Progressing", "Healthy", NOW));
        EXAMPLES.put(EventType.COMMAND_RESYNC, new ResyncRequested("demo", "alice", "cache looked stale", NOW));
        EXAMPLES.put(
                EventType.AUDIT_CHECKPOINT,
                new ChainCheckpoint(NOW, java.util.List.of(new ChainCheckpoint.Head("demo", 42, "a".repeat(64)))));
        EXAMPLES.put(EventType.COMMAND_ROLLBACK, new RollbackRequested("demo", SHA_A, "alice", "bad release", NOW));
        EXAMPLES.put(
                EventType.DEAD_LETTER,
                new DeadLetter(
                        "render-service",
                        Topics.COMMITS,
                        "https://git.example.com/shop/deploy",
                        "id-1",
                        "dev.driftless.commit.pushed.v1",
                        EventMalformedException.REASON,
                        "not JSON",
                        "{",
                        NOW));
    }

    private EventExamples() {}
}
