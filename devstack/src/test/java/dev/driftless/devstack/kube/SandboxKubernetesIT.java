package dev.driftless.devstack.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Server-side apply against the sandbox Kubernetes API (the one stand-in: fabric8's mock server extended), through
 * the same fabric8 client calls sync-service makes.
 */
class SandboxKubernetesIT {

    SandboxKubernetes sandbox;
    KubernetesClient client;

    @BeforeEach
    void start() {
        sandbox = SandboxKubernetes.start(0);
        client = sandbox.client();
        createNamespace("demo");
    }

    @AfterEach
    void stop() {
        client.close();
        sandbox.close();
    }

    void createNamespace(String name) {
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .build())
                .create();
    }

    ConfigMap stored(String namespace, String name) {
        return client.configMaps().inNamespace(namespace).withName(name).get();
    }

    static ConfigMap configMap(Map<String, String> data) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName("demo-config")
                .withNamespace("demo")
                .endMetadata()
                .withData(data)
                .build();
    }

    ConfigMap apply(ConfigMap cm, String manager, boolean force) {
        var resource = client.resource(cm).fieldManager(manager);
        return force ? resource.forceConflicts().serverSideApply() : resource.serverSideApply();
    }

    @Test
    void objectsAreFoundByNameThroughCreatesRelabelsDeletesAndRecreates() {
        createNamespace("other");
        apply(configMap(Map.of("where", "demo")), "driftless", true);
        ConfigMap elsewhere = configMap(Map.of("where", "other"));
        elsewhere.getMetadata().setNamespace("other");
        apply(elsewhere, "driftless", true);
        // a label changes the key the store files the object under
        ConfigMap labelled = configMap(Map.of("where", "demo, labelled"));
        labelled.getMetadata().setLabels(Map.of("app", "web"));
        apply(labelled, "driftless", true);

        assertThat(stored("demo", "demo-config").getData()).containsEntry("where", "demo, labelled");
        assertThat(stored("other", "demo-config").getData()).containsEntry("where", "other");
        assertThat(client.configMaps()
                        .inNamespace("demo")
                        .withLabel("app", "web")
                        .list()
                        .getItems())
                .singleElement();

        client.configMaps().inNamespace("demo").withName("demo-config").delete();

        assertThat(stored("demo", "demo-config")).isNull();
        assertThat(stored("other", "demo-config")).isNotNull();

        ConfigMap again = apply(configMap(Map.of("where", "demo, again")), "driftless", true);

        assertThat(again.getMetadata().getManagedFields()).singleElement();
        assertThat(stored("demo", "demo-config").getData()).containsEntry("where", "demo, again");
        assertThat(stored("demo", "missing")).isNull();
    }

    @Test
    void applyCreatesAMissingObjectAndRecordsItsManager() {
        ConfigMap created = apply(configMap(Map.of("message", "hello")), "driftless", true);

        ConfigMap stored = stored("demo", "demo-config");
        assertThat(stored.getData()).containsEntry("message", "hello");
        assertThat(stored.getMetadata().getUid()).isNotBlank();
        assertThat(created.getMetadata().getManagedFields()).singleElement().satisfies(f -> {
            assertThat(f.getManager()).isEqualTo("driftless");
            assertThat(f.getOperation()).isEqualTo("Apply");
        });
    }

    @Test
    void applyUpdatesAnExistingObjectAndRemovesFieldsTheManagerNoLongerApplies() {
        apply(configMap(Map.of("message", "hello", "old", "x")), "driftless", true);

        apply(configMap(Map.of("message", "changed")), "driftless", true);

        ConfigMap stored = stored("demo", "demo-config");
        assertThat(stored.getData()).containsExactly(Map.entry("message", "changed"));
    }

    @Test
    void fieldsAnotherManagerAppliedSurviveAndConflictsNeedForce() {
        apply(configMap(Map.of("message", "hello")), "driftless", true);
        apply(configMap(Map.of("extra", "kept")), "someone-else", false);

        assertThatThrownBy(() -> apply(configMap(Map.of("extra", "mine")), "driftless", false))
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e ->
                        assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));

        apply(configMap(Map.of("message", "again")), "driftless", true);
        ConfigMap stored = stored("demo", "demo-config");
        assertThat(stored.getData()).containsEntry("message", "again").containsEntry("extra", "kept");
    }

    @Test
    void anUnchangedApplyKeepsTheResourceVersion() {
        String first = apply(configMap(Map.of("message", "hello")), "driftless", true)
                .getMetadata()
                .getResourceVersion();

        String second = apply(configMap(Map.of("message", "hello")), "driftless", true)
                .getMetadata()
                .getResourceVersion();

        assertThat(second).isEqualTo(first);
    }

    @Test
    void dryRunChangesNothing() {
        apply(configMap(Map.of("message", "hello")), "driftless", true);

        ConfigMap preview = client.resource(configMap(Map.of("message", "preview")))
                .dryRun()
                .fieldManager("driftless")
                .forceConflicts()
                .serverSideApply();
        client.resource(new ConfigMapBuilder(configMap(Map.of()))
                        .editMetadata()
                        .withName("other")
                        .endMetadata()
                        .build())
                .dryRun()
                .create();

        assertThat(preview.getData()).containsEntry("message", "preview");
        assertThat(stored("demo", "demo-config").getData()).containsEntry("message", "hello");
        assertThat(stored("demo", "other")).isNull();
    }

    @Test
    void objectsInANamespaceThatDoesNotExistAreRefused() {
        ConfigMap elsewhere = new ConfigMapBuilder(configMap(Map.of("a", "b")))
                .editMetadata()
                .withNamespace("missing")
                .endMetadata()
                .build();

        assertThatThrownBy(() -> apply(elsewhere, "driftless", true))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("namespaces \"missing\" not found");
    }
}
