package dev.driftless.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthTest {

    static Map<String, Object> object(
            String kind, Map<String, Object> spec, Map<String, Object> status, long generation) {
        return Map.of(
                "apiVersion", "v1",
                "kind", kind,
                "metadata", Map.of("name", "x", "generation", generation),
                "spec", spec,
                "status", status);
    }

    static Map<String, Object> condition(String type, String status, String reason) {
        return Map.of("type", type, "status", status, "reason", reason);
    }

    @Test
    void aDeploymentIsHealthyOnlyWhenTheCurrentGenerationIsRolledOutAndAvailable() {
        Map<String, Object> spec = Map.of("replicas", 3);
        assertThat(Health.of(object("Deployment", spec, Map.of("observedGeneration", 1), 2))
                        .state())
                .isEqualTo(Health.State.Progressing);
        assertThat(Health.of(object(
                        "Deployment",
                        spec,
                        Map.of("observedGeneration", 2, "updatedReplicas", 3, "availableReplicas", 2),
                        2)))
                .isEqualTo(new Health(Health.State.Progressing, "2 of 3 replicas available"));
        assertThat(Health.of(object(
                        "Deployment",
                        spec,
                        Map.of("observedGeneration", 2, "updatedReplicas", 3, "availableReplicas", 3),
                        2)))
                .isEqualTo(Health.HEALTHY);
        // a new Pod that never becomes ready beside the old one still serving: updated and available, not done
        assertThat(Health.of(object(
                        "Deployment",
                        Map.of("replicas", 1),
                        Map.of("observedGeneration", 2, "replicas", 2, "updatedReplicas", 1, "availableReplicas", 1),
                        2)))
                .isEqualTo(new Health(Health.State.Progressing, "1 old replica(s) pending termination"));
        assertThat(Health.of(object(
                                "Deployment",
                                spec,
                                Map.of(
                                        "observedGeneration",
                                        2,
                                        "conditions",
                                        List.of(condition("Progressing", "False", "ProgressDeadlineExceeded"))),
                                2))
                        .state())
                .isEqualTo(Health.State.Degraded);
    }

    @Test
    void statefulSetsDaemonSetsAndReplicaSetsCountTheirReplicas() {
        assertThat(Health.of(object(
                                "StatefulSet",
                                Map.of("replicas", 2),
                                Map.of("observedGeneration", 1, "updatedReplicas", 2, "readyReplicas", 1),
                                1))
                        .state())
                .isEqualTo(Health.State.Progressing);
        assertThat(Health.of(object(
                        "DaemonSet",
                        Map.of(),
                        Map.of(
                                "observedGeneration",
                                1,
                                "desiredNumberScheduled",
                                2,
                                "updatedNumberScheduled",
                                2,
                                "numberAvailable",
                                2),
                        1)))
                .isEqualTo(Health.HEALTHY);
        assertThat(Health.of(object(
                                "ReplicaSet",
                                Map.of("replicas", 1),
                                Map.of(
                                        "observedGeneration",
                                        1,
                                        "conditions",
                                        List.of(condition("ReplicaFailure", "True", "FailedCreate"))),
                                1))
                        .state())
                .isEqualTo(Health.State.Degraded);
    }

    @Test
    void jobsPodsClaimsLoadBalancersIngressesCrdsAndReadyConditions() {
        assertThat(Health.of(object(
                        "Job", Map.of(), Map.of("conditions", List.of(condition("Complete", "True", "Done"))), 1)))
                .isEqualTo(Health.HEALTHY);
        assertThat(Health.of(object(
                                "Job",
                                Map.of(),
                                Map.of("conditions", List.of(condition("Failed", "True", "BackoffLimitExceeded"))),
                                1))
                        .state())
                .isEqualTo(Health.State.Degraded);
        assertThat(Health.of(object("Job", Map.of(), Map.of("active", 1), 1)).state())
                .isEqualTo(Health.State.Progressing);
        assertThat(Health.of(object(
                        "Pod",
                        Map.of(),
                        Map.of("phase", "Running", "conditions", List.of(condition("Ready", "True", ""))),
                        1)))
                .isEqualTo(Health.HEALTHY);
        assertThat(Health.of(object("Pod", Map.of(), Map.of("phase", "Failed"), 1))
                        .state())
                .isEqualTo(Health.State.Degraded);
        assertThat(Health.of(object("PersistentVolumeClaim", Map.of(), Map.of("phase", "Pending"), 1))
                        .state())
                .isEqualTo(Health.State.Progressing);
        assertThat(Health.of(object("PersistentVolumeClaim", Map.of(), Map.of("phase", "Bound"), 1)))
                .isEqualTo(Health.HEALTHY);
        assertThat(Health.of(object("Service", Map.of("type", "LoadBalancer"), Map.of(), 1))
                        .state())
                .isEqualTo(Health.State.Progressing);
        assertThat(Health.of(object("Service", Map.of("type", "ClusterIP"), Map.of(), 1)))
                .isEqualTo(Health.HEALTHY);
        assertThat(Health.of(object(
                        "Ingress",
                        Map.of(),
                        Map.of("loadBalancer", Map.of("ingress", List.of(Map.of("ip", "10.0.0.1")))),
                        1)))
                .isEqualTo(Health.HEALTHY);
        assertThat(Health.of(object("CustomResourceDefinition", Map.of(), Map.of(), 1))
                        .state())
                .isEqualTo(Health.State.Progressing);
        assertThat(Health.of(object(
                                "Certificate",
                                Map.of(),
                                Map.of("conditions", List.of(condition("Ready", "False", "Pending"))),
                                1))
                        .state())
                .isEqualTo(Health.State.Degraded);
        assertThat(Health.of(object("ConfigMap", Map.of(), Map.of(), 1))).isEqualTo(Health.HEALTHY);
    }

    @Test
    void aReadyConditionCountsOnlyOnceItsControllerReportedOnTheCurrentGeneration() {
        Map<String, Object> ready = condition("Ready", "True", "Issued");
        // the spec just changed to generation 3; the controller's status still speaks of generation 2
        assertThat(Health.of(object(
                        "Certificate", Map.of(), Map.of("observedGeneration", 2, "conditions", List.of(ready)), 3)))
                .isEqualTo(new Health(Health.State.Progressing, "generation 3 not yet observed"));
        assertThat(Health.of(object(
                        "Certificate", Map.of(), Map.of("observedGeneration", 3, "conditions", List.of(ready)), 3)))
                .isEqualTo(Health.HEALTHY);
        // a condition that carries its own observedGeneration (metav1.Condition)
        Map<String, Object> readyOfTwo = Map.of("type", "Ready", "status", "True", "observedGeneration", 2);
        assertThat(Health.of(object("Kustomization", Map.of(), Map.of("conditions", List.of(readyOfTwo)), 3)))
                .isEqualTo(new Health(Health.State.Progressing, "readiness of generation 3 not yet reported"));
        Map<String, Object> readyOfThree = Map.of("type", "Ready", "status", "True", "observedGeneration", 3);
        assertThat(Health.of(object("Kustomization", Map.of(), Map.of("conditions", List.of(readyOfThree)), 3)))
                .isEqualTo(Health.HEALTHY);
        // a controller that writes no generation is taken at its word, as before
        assertThat(Health.of(object("Certificate", Map.of(), Map.of("conditions", List.of(ready)), 3)))
                .isEqualTo(Health.HEALTHY);
        // nor one whose observedGeneration is not a number (Argo Rollouts' is a hash)
        assertThat(Health.of(object(
                        "Rollout", Map.of(), Map.of("observedGeneration", "7d9f8c", "conditions", List.of(ready)), 3)))
                .isEqualTo(Health.HEALTHY);
        // a suspended object is not observed by its controller any more: its last word stands
        assertThat(Health.of(
                        object("Kustomization", Map.of("suspend", true), Map.of("conditions", List.of(readyOfTwo)), 3)))
                .isEqualTo(Health.HEALTHY);
        // without a Ready condition, anything else is healthy as soon as it exists, whatever it observed
        assertThat(Health.of(object("PodDisruptionBudget", Map.of(), Map.of("observedGeneration", 2), 3)))
                .isEqualTo(Health.HEALTHY);
    }

    @Test
    void anApplicationIsAsHealthyAsItsWorstObjectAndProgressingPastTheDeadlineIsDegraded() {
        Health progressing = new Health(Health.State.Progressing, "1 of 2 replicas available");
        assertThat(Health.worst(List.of(Health.HEALTHY, progressing, Health.HEALTHY)))
                .isEqualTo(progressing);
        assertThat(Health.worst(List.of(progressing, Health.missing(new ObjectRef("v1", "ConfigMap", "n", "c"))))
                        .state())
                .isEqualTo(Health.State.Missing);
        assertThat(progressing.pastDeadline("PT10M").state()).isEqualTo(Health.State.Degraded);
        assertThat(Health.HEALTHY.pastDeadline("PT10M")).isEqualTo(Health.HEALTHY);
    }
}
