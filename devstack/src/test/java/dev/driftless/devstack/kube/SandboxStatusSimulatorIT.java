package dev.driftless.devstack.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sandbox's status simulator: objects applied through server-side apply get the status the controllers of a real
 * cluster would write, after the delay, and the {@code sandbox.driftless.dev/simulate} annotation keeps one
 * progressing or makes it fail; reads, watches and informers with label selectors see it.
 */
class SandboxStatusSimulatorIT {

    static final Duration WAIT = Duration.ofSeconds(5);
    static final String APP_LABEL = "driftless.dev/application";

    SandboxKubernetes sandbox;
    KubernetesClient client;

    @BeforeEach
    void start() {
        sandbox = SandboxKubernetes.start(0, Duration.ofMillis(200));
        client = sandbox.client();
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("demo")
                        .endMetadata()
                        .build())
                .create();
    }

    @AfterEach
    void stop() {
        client.close();
        sandbox.close();
    }

    <T extends HasMetadata> T apply(T object) {
        return client.resource(object)
                .fieldManager("driftless")
                .forceConflicts()
                .serverSideApply();
    }

    static PodSpec podSpec(String image) {
        return new PodSpecBuilder()
                .addNewContainer()
                .withName("main")
                .withImage(image)
                .endContainer()
                .withRestartPolicy("Always")
                .build();
    }

    static PodTemplateSpec template(String image) {
        return new PodTemplateSpecBuilder()
                .withNewMetadata()
                .addToLabels("app", "web")
                .endMetadata()
                .withSpec(podSpec(image))
                .build();
    }

    static Deployment deployment(String name, int replicas, String image, Map<String, String> annotations) {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("demo")
                .addToLabels(APP_LABEL, "shop")
                .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .addToMatchLabels("app", "web")
                .endSelector()
                .withTemplate(template(image))
                .endSpec()
                .build();
    }

    static Job job(String name, Map<String, String> annotations) {
        return new JobBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("demo")
                .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                .withCompletions(2)
                .withNewTemplate()
                .withSpec(new PodSpecBuilder(podSpec("busybox"))
                        .withRestartPolicy("Never")
                        .build())
                .endTemplate()
                .endSpec()
                .build();
    }

    static PersistentVolumeClaim claim(String name, Map<String, String> annotations) {
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("demo")
                .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .addToRequests("storage", new Quantity("1Gi"))
                .endResources()
                .endSpec()
                .build();
    }

    static Pod pod(String name, Map<String, String> annotations) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("demo")
                .withAnnotations(annotations)
                .endMetadata()
                .withSpec(podSpec("nginx"))
                .build();
    }

    Resource<Deployment> deployment(String name) {
        return client.apps().deployments().inNamespace("demo").withName(name);
    }

    static DeploymentCondition condition(Deployment d, String type) {
        return d.getStatus().getConditions().stream()
                .filter(c -> c.getType().equals(type))
                .findFirst()
                .orElseThrow();
    }

    static void assertRolledOut(Deployment d, int replicas) {
        assertThat(d.getStatus()).isNotNull();
        assertThat(d.getStatus().getObservedGeneration())
                .isEqualTo(d.getMetadata().getGeneration());
        assertThat(d.getStatus().getReplicas()).isEqualTo(replicas);
        assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(replicas);
        assertThat(d.getStatus().getReadyReplicas()).isEqualTo(replicas);
        assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(replicas);
        assertThat(condition(d, "Available").getStatus()).isEqualTo("True");
        assertThat(condition(d, "Progressing").getReason()).isEqualTo("NewReplicaSetAvailable");
    }

    @Test
    void anAppliedDeploymentRollsOutAndTheStatusIsNotTheApplyingManagers() {
        Deployment applied = apply(deployment("web", 3, "nginx:1", Map.of()));
        assertThat(applied.getMetadata().getGeneration()).isEqualTo(1L);

        await().atMost(WAIT)
                .ignoreExceptions()
                .untilAsserted(() -> assertRolledOut(deployment("web").get(), 3));

        Deployment stored = deployment("web").get();
        assertThat(stored.getMetadata().getManagedFields())
                .anySatisfy(f -> {
                    assertThat(f.getManager()).isEqualTo("driftless");
                    assertThat(f.getOperation()).isEqualTo("Apply");
                    assertThat(f.getFieldsV1().getAdditionalProperties()).doesNotContainKey("f:status");
                })
                .anySatisfy(f -> {
                    assertThat(f.getManager()).isEqualTo("sandbox-controller");
                    assertThat(f.getOperation()).isEqualTo("Update");
                    assertThat(f.getSubresource()).isEqualTo("status");
                });

        Deployment again = apply(deployment("web", 3, "nginx:1", Map.of()));
        assertThat(again.getMetadata().getResourceVersion())
                .isEqualTo(stored.getMetadata().getResourceVersion());
        assertRolledOut(again, 3);
    }

    @Test
    void aChangedSpecBumpsTheGenerationAndTheStatusFollows() {
        apply(deployment("web", 1, "nginx:1", Map.of()));
        await().atMost(WAIT)
                .ignoreExceptions()
                .untilAsserted(() -> assertRolledOut(deployment("web").get(), 1));

        Deployment changed = apply(deployment("web", 2, "nginx:2", Map.of()));

        assertThat(changed.getMetadata().getGeneration()).isEqualTo(2L);
        assertThat(changed.getMetadata().getManagedFields())
                .extracting(ManagedFieldsEntry::getManager)
                .containsExactlyInAnyOrder("driftless", "sandbox-controller");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            Deployment d = deployment("web").get();
            assertThat(d.getStatus().getObservedGeneration()).isEqualTo(2L);
            assertRolledOut(d, 2);
        });

        Deployment relabelled = apply(new DeploymentBuilder(deployment("web", 2, "nginx:2", Map.of()))
                .editMetadata()
                .addToLabels("tier", "front")
                .endMetadata()
                .build());
        assertThat(relabelled.getMetadata().getGeneration()).isEqualTo(2L);
        assertRolledOut(relabelled, 2);
    }

    @Test
    void aPlainUpdateKeepsTheStatusAsTheStatusSubresourceDoes() {
        apply(deployment("web", 2, "nginx:1", Map.of()));
        await().atMost(WAIT)
                .ignoreExceptions()
                .untilAsserted(() -> assertRolledOut(deployment("web").get(), 2));

        Deployment update = deployment("web").get();
        update.setStatus(null);
        update.getMetadata().getLabels().put("tier", "front");
        client.resource(update).update();

        Deployment stored = deployment("web").get();
        assertThat(stored.getMetadata().getLabels()).containsEntry("tier", "front");
        assertRolledOut(stored, 2);
    }

    @Test
    void aJobCompletes() {
        apply(job("migrate", Map.of()));

        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            Job j = client.batch()
                    .v1()
                    .jobs()
                    .inNamespace("demo")
                    .withName("migrate")
                    .get();
            assertThat(j.getStatus().getSucceeded()).isEqualTo(2);
            assertThat(j.getStatus().getCompletionTime()).isNotBlank();
            assertThat(j.getStatus().getConditions())
                    .extracting(JobCondition::getType, JobCondition::getStatus)
                    .contains(tuple("Complete", "True"));
        });
    }

    @Test
    void aClaimBinds() {
        apply(claim("data", Map.of()));

        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            PersistentVolumeClaim c = client.persistentVolumeClaims()
                    .inNamespace("demo")
                    .withName("data")
                    .get();
            assertThat(c.getStatus().getPhase()).isEqualTo("Bound");
            assertThat(c.getStatus().getCapacity()).containsEntry("storage", new Quantity("1Gi"));
        });
    }

    @Test
    void aLoadBalancerServiceGetsAnIngress() {
        apply(new ServiceBuilder()
                .withNewMetadata()
                .withName("front")
                .withNamespace("demo")
                .endMetadata()
                .withNewSpec()
                .withType("LoadBalancer")
                .addToSelector("app", "web")
                .addNewPort()
                .withPort(80)
                .endPort()
                .endSpec()
                .build());

        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            Service s = client.services().inNamespace("demo").withName("front").get();
            assertThat(s.getStatus().getLoadBalancer().getIngress())
                    .singleElement()
                    .satisfies(i -> assertThat(i.getIp()).isEqualTo("127.0.0.1"));
        });
    }

    @Test
    void otherWorkloadsBecomeReady() {
        apply(new StatefulSetBuilder()
                .withNewMetadata()
                .withName("db")
                .withNamespace("demo")
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .withServiceName("db")
                .withNewSelector()
                .addToMatchLabels("app", "web")
                .endSelector()
                .withTemplate(template("postgres"))
                .endSpec()
                .build());
        apply(new DaemonSetBuilder()
                .withNewMetadata()
                .withName("agent")
                .withNamespace("demo")
                .endMetadata()
                .withNewSpec()
                .withNewSelector()
                .addToMatchLabels("app", "web")
                .endSelector()
                .withTemplate(template("agent"))
                .endSpec()
                .build());
        apply(pod("single", Map.of()));

        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            StatefulSet s = client.apps()
                    .statefulSets()
                    .inNamespace("demo")
                    .withName("db")
                    .get();
            assertThat(s.getStatus().getObservedGeneration()).isEqualTo(1L);
            assertThat(s.getStatus().getReadyReplicas()).isEqualTo(2);
            assertThat(s.getStatus().getUpdatedReplicas()).isEqualTo(2);
            assertThat(s.getStatus().getCurrentReplicas()).isEqualTo(2);
            assertThat(s.getStatus().getUpdateRevision())
                    .isEqualTo(s.getStatus().getCurrentRevision());
            DaemonSet d = client.apps()
                    .daemonSets()
                    .inNamespace("demo")
                    .withName("agent")
                    .get();
            assertThat(d.getStatus().getObservedGeneration()).isEqualTo(1L);
            assertThat(d.getStatus().getNumberAvailable())
                    .isEqualTo(d.getStatus().getDesiredNumberScheduled());
            Pod p = client.pods().inNamespace("demo").withName("single").get();
            assertThat(p.getStatus().getPhase()).isEqualTo("Running");
            assertThat(p.getStatus().getConditions()).anySatisfy(c -> assertThat(c.getType() + "=" + c.getStatus())
                    .isEqualTo("Ready=True"));
        });
    }

    @Test
    void aDeploymentAnnotatedProgressingStaysProgressing() {
        apply(deployment("slow", 2, "nginx:1", Map.of("sandbox.driftless.dev/simulate", "progressing")));
        await().atMost(WAIT)
                .ignoreExceptions()
                .until(() -> deployment("slow").get().getStatus() != null);

        await().during(Duration.ofMillis(1200)).atMost(WAIT).untilAsserted(() -> {
            Deployment d = deployment("slow").get();
            assertThat(d.getStatus().getObservedGeneration())
                    .isEqualTo(d.getMetadata().getGeneration());
            assertThat(d.getStatus().getUpdatedReplicas()).isZero();
            assertThat(d.getStatus().getAvailableReplicas()).isZero();
            assertThat(condition(d, "Progressing").getStatus()).isEqualTo("True");
        });
    }

    @Test
    void objectsAnnotatedFailedFail() {
        Map<String, String> failed = Map.of("sandbox.driftless.dev/simulate", "failed");
        apply(deployment("broken", 1, "nginx:1", failed));
        apply(job("broken", failed));
        apply(claim("broken", failed));
        apply(pod("broken", failed));

        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            DeploymentCondition progressing = condition(deployment("broken").get(), "Progressing");
            assertThat(progressing.getStatus()).isEqualTo("False");
            assertThat(progressing.getReason()).isEqualTo("ProgressDeadlineExceeded");
            Job j = client.batch()
                    .v1()
                    .jobs()
                    .inNamespace("demo")
                    .withName("broken")
                    .get();
            assertThat(j.getStatus().getConditions()).anySatisfy(c -> assertThat(c.getType() + "=" + c.getStatus())
                    .isEqualTo("Failed=True"));
            assertThat(client.persistentVolumeClaims()
                            .inNamespace("demo")
                            .withName("broken")
                            .get()
                            .getStatus()
                            .getPhase())
                    .isEqualTo("Lost");
            assertThat(client.pods()
                            .inNamespace("demo")
                            .withName("broken")
                            .get()
                            .getStatus()
                            .getPhase())
                    .isEqualTo("Failed");
        });
    }

    @Test
    void theDelayIsConfigurableAndPerObject() {
        sandbox.statusDelay(Duration.ZERO);
        apply(deployment("now", 1, "nginx:1", Map.of()));
        assertRolledOut(deployment("now").get(), 1);

        // no time window: an object held for an hour has no status once one applied after it, held briefly, is out
        apply(deployment("held", 1, "nginx:1", Map.of("sandbox.driftless.dev/simulate-delay", "60m")));
        apply(deployment("later", 1, "nginx:1", Map.of("sandbox.driftless.dev/simulate-delay", "300ms")));
        await().atMost(WAIT)
                .ignoreExceptions()
                .untilAsserted(() -> assertRolledOut(deployment("later").get(), 1));
        assertThat(deployment("held").get().getStatus()).as("held for an hour").isNull();
    }

    @Test
    void aWatchWithALabelSelectorSeesTheStatusAsModified() {
        List<String> events = new CopyOnWriteArrayList<>();
        Watch watch = client.apps()
                .deployments()
                .inNamespace("demo")
                .withLabel(APP_LABEL, "shop")
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Deployment d) {
                        Integer available =
                                d.getStatus() == null ? null : d.getStatus().getAvailableReplicas();
                        events.add(action + " " + d.getMetadata().getName() + " " + available);
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                });
        try {
            apply(deployment("web", 2, "nginx:1", Map.of()));
            apply(new DeploymentBuilder(deployment("other", 2, "nginx:1", Map.of()))
                    .editMetadata()
                    .withLabels(Map.of("team", "x"))
                    .endMetadata()
                    .build());

            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(events)
                    .contains("ADDED web null", "MODIFIED web 2"));
            await().during(Duration.ofMillis(500)).atMost(WAIT).untilAsserted(() -> assertThat(events)
                    .noneMatch(e -> e.contains("other")));
        } finally {
            watch.close();
        }
    }

    @Test
    void anInformerOnLabelledObjectsSeesTheStatus() {
        apply(deployment("before", 1, "nginx:1", Map.of()));
        Map<String, Integer> available = new ConcurrentHashMap<>();
        SharedIndexInformer<Deployment> informer = client.apps()
                .deployments()
                .inNamespace("demo")
                .withLabel(APP_LABEL, "shop")
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Deployment d) {
                        available.put(d.getMetadata().getName(), availableReplicas(d));
                    }

                    @Override
                    public void onUpdate(Deployment old, Deployment d) {
                        available.put(d.getMetadata().getName(), availableReplicas(d));
                    }

                    @Override
                    public void onDelete(Deployment d, boolean unknown) {
                        available.remove(d.getMetadata().getName());
                    }
                });
        try {
            apply(deployment("after", 3, "nginx:1", Map.of()));

            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(available)
                    .containsEntry("before", 1)
                    .containsEntry("after", 3));
            assertThat(informer.getStore().list())
                    .extracting(d -> d.getMetadata().getName())
                    .containsExactlyInAnyOrder("before", "after");

            deployment("after").delete();
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(available)
                    .doesNotContainKey("after"));
        } finally {
            informer.close();
        }
    }

    static int availableReplicas(Deployment d) {
        return d.getStatus() == null || d.getStatus().getAvailableReplicas() == null
                ? -1
                : d.getStatus().getAvailableReplicas();
    }
}
