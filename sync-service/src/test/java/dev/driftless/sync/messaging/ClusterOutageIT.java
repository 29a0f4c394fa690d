package dev.driftless.sync.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.driftless.devstack.faults.TcpProxy;
import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.devstack.kube.ControlPlaneTestResource;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Target;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * sync-service when the Kubernetes API server goes away and comes back: readiness goes down (so a load balancer and
 * Kubernetes stop counting on it) and up again, and a render after it is applied. The API server is the real one;
 * a {@link TcpProxy} in front of it takes it away for this service alone (the control plane is shared by every test
 * class of the JVM), which is the one thing here that is not the real part.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = ClusterOutageIT.ApiServerBehindProxy.class, restrictToAnnotatedClass = true)
class ClusterOutageIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    /** Set by {@link ApiServerBehindProxy}. */
    TcpProxy apiServer;

    @Test
    void withoutTheApiServerSyncServiceIsNotReadyAndOnceItIsBackARenderIsApplied() {
        given().get("/q/health/ready").then().statusCode(200);

        apiServer.cut();
        try {
            await().atMost(WAIT)
                    .alias("readiness down without the API server")
                    .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503));
        } finally {
            apiServer.restore();
        }
        await().atMost(WAIT)
                .alias("readiness up with the API server back")
                .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));

        String app = "outage-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> configMap = Map.of(
                "apiVersion",
                "v1",
                "kind",
                "ConfigMap",
                "metadata",
                Map.of("name", "after-outage"),
                "data",
                Map.of("a", "b"));
        try (EventProbe probe = new EventProbe(bootstrap)) {
            SyncReport report = RenderDriver.syncThrough(
                    probe, app, List.of(configMap), new Target("default", app, true, true, false, true), WAIT);
            assertThat(report.status()).isEqualTo("Succeeded");
        }
    }

    /** {@link ControlPlaneTestResource}'s API server, reached through a {@link TcpProxy} the test can cut. */
    public static class ApiServerBehindProxy extends ControlPlaneTestResource {

        private TcpProxy proxy;

        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>(super.start());
            URI real = URI.create(config.get("quarkus.kubernetes-client.api-server-url"));
            proxy = TcpProxy.to(real.getHost(), real.getPort());
            // the serving certificate names 127.0.0.1, whatever the port
            config.put("quarkus.kubernetes-client.api-server-url", "https://127.0.0.1:" + proxy.port());
            return config;
        }

        @Override
        public void inject(TestInjector injector) {
            injector.injectIntoFields(proxy, new TestInjector.MatchesType(TcpProxy.class));
        }

        @Override
        public void stop() {
            proxy.close();
            super.stop();
        }
    }
}
