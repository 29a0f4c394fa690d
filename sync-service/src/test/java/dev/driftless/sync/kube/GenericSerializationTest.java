package dev.driftless.sync.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

class GenericSerializationTest {

    /** As Quarkus builds the clients' serialization, with every model class registered, and the customizer. */
    static KubernetesSerialization serialization() {
        ObjectMapper mapper = new ObjectMapper();
        new GenericSerialization().customize(mapper);
        return new KubernetesSerialization(mapper, true);
    }

    private final KubernetesSerialization serialization = serialization();

    @Test
    void aWatchedDeploymentIsReadGenericallyNotAsFabric8sModelClass() {
        String event =
                """
                {"type":"MODIFIED","object":{"apiVersion":"apps/v1","kind":"Deployment",
                 "metadata":{"name":"web","namespace":"shop","resourceVersion":"42"},
                 "spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"web","image":"nginx"}]}}},
                 "status":{"readyReplicas":2,"conditions":[{"type":"Available","status":"True"}]}}}
                """;

        Object object = serialization.unmarshal(event, WatchEvent.class).getObject();

        assertThat(object).isExactlyInstanceOf(GenericKubernetesResource.class);
        GenericKubernetesResource deployment = (GenericKubernetesResource) object;
        assertThat(deployment.getMetadata().getResourceVersion()).isEqualTo("42");
        assertThat(deployment.<Integer>get("status", "readyReplicas")).isEqualTo(2);
    }

    @Test
    void aWatchErrorIsStillAStatusSoAnExpiredVersionMakesTheInformerListAgain() {
        String expired =
                """
                {"type":"ERROR","object":{"apiVersion":"v1","kind":"Status","status":"Failure",
                 "message":"too old resource version: 1 (42)","reason":"Expired","code":410}}
                """;

        Object object = serialization.unmarshal(expired, WatchEvent.class).getObject();

        assertThat(object).isInstanceOf(Status.class);
        assertThat(((Status) object).getCode()).isEqualTo(410);
    }

    @Test
    void aKindStillNamesItsModelClassSoAnApplyNeedsNoDiscovery() {
        assertThat(serialization.getRegisteredKubernetesResource("apps/v1", "Deployment"))
                .isEqualTo(io.fabric8.kubernetes.api.model.apps.Deployment.class);
    }

    @Test
    void aTypedReadStillGetsItsClass() {
        Namespace namespace = serialization.unmarshal(
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"shop\"}}", Namespace.class);

        assertThat(namespace.getMetadata().getName()).isEqualTo("shop");
    }
}
