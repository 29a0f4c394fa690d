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
                    "driftless.render.cluster-catalog.kubeconfig", "${test.cluster.render-kubeconfig}",
                    "driftless.render.cluster-catalog.application-namespaces", TEAM_NAMESPACE);
        }
    }

    static final Duration WAIT = Duration.ofSeconds(60);

    /** A team's namespace whose Application resources render-service reads (tenant/'s applications.yaml binds it). */
    static final String TEAM_NAMESPACE = "crd-team-apps";

    @jakarta.inject.Inject
    dev.driftless.render.catalog.CatalogDirectory catalog;

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
        cluster = dev.driftless.devstack.kube.ControlPlaneTestResource.client(adminKubeconfig);
    }

    @AfterEach
    void tearDown() {
        probe.close();
        repo.close();
        cluster.close();
    }

    GenericKubernetesResource application(String path) {
        return application(path, "driftless-system", "default");
    }

    GenericKubernetesResource application(String path, String namespace, String project) {
        GenericKubernetesResource resource = new GenericKubernetesResource();
        resource.setApiVersion("driftless.dev/v1alpha1");
        resource.setKind("Application");
        resource.setMetadata(
                new ObjectMetaBuilder().withName(app).withNamespace(namespace).build());
        resource.setAdditionalProperty(
                "spec",
                Map.of(
                        "project",
                        project,
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

    @Test
    void anApplicationInATeamsNamespaceIsRenderedOnlyOnceItsProjectAllowsThatNamespace() {
        RevCommit first = repo.commitAndPush(
                "one directory", Map.of("apps/a/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"));
        String project = app + "-team";
        // as deploy/kubernetes/tenant/ onboards a team: its namespace, and render-service may read Applications there
        cluster.namespaces()
                .resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                        .withNewMetadata()
                        .withName(TEAM_NAMESPACE)
                        .endMetadata()
                        .build())
                .createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
        cluster.rbac()
                .roleBindings()
                .inNamespace(TEAM_NAMESPACE)
                .resource(new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder()
                        .withNewMetadata()
                        .withName("driftless-application-reader")
                        .endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "driftless-application-reader")
                        .addNewSubject()
                        .withKind("ServiceAccount")
                        .withName("render-service")
                        .withNamespace("driftless-system")
                        .endSubject()
                        .build())
                .createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
        GenericKubernetesResource declared = new GenericKubernetesResource();
        declared.setApiVersion("driftless.dev/v1alpha1");
        declared.setKind("Project");
        declared.setMetadata(new ObjectMetaBuilder()
                .withName(project)
                .withNamespace("driftless-system")
                .build());
        declared.setAdditionalProperty(
                "spec", Map.of("sourceRepos", List.of("*"), "destinations", List.of(Map.of("namespace", app))));
        cluster.resource(declared).create();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> cluster.resource(
                        application("apps/a", TEAM_NAMESPACE, project))
                .create());

        // read, and refused by name: the project does not list the team's namespace
        await().atMost(WAIT).untilAsserted(() -> assertThat(catalog.errors())
                .contains("cluster/" + TEAM_NAMESPACE + "/Application/" + app + ": metadata.namespace: project "
                        + project + " does not allow Application resources in namespace " + TEAM_NAMESPACE
                        + " (see its spec.sourceNamespaces)"));

        declared.setAdditionalProperty(
                "spec",
                Map.of(
                        "sourceRepos",
                        List.of("*"),
                        "destinations",
                        List.of(Map.of("namespace", app)),
                        "sourceNamespaces",
                        List.of("crd-team-*")));
        cluster.resource(declared).update();

        // named namespace first in Driftless: never the name of an application declared elsewhere
        app = TEAM_NAMESPACE + "." + app;
        RenderSucceeded render = rendered(first, 1);
        assertThat(render.application()).isEqualTo(app);
        assertThat(render.declaredIn()).isEqualTo(TEAM_NAMESPACE);
        assertThat(render.manifests()).singleElement().satisfies(m -> assertThat(m.toString())
                .contains("name=a"));
    }
}
