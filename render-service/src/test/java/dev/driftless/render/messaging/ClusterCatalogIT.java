package dev.driftless.render.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.driftless.devstack.git.GitFixture;
import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.devstack.kube.ControlPlaneTestResource;
import dev.driftless.events.EventCodec;
import dev.driftless.events.EventType;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.Topics;
import dev.driftless.render.GitAndCatalog;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog read from the cluster: an Application resource in driftless-system (deploy/'s CRD, on the real control
 * plane, read as render-service's own ServiceAccount with deploy/'s RBAC) is rendered like a catalog file, and its
 * change is rendered again.
 */
@QuarkusTest
@TestProfile(ClusterCatalogIT.FromTheCluster.class)
@WithTestResource(KafkaTestResource.class)
@WithTestResource(GitAndCatalog.class)
@WithTestResource(ControlPlaneTestResource.class)
class ClusterCatalogIT {

    /** The catalog read from the cluster too, as render-service. */
    public static class FromTheCluster implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "driftless.render.cluster-catalog.enabled", "true",
                    "driftless.render.cluster-catalog.kubeconfig", "${test.cluster.render-kubeconfig}");
        }
    }

    static final Duration WAIT = Duration.ofSeconds(60);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.git.base-url")
    String gitBase;

    @ConfigProperty(name = "test.cluster.admin-kubeconfig")
    Path adminKubeconfig;

    @TempDir
    Path work;

    EventProbe probe;
    KubernetesClient cluster;
    GitFixture repo;
    String app;
    String repoUrl;

    @BeforeEach
    void setUp() throws Exception {
        probe = new EventProbe(bootstrap);
        app = "crd-" + UUID.randomUUID().toString().substring(0, 6);
        repoUrl = gitBase + "/" + app + "-repo.git";
        repo = GitFixture.create(work.resolve("repo"), repoUrl);
        cluster = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(Files.readString(adminKubeconfig)))
                .build();
    }

    @AfterEach
    void tearDown() {
        probe.close();
        repo.close();
        cluster.close();
    }

    GenericKubernetesResource application(String path) {
        GenericKubernetesResource resource = new GenericKubernetesResource();
        resource.setApiVersion("driftless.dev/v1alpha1");
        resource.setKind("Application");
        resource.setMetadata(new ObjectMetaBuilder()
                .withName(app)
                .withNamespace("driftless-system")
                .build());
        resource.setAdditionalProperty(
                "spec",
                Map.of(
                        "source",
                        Map.of("repoURL", repoUrl, "targetRevision", "main", "path", path),
                        "destination",
                        Map.of("namespace", app)));
        return resource;
    }

    RenderSucceeded rendered(RevCommit commit, int count) {
        List<EventProbe.Received> found = probe.read(
                Topics.RENDERS, r -> app.equals(r.key()) && commit.name().equals(r.ce("commit")), count, WAIT);
        assertThat(found).hasSize(count);
        EventProbe.Received last = found.get(count - 1);
        assertThat(last.ce("type")).as(last.value()).isEqualTo(EventType.RENDER_SUCCEEDED.type());
        return EventCodec.decode(RenderSucceeded.class, last.value());
    }

    @Test
    void anApplicationResourceIsRenderedLikeACatalogFileAndItsChangeAgain() {
        RevCommit first = repo.commitAndPush(
                "two directories",
                Map.of(
                        "apps/a/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
                        "apps/b/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"));
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> cluster.resource(application("apps/a"))
                .create());

        assertThat(rendered(first, 1).manifests()).singleElement().satisfies(m -> assertThat(m.toString())
                .contains("name=a"));

        cluster.resource(application("apps/b")).update();
        assertThat(rendered(first, 2).manifests()).singleElement().satisfies(m -> assertThat(m.toString())
                .contains("name=b"));
    }
}
