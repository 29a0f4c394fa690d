package dev.driftless.sync.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.kafka.KafkaTestResource;
import dev.driftless.devstack.kube.ControlPlaneTestResource;
import dev.driftless.events.SyncReport;
import dev.driftless.events.SyncReport.ResourceResult;
import dev.driftless.events.Target;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sync hooks on the real control plane (its Job controller runs the Jobs; the simulated kubelet runs their Pods to
 * success, or to failure when asked): Argo CD's and Helm's annotations as users have them in their repositories.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(ControlPlaneTestResource.class)
class SyncHooksIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "test.cluster.admin-kubeconfig", defaultValue = "unset: only with the control plane")
    Path adminKubeconfig;

    KubernetesClient cluster;
    EventProbe probe;
    String app;
    Target target;

    @BeforeEach
    void setUp() throws java.io.IOException {
        probe = new EventProbe(bootstrap);
        app = "hooks-" + UUID.randomUUID().toString().substring(0, 8);
        target = new Target("default", app, true, true, false, true, 20, null, null);
        cluster = dev.driftless.devstack.kube.ControlPlaneTestResource.client(adminKubeconfig);
    }

    @AfterEach
    void tearDown() {
        probe.close();
        cluster.close();
    }

    /** A Job named {@code name} (or by {@code generateName} when it ends with '-'), failing when asked. */
    static Map<String, Object> job(String name, Map<String, String> annotations, boolean fails) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put(name.endsWith("-") ? "generateName" : "name", name);
        metadata.put("annotations", annotations);
        Map<String, Object> podMetadata =
                fails ? Map.of("annotations", Map.of("sandbox.driftless.dev/simulate", "failed")) : Map.of();
        return Map.of(
                "apiVersion",
                "batch/v1",
                "kind",
                "Job",
                "metadata",
                metadata,
                "spec",
                Map.of(
                        "backoffLimit",
                        0,
                        "template",
                        Map.of(
                                "metadata",
                                podMetadata,
                                "spec",
                                Map.of(
                                        "restartPolicy",
                                        "Never",
                                        "containers",
                                        List.of(Map.of("name", "run", "image", "busybox:1.36"))))));
    }

    static Map<String, Object> configMap(String name) {
        return Map.of(
                "apiVersion",
                "v1",
                "kind",
                "ConfigMap",
                "metadata",
                Map.of("name", name),
                "data",
                Map.of("message", "hello"));
    }

    SyncReport sync(List<Map<String, Object>> manifests) {
        return RenderDriver.syncThrough(probe, app, manifests, target, WAIT);
    }

    List<Job> jobs() {
        return cluster.batch().v1().jobs().inNamespace(app).list().getItems();
    }

    static List<ResourceResult> hooks(SyncReport report) {
        return report.resources().stream().filter(r -> r.hook() != null).toList();
    }

    @Test
    void aFailingPreSyncJobLeavesTheClusterUnchanged() {
        SyncReport report = sync(
                List.of(job("migrate-", Map.of("argocd.argoproj.io/hook", "PreSync"), true), configMap("settings")));

        assertThat(report.status()).isEqualTo("Failed");
        assertThat(report.reason()).isEqualTo("HookFailed");
        assertThat(report.message()).contains("PreSync hook", "nothing else was applied");
        assertThat(hooks(report)).singleElement().satisfies(hook -> {
            assertThat(hook.hook()).isEqualTo("PreSync");
            assertThat(hook.action()).isEqualTo("failed");
            assertThat(hook.name()).startsWith("migrate-").isNotEqualTo("migrate-");
            assertThat(hook.message()).contains("kubectl logs -n " + app + " job/" + hook.name());
        });
        assertThat(cluster.configMaps().inNamespace(app).withName("settings").get())
                .as("nothing after a failed PreSync hook is applied")
                .isNull();
        assertThat(cluster.configMaps()
                        .inNamespace(app)
                        .withName("driftless-inventory-" + app)
                        .get())
                .as("nor is an inventory stored")
                .isNull();
    }

    @Test
    void generateNameHooksRunOncePerSyncAndAreCleanedByTheirPolicy() {
        List<Map<String, Object>> manifests = List.of(
                job(
                        "migrate-",
                        Map.of(
                                "argocd.argoproj.io/hook",
                                "PreSync",
                                "argocd.argoproj.io/hook-delete-policy",
                                "HookSucceeded"),
                        false),
                job("notify", Map.of("argocd.argoproj.io/hook", "PostSync"), false),
                configMap("settings"));

        SyncReport first = sync(manifests);
        assertThat(first.status()).as(first.message()).isEqualTo("Succeeded");
        assertThat(hooks(first))
                .extracting(ResourceResult::hook, ResourceResult::action)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("PreSync", "completed"),
                        org.assertj.core.groups.Tuple.tuple("PostSync", "completed"));
        assertThat(first.resources().stream().map(ResourceResult::kind).toList())
                .as("PreSync before the objects, PostSync after them")
                .containsExactly("Job", "ConfigMap", "Job");
        String firstNotify = cluster.batch()
                .v1()
                .jobs()
                .inNamespace(app)
                .withName("notify")
                .get()
                .getMetadata()
                .getUid();

        SyncReport second = sync(manifests);
        assertThat(second.status()).as(second.message()).isEqualTo("Succeeded");
        assertThat(hooks(second)).hasSize(2);
        assertThat(hooks(second).get(0).name())
                .as("a new object each run")
                .isNotEqualTo(hooks(first).get(0).name());
        assertThat(jobs())
                .as("the succeeded PreSync runs are deleted (HookSucceeded); the PostSync hook, by default deleted"
                        + " before it is created again, is there once")
                .extracting(j -> j.getMetadata().getName())
                .containsExactly("notify");
        assertThat(jobs().get(0).getMetadata().getUid()).isNotEqualTo(firstNotify);

        SyncReport without = sync(List.of(configMap("settings")));
        assertThat(without.status()).isEqualTo("Succeeded");
        assertThat(without.resources()).noneMatch(r -> r.action().equals("pruned"));
        assertThat(jobs()).as("a hook is never pruned").hasSize(1);
    }

    @Test
    void helmHooksRunInTheirPhaseByWeightAndTestHooksNotAtAll() {
        SyncReport report = sync(List.of(
                job("second", Map.of("helm.sh/hook", "pre-install,pre-upgrade", "helm.sh/hook-weight", "5"), false),
                job(
                        "first",
                        Map.of(
                                "helm.sh/hook",
                                "pre-install,pre-upgrade",
                                "helm.sh/hook-weight",
                                "-5",
                                "helm.sh/hook-delete-policy",
                                "hook-succeeded"),
                        false),
                job("after", Map.of("helm.sh/hook", "post-install,post-upgrade"), false),
                job("test-connection", Map.of("helm.sh/hook", "test"), false),
                configMap("settings")));

        assertThat(report.status()).as(report.message()).isEqualTo("Succeeded");
        assertThat(hooks(report))
                .extracting(ResourceResult::name, ResourceResult::hook)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("first", "PreSync"),
                        org.assertj.core.groups.Tuple.tuple("second", "PreSync"),
                        org.assertj.core.groups.Tuple.tuple("after", "PostSync"));
        assertThat(jobs())
                .extracting(j -> j.getMetadata().getName())
                .as("hook-succeeded deleted 'first'; a test hook is never created")
                .containsExactlyInAnyOrder("second", "after");
    }

    @Test
    void aFailedSyncHookFailsTheSyncAndRunsTheSyncFailHooks() {
        SyncReport report = sync(List.of(
                job("smoke", Map.of("driftless.dev/hook", "Sync"), true),
                job("page-someone", Map.of("driftless.dev/hook", "SyncFail"), false),
                job("never", Map.of("driftless.dev/hook", "PostSync"), false),
                configMap("settings")));

        assertThat(report.status()).isEqualTo("Failed");
        assertThat(report.reason()).isEqualTo("HookFailed");
        assertThat(hooks(report))
                .extracting(ResourceResult::name, ResourceResult::hook, ResourceResult::action)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("smoke", "Sync", "failed"),
                        org.assertj.core.groups.Tuple.tuple("page-someone", "SyncFail", "completed"));
        assertThat(cluster.configMaps().inNamespace(app).withName("settings").get())
                .as("the objects were applied before the Sync hook ran")
                .isNotNull();
    }
}
