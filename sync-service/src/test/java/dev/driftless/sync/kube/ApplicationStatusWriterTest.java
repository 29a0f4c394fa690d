package dev.driftless.sync.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.events.HealthChanged;
import dev.driftless.events.SyncReport;
import dev.driftless.sync.SyncConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * What {@link ApplicationStatusWriter} writes when an application's resource is declared while a write that finds
 * none is under way. The two cannot be made to meet on demand with a real API server (a status PATCH answers within
 * milliseconds), so the cluster here is a stand-in whose status write declares the application while it runs; the
 * writes themselves are checked against the real API server by {@code ApplicationResourceIT}.
 */
class ApplicationStatusWriterTest {

    private final List<String> written = new CopyOnWriteArrayList<>();

    @Test
    void anApplicationDeclaredWhileAWriteFoundNoResourceIsLookedForAgainAtTheNextWrite() {
        ApplicationStatusWriter writer = writer();
        AtomicBoolean declareDuringTheWrite = new AtomicBoolean(true);
        writer.clusters = clusters(writer.config, (namespace, name) -> {
            if (declareDuringTheWrite.getAndSet(false)) {
                // the render that declares it arrives while this write finds nothing there yet
                writer.declaredIn("shop", "driftless-system");
                return false;
            }
            return true;
        });

        writer.synced(report());
        writtenThrough(writer, "probe");
        writer.health(new HealthChanged("shop", "c1", "Progressing", "Healthy", Instant.now()));

        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(written)
                .containsExactly("driftless-system/shop", "driftless-system/probe", "driftless-system/shop"));
    }

    @Test
    void anApplicationFoundWithoutAResourceIsNotLookedForAgainWhileNothingDeclaresIt() {
        ApplicationStatusWriter writer = writer();
        writer.clusters = clusters(writer.config, (namespace, name) -> false);

        writer.synced(report());
        writtenThrough(writer, "probe");
        writer.health(new HealthChanged("shop", "c1", "Progressing", "Healthy", Instant.now()));
        // a write asked for after it shows it was given up, not still waiting
        writtenThrough(writer, "other");

        assertThat(written)
                .containsExactly("driftless-system/shop", "driftless-system/probe", "driftless-system/other");
    }

    /**
     * Writes the health of another application and waits until it is written: every write asked for before it is
     * done by then (one thread writes them, in turn), what it decided included.
     */
    private void writtenThrough(ApplicationStatusWriter writer, String application) {
        writer.health(new HealthChanged(application, "c1", "Progressing", "Healthy", Instant.now()));
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> written.contains("driftless-system/" + application));
    }

    /** A status write of the stand-in cluster: whether the resource was there. */
    private interface StatusWrite {
        boolean found(String namespace, String name);
    }

    private ApplicationStatusWriter writer() {
        ApplicationStatusWriter writer = new ApplicationStatusWriter();
        writer.config = new SmallRyeConfigBuilder()
                .withMapping(SyncConfig.class)
                .withConverter(Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .build()
                .getConfigMapping(SyncConfig.class);
        return writer;
    }

    private Clusters clusters(SyncConfig config, StatusWrite write) {
        Cluster cluster = new Cluster(Clusters.DEFAULT, null, config) {
            @Override
            public boolean patchApplicationStatus(String namespace, String name, Map<String, Object> status) {
                written.add(namespace + "/" + name);
                return write.found(namespace, name);
            }
        };
        return new Clusters() {
            @Override
            public Cluster named(String name) {
                return cluster;
            }
        };
    }

    private static SyncReport report() {
        Instant now = Instant.now();
        return new SyncReport("shop", "c1", "d1", SyncReport.SUCCEEDED, null, null, List.of(), "render-1", now, now);
    }
}
