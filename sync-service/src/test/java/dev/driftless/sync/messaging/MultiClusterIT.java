package dev.driftless.sync.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.devstack.kube.ControlPlane;
import dev.driftless.devstack.kube.ControlPlaneTestResource;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Target;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Named target clusters: an application whose {@code destination.cluster} is {@code staging} is applied to the
 * cluster of {@code driftless.sync.clusters.staging.kubeconfig} (a second real control plane, reached over TLS with a
 * token from a kubeconfig file), not to the default one (the shared real control plane); an unknown name fails the
 * sync with {@code ClusterUnknown}.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = ControlPlaneTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = MultiClusterIT.StagingCluster.class, restrictToAnnotatedClass = true)
class MultiClusterIT {

    static final Duration WAIT = Duration.ofSeconds(30);

    /** A second real control plane, reached through a kubeconfig file as a second cluster would be. */
    public static class StagingCluster implements QuarkusTestResourceLifecycleManager {
        private ControlPlane staging;

        @Override
        public Map<String, String> start() {
            try {
                Path state = Files.createTempDirectory("staging");
                staging = ControlPlane.start(state, 0, System.out);
                // the deployer sync-service impersonates must exist on every cluster it deploys to
                Path root = dev.driftless.devstack.kube.ControlPlaneBinaries.repositoryRoot();
                staging.grantSyncServiceRbac(
                        root.resolve("deploy/kubernetes/base/sync-service-rbac.yaml"),
                        root.resolve("deploy/kubernetes/local/deployer.yaml"));
                Path kubeconfig = staging.writeAdminKubeconfig(state.resolve("staging.kubeconfig"));
                return Map.of(
                        "driftless.sync.clusters.staging.kubeconfig", kubeconfig.toString(),
                        "test.staging.kubeconfig", kubeconfig.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void stop() {
            if (staging != null) {
                staging.close();
            }
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(
            name = "test.staging.kubeconfig",
            defaultValue = "unset: only MultiClusterIT starts a staging cluster")
    Path stagingKubeconfig;

    @ConfigProperty(name = "test.cluster.admin-kubeconfig", defaultValue = "unset: only with the control plane")
    Path defaultKubeconfig;

    @Test
    void anApplicationIsAppliedToTheClusterItsDestinationNames() throws IOException {
        String app = "multi-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> configMap = Map.of(
                "apiVersion",
                "v1",
                "kind",
                "ConfigMap",
                "metadata",
                Map.of("name", "where"),
                "data",
                Map.of("at", "staging"));
        try (EventProbe probe = new EventProbe(bootstrap);
                KubernetesClient staging =
                        dev.driftless.devstack.kube.ControlPlaneTestResource.client(stagingKubeconfig);
                KubernetesClient defaultCluster =
                        dev.driftless.devstack.kube.ControlPlaneTestResource.client(defaultKubeconfig)) {
            SyncReport report = RenderDriver.syncThrough(
                    probe, app, List.of(configMap), new Target("staging", app, true, true, false, true), WAIT);

            assertThat(report.status()).isEqualTo("Succeeded");
            assertThat(staging.configMaps().inNamespace(app).withName("where").get())
                    .as("applied to staging")
                    .isNotNull();
            assertThat(defaultCluster
                            .configMaps()
                            .inNamespace(app)
                            .withName("where")
                            .get())
                    .as("not to the default cluster")
                    .isNull();

            SyncReport unknown = RenderDriver.syncThrough(
                    probe, app + "-x", List.of(configMap), new Target("nowhere", app, true, true, false, true), WAIT);
            assertThat(unknown.status()).isEqualTo("Failed");
            assertThat(unknown.reason()).isEqualTo("ClusterUnknown");
            assertThat(unknown.message()).contains("driftless.sync.clusters.nowhere");
        }
    }
}
