package dev.driftless.sync.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.devstack.kube.ControlPlaneTestResource;
import dev.driftless.events.DriftDetected;
import dev.driftless.events.EventCodec;
import dev.driftless.events.EventType;
import dev.driftless.events.IgnoreDifference;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Target;
import dev.driftless.events.Topics;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code spec.ignoreDifferences} on the real control plane: replicas an autoscaler owns (a field manager of its own,
 * as the horizontal pod autoscaler's scale writes are) and a ConfigMap key named by JSON pointer are not drift, are not
 * healed back, and are not overwritten by the next sync, while everything else of the application still is.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(ControlPlaneTestResource.class)
class IgnoreDifferencesIT {

    static final Duration WAIT = Duration.ofSeconds(30);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.cluster.admin-kubeconfig", defaultValue = "unset: only with the control plane")
    Path adminKubeconfig;

    KubernetesClient cluster;
    EventProbe probe;
    String app;

    @BeforeEach
    void setUp() throws java.io.IOException {
        probe = new EventProbe(bootstrap);
        app = "ignore-" + UUID.randomUUID().toString().substring(0, 8);
        cluster = dev.driftless.devstack.kube.ControlPlaneTestResource.client(adminKubeconfig);
    }

    @AfterEach
    void tearDown() {
        probe.close();
        cluster.close();
    }

    static Map<String, Object> configMap(String name, Map<String, String> data) {
        return Map.of("apiVersion", "v1", "kind", "ConfigMap", "metadata", Map.of("name", name), "data", data);
    }

    static final Map<String, Object> DEPLOYMENT = Map.of(
            "apiVersion",
            "apps/v1",
            "kind",
            "Deployment",
            "metadata",
            Map.of("name", "web"),
            "spec",
            Map.of(
                    "replicas",
                    2,
                    "selector",
                    Map.of("matchLabels", Map.of("app", "web")),
                    "template",
                    Map.of(
                            "metadata",
                            Map.of("labels", Map.of("app", "web")),
                            "spec",
                            Map.of("containers", List.of(Map.of("name", "web", "image", "nginx:1.27"))))));

    static final List<Map<String, Object>> GIT = List.of(
            DEPLOYMENT,
            configMap("settings", Map.of("message", "hello", "tuned", "from-git")),
            configMap("other", Map.of("x", "1")));

    List<DriftDetected> drifts() {
        return probe
                .readToEnd(
                        Topics.SYNCS,
                        r -> app.equals(r.key())
                                && EventType.DRIFT_DETECTED.type().equals(r.ce("type")))
                .stream()
                .map(r -> EventCodec.decode(DriftDetected.class, r.value()))
                .toList();
    }

    Object replicas() {
        return cluster.apps()
                .deployments()
                .inNamespace(app)
                .withName("web")
                .get()
                .getSpec()
                .getReplicas();
    }

    Map<String, String> settings() {
        return cluster.configMaps().inNamespace(app).withName("settings").get().getData();
    }

    @Test
    void fieldsLeftToOthersAreNeitherDriftNorHealedNorOverwritten() {
        Target target = new Target(
                "default",
                app,
                true,
                true,
                false,
                true,
                null,
                null,
                null,
                null,
                null,
                List.of(
                        new IgnoreDifference("apps", "Deployment", null, null, List.of(), List.of("autoscaler")),
                        new IgnoreDifference(
                                "apps",
                                "Deployment",
                                "web",
                                null,
                                List.of(),
                                List.of(),
                                List.of("$.spec.template.spec.containers[*].image")),
                        new IgnoreDifference("", "ConfigMap", "settings", null, List.of("/data/tuned"), List.of())));
        SyncReport first = RenderDriver.syncThrough(probe, app, GIT, target, WAIT);
        assertThat(first.status()).as(first.message()).isEqualTo("Succeeded");
        assertThat(replicas()).isEqualTo(2);

        // an autoscaler scales the Deployment, someone tunes the ConfigMap by hand
        GenericKubernetesResource scale = new GenericKubernetesResource();
        scale.setApiVersion("apps/v1");
        scale.setKind("Deployment");
        scale.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName("web")
                .withNamespace(app)
                .build());
        scale.setAdditionalProperty("spec", Map.of("replicas", 5));
        cluster.resource(scale).fieldManager("autoscaler").forceConflicts().serverSideApply();
        cluster.configMaps().inNamespace(app).withName("settings").edit(cm -> {
            cm.getData().put("tuned", "by-hand");
            return cm;
        });
        // the deployment controller writes the Deployment's status meanwhile: an edit that meets its write (409) is
        // made again on the newer version
        await().atMost(WAIT)
                .ignoreException(io.fabric8.kubernetes.client.KubernetesClientException.class)
                .untilAsserted(() -> cluster.apps()
                        .deployments()
                        .inNamespace(app)
                        .withName("web")
                        .edit(d -> {
                            d.getSpec()
                                    .getTemplate()
                                    .getSpec()
                                    .getContainers()
                                    .get(0)
                                    .setImage("nginx:1.28-patched");
                            return d;
                        }));
        // then something that is drift: the watch compares the whole application and heals what it finds
        cluster.configMaps().inNamespace(app).withName("other").edit(cm -> {
            cm.getData().put("x", "2");
            return cm;
        });

        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.configMaps()
                        .inNamespace(app)
                        .withName("other")
                        .get()
                        .getData())
                .containsEntry("x", "1"));
        assertThat(drifts()).isNotEmpty().allSatisfy(drift -> assertThat(drift.resources())
                .containsExactly("ConfigMap/" + app + "/other"));
        assertThat(replicas())
                .as("the autoscaler's replicas are not healed back")
                .isEqualTo(5);
        assertThat(settings()).containsEntry("tuned", "by-hand");

        SyncReport again = RenderDriver.syncThrough(probe, app, GIT, target, WAIT);
        assertThat(again.status()).as(again.message()).isEqualTo("Succeeded");
        assertThat(replicas()).as("nor overwritten by the next sync").isEqualTo(5);
        assertThat(cluster.apps()
                        .deployments()
                        .inNamespace(app)
                        .withName("web")
                        .get()
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .as("an image named by JSONPath")
                .isEqualTo("nginx:1.28-patched");
        assertThat(settings()).containsEntry("tuned", "by-hand").containsEntry("message", "hello");
    }
}
