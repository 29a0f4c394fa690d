package dev.driftless.audit.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.events.EventType;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommitTraceTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String SHA = "c".repeat(40);

    static StoredEvent event(long seq, EventType type, String app, String json) throws Exception {
        return new StoredEvent(
                seq,
                "id" + seq,
                type.type(),
                app,
                "https://h/r",
                SHA,
                Instant.now(),
                Instant.now(),
                JSON.readTree(json),
                null,
                null,
                null,
                false,
                null,
                "t",
                null);
    }

    @Test
    void aFailedRenderIsFailedAndItsSyncNeverRan() throws Exception {
        CommitTrace trace = CommitTrace.of(List.of(event(
                1,
                EventType.RENDER_FAILED,
                "a",
                "{\"reason\":\"ManifestInvalid\",\"message\":\"x.yaml: kind is missing\"}")));

        assertThat(trace.applications()).singleElement().satisfies(a -> {
            assertThat(a.render().status()).isEqualTo("Failed");
            assertThat(a.render().reason()).isEqualTo("ManifestInvalid");
            assertThat(a.sync().status()).isEqualTo("Failed");
            assertThat(a.sync().reason()).isEqualTo("RenderFailed");
        });
    }

    @Test
    void theLatestRenderAndSyncOfEachApplicationCountAndLeadTimeRunsFromTheFirstDelivery() throws Exception {
        CommitTrace trace = CommitTrace.of(
                List.of(
                        event(
                                1,
                                EventType.COMMIT_PUSHED,
                                null,
                                "{\"provider\":\"github\",\"deliveryId\":\"d\",\"receivedAt\":\"2026-01-01T00:00:00Z\",\"pusher\":\"p\"}"),
                        event(2, EventType.RENDER_SUCCEEDED, "b", "{\"digest\":\"sha256:x\",\"durationMs\":4}"),
                        event(3, EventType.RENDER_SUCCEEDED, "a", "{}"),
                        event(
                                4,
                                EventType.SYNC_FAILED,
                                "a",
                                "{\"status\":\"Failed\",\"reason\":\"ClusterUnreachable\"}"),
                        event(
                                5,
                                EventType.SYNC_SUCCEEDED,
                                "a",
                                "{\"status\":\"Succeeded\",\"finishedAt\":\"2026-01-01T00:00:00.250Z\",\"resources\":[{\"kind\":\"ConfigMap\",\"name\":\"c\",\"action\":\"created\"}]}")));

        assertThat(trace.commit()).isEqualTo(SHA);
        assertThat(trace.deliveries()).extracting(CommitTrace.Delivery::pusher).containsExactly("p");
        assertThat(trace.applications())
                .extracting(CommitTrace.ApplicationTrace::name)
                .containsExactly("a", "b");
        assertThat(trace.applications().get(0).sync().status()).isEqualTo("Succeeded");
        assertThat(trace.applications().get(0).leadTimeMs()).isEqualTo(250);
        assertThat(trace.applications().get(1).sync().status()).isEqualTo("Pending");
    }

    @Test
    void changedPathsPrunedObjectsDurationAndTimeToHealthy() throws Exception {
        CommitTrace trace = CommitTrace.of(List.of(
                event(
                        1,
                        EventType.COMMIT_PUSHED,
                        null,
                        "{\"receivedAt\":\"2026-01-01T00:00:00Z\",\"changedPaths\":[\"apps/a/cm.yaml\",\"apps/b/x.yaml\"]}"),
                event(2, EventType.RENDER_SUCCEEDED, "a", "{\"path\":\"apps/a\"}"),
                event(
                        3,
                        EventType.SYNC_SUCCEEDED,
                        "a",
                        "{\"status\":\"Succeeded\",\"startedAt\":\"2026-01-01T00:00:00.100Z\","
                                + "\"finishedAt\":\"2026-01-01T00:00:00.300Z\",\"resources\":["
                                + "{\"kind\":\"Service\",\"name\":\"old\",\"action\":\"pruned\"},"
                                + "{\"kind\":\"ConfigMap\",\"name\":\"c\",\"action\":\"configured\"}]}"),
                event(
                        4,
                        EventType.HEALTH_CHANGED,
                        "a",
                        "{\"current\":\"Healthy\",\"changedAt\":\"2026-01-01T00:00:02Z\"}")));

        CommitTrace.ApplicationTrace a = trace.applications().get(0);
        assertThat(a.render().changedPaths()).containsExactly("apps/a/cm.yaml");
        assertThat(a.sync().durationMs()).isEqualTo(200);
        assertThat(a.sync().pruned()).extracting(CommitTrace.Resource::name).containsExactly("old");
        assertThat(a.sync().health()).isEqualTo("Healthy");
        assertThat(a.leadTimeMs()).isEqualTo(300);
        assertThat(a.leadTimeToHealthyMs()).isEqualTo(2000);
    }

    @Test
    void noEventsNoTrace() {
        assertThat(CommitTrace.of(List.of()).commit()).isNull();
    }
}
