package dev.driftless.devstack.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real control plane that sync tests, the end-to-end test and {@code ./driftless up} use: the real controllers do
 * what controllers do (a Deployment's ReplicaSet and Pods, rollout status, Job completion, namespace finalisation),
 * the simulated kubelet only what a kubelet would, RBAC is enforced, and a part that cannot start is named.
 */
class ControlPlaneIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void controllersRollOutADeploymentRunAJobAndFinaliseANamespace() {
        ControlPlane plane = ControlPlaneTestResource.controlPlane();
        String ns = "cp-" + UUID.randomUUID().toString().substring(0, 8);
        try (KubernetesClient admin = plane.adminClient()) {
            assertThat(admin.getKubernetesVersion().getGitVersion()).startsWith("v1.");
            admin.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(ns)
                            .endMetadata()
                            .build())
                    .create();
            Deployment web = new DeploymentBuilder()
                    .withNewMetadata()
                    .withName("web")
                    .endMetadata()
                    .withNewSpec()
                    .withReplicas(2)
                    .withNewSelector()
                    .addToMatchLabels("app", "web")
                    .endSelector()
                    .withNewTemplate()
                    .withNewMetadata()
                    .addToLabels("app", "web")
                    .endMetadata()
                    .withNewSpec()
                    .addNewContainer()
                    .withName("web")
                    .withImage("nginx:1.27")
                    .endContainer()
                    .endSpec()
                    .endTemplate()
                    .endSpec()
                    .build();
            admin.apps().deployments().inNamespace(ns).resource(web).create();
            Job job = new JobBuilder()
                    .withNewMetadata()
                    .withName("migrate")
                    .endMetadata()
                    .withNewSpec()
                    .withNewTemplate()
                    .withNewSpec()
                    .withRestartPolicy("Never")
                    .addNewContainer()
                    .withName("migrate")
                    .withImage("busybox")
                    .endContainer()
                    .endSpec()
                    .endTemplate()
                    .endSpec()
                    .build();
            admin.batch().v1().jobs().inNamespace(ns).resource(job).create();

            await().atMost(WAIT).untilAsserted(() -> {
                Deployment live = admin.apps()
                        .deployments()
                        .inNamespace(ns)
                        .withName("web")
                        .get();
                assertThat(live.getStatus().getAvailableReplicas()).isEqualTo(2);
                assertThat(admin.apps().replicaSets().inNamespace(ns).list().getItems())
                        .as("made by the real deployment controller")
                        .hasSize(1);
                assertThat(admin.pods()
                                .inNamespace(ns)
                                .withLabel("app", "web")
                                .list()
                                .getItems())
                        .hasSize(2)
                        .allSatisfy(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Running"));
            });
            await().atMost(WAIT).untilAsserted(() -> assertThat(admin.batch()
                            .v1()
                            .jobs()
                            .inNamespace(ns)
                            .withName("migrate")
                            .get()
                            .getStatus()
                            .getConditions())
                    .anySatisfy(c -> {
                        assertThat(c.getType()).isEqualTo("Complete");
                        assertThat(c.getStatus()).isEqualTo("True");
                    }));

            admin.namespaces().withName(ns).delete();
            await().atMost(WAIT).untilAsserted(() -> assertThat(
                            admin.namespaces().withName(ns).get())
                    .as("finalised by the namespace controller")
                    .isNull());
        }
    }

    @Test
    void syncServicesIdentityCanDoOnlyWhatRbacGrants() {
        ControlPlane plane = ControlPlaneTestResource.controlPlane();
        try (KubernetesClient sync = new KubernetesClientBuilder()
                .withConfig(plane.syncServiceConfig())
                .build()) {
            // deploy/'s sync-service RBAC, applied by the test resource, lets it read ConfigMaps everywhere…
            assertThat(sync.configMaps().inNamespace("kube-system").list().getItems())
                    .isNotNull();
            // …and nothing it does not grant
            assertThatThrownBy(() -> sync.rbac()
                            .clusterRoleBindings()
                            .resource(new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder()
                                    .withNewMetadata()
                                    .withName("escalate-" + UUID.randomUUID())
                                    .endMetadata()
                                    .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "cluster-admin")
                                    .addNewSubject()
                                    .withKind("User")
                                    .withName("mallory")
                                    .endSubject()
                                    .build())
                            .create())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode())
                            .isEqualTo(403));
        }
    }

    @Test
    void kubectlBuiltBesideItReportsTheServerVersion(@TempDir Path dir) throws Exception {
        ControlPlane plane = ControlPlaneTestResource.controlPlane();
        Path kubeconfig = plane.writeAdminKubeconfig(dir.resolve("kubeconfig"));
        Process kubectl = new ProcessBuilder(
                        ControlPlaneBinaries.resolve().resolve("kubectl").toString(),
                        "--kubeconfig",
                        kubeconfig.toString(),
                        "version",
                        "-o",
                        "json")
                .redirectErrorStream(true)
                .start();
        String out = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kubectl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(kubectl.exitValue()).as(out).isZero();
        assertThat(out).contains("\"serverVersion\"").contains("\"gitVersion\": \"" + plane.version() + "\"");
    }

    @Test
    void anApiServerPortInUseIsNamedWithItsLogAndNothingIsLeftRunning(@TempDir Path dir) throws Exception {
        ControlPlaneBinaries.resolve();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> ControlPlane.start(dir, taken.getLocalPort(), new PrintStream(progress)))
                    .hasMessageContaining("kube-apiserver exited")
                    .hasMessageContaining(dir.resolve("logs/kube-apiserver.log").toString());
        }
        // etcd, started first, was stopped again
        ProcessHandle.current()
                .descendants()
                .forEach(p -> assertThat(p.info().commandLine().orElse("")).doesNotContain(dir.toString()));
        assertThat(Files.exists(dir.resolve("etcd")))
                .as("its data stayed in the state directory")
                .isTrue();
    }
}
