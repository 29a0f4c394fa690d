package dev.driftless.sync.domain;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The health of an object as the cluster reports it, and of an application as the worst of its objects. Pure: it
 * reads the object's {@code status} as the API server returned it.
 *
 * <p>Deployment, StatefulSet, DaemonSet and ReplicaSet are healthy once the controller observed the current generation
 * and every replica is updated and available (a Deployment also once no old replica is left); Job once complete; Pod
 * when running and ready (or succeeded); PersistentVolumeClaim when bound; a LoadBalancer Service or an Ingress once it
 * has an address; a CustomResourceDefinition once established; any other object with a {@code Ready} condition by that
 * condition, once its controller reported on the current generation (as Flux's kstatus: {@code status.observedGeneration},
 * or the condition's own {@code observedGeneration}, when it writes one; a Ready of the previous spec is not this
 * one's; a suspended object's last word stands); everything else as soon as it exists.
 *
 * @param state the state
 * @param reason why, for people ({@code "2 of 3 replicas available"})
 */
public record Health(State state, String reason) {

    /** Health states, from best to worst: an application is as healthy as its worst object. */
    public enum State {
        Healthy,
        Progressing,
        Unknown,
        Missing,
        Degraded
    }

    /** An object that is fine. */
    public static final Health HEALTHY = new Health(State.Healthy, null);

    /** An object that is not in the cluster. */
    public static Health missing(ObjectRef ref) {
        return new Health(State.Missing, ref + " does not exist");
    }

    /** The worst of several: the application's health. Healthy when there is nothing. */
    public static Health worst(Collection<Health> healths) {
        return healths.stream()
                .max((a, b) -> Integer.compare(a.state().ordinal(), b.state().ordinal()))
                .orElse(HEALTHY);
    }

    /** A progressing object past its deadline is degraded. */
    public Health pastDeadline(String deadline) {
        return state == State.Progressing
                ? new Health(State.Degraded, reason + " (still after " + deadline + ")")
                : this;
    }

    /** Assesses a live object. */
    public static Health of(Map<String, Object> object) {
        String kind = String.valueOf(object.get("kind"));
        Map<String, Object> status = map(object.get("status"));
        Map<String, Object> spec = map(object.get("spec"));
        long generation = number(map(object.get("metadata")).get("generation"), 0);
        long observed = number(status.get("observedGeneration"), -1);
        return switch (kind) {
            case "Deployment" -> {
                if (condition(status, "Progressing", "False")
                        && "ProgressDeadlineExceeded".equals(reasonOf(status, "Progressing"))) {
                    yield new Health(State.Degraded, "rollout exceeded its progress deadline");
                }
                long updated = number(status.get("updatedReplicas"), 0);
                Health rollout = replicas(
                        generation,
                        observed,
                        number(spec.get("replicas"), 1),
                        updated,
                        number(status.get("availableReplicas"), 0));
                // as kubectl rollout status: old Pods still running mean the rollout has not finished, though they
                // count as available (a new Pod that never becomes ready leaves the old one serving)
                long old = number(status.get("replicas"), 0) - updated;
                yield rollout.state() == State.Healthy && old > 0
                        ? new Health(State.Progressing, old + " old replica(s) pending termination")
                        : rollout;
            }
            case "StatefulSet" ->
                replicas(
                        generation,
                        observed,
                        number(spec.get("replicas"), 1),
                        number(status.get("updatedReplicas"), 0),
                        number(status.get("readyReplicas"), 0));
            case "ReplicaSet" ->
                condition(status, "ReplicaFailure", "True")
                        ? new Health(State.Degraded, "replica failure: " + messageOf(status, "ReplicaFailure"))
                        : replicas(
                                generation,
                                observed,
                                number(spec.get("replicas"), 1),
                                number(status.get("replicas"), 0),
                                number(status.get("availableReplicas"), 0));
            case "DaemonSet" ->
                replicas(
                        generation,
                        observed,
                        number(status.get("desiredNumberScheduled"), 0),
                        number(status.get("updatedNumberScheduled"), 0),
                        number(status.get("numberAvailable"), 0));
            case "Job" ->
                condition(status, "Failed", "True")
                        ? new Health(State.Degraded, "job failed: " + messageOf(status, "Failed"))
                        : condition(status, "Complete", "True")
                                ? HEALTHY
                                : new Health(State.Progressing, "job has not completed");
            case "Pod" ->
                switch (String.valueOf(status.get("phase"))) {
                    case "Succeeded" -> HEALTHY;
                    case "Failed" -> new Health(State.Degraded, "pod failed");
                    case "Running" ->
                        condition(status, "Ready", "True")
                                ? HEALTHY
                                : new Health(State.Progressing, "pod is not ready");
                    default -> new Health(State.Progressing, "pod is " + status.getOrDefault("phase", "pending"));
                };
            case "PersistentVolumeClaim" ->
                switch (String.valueOf(status.get("phase"))) {
                    case "Bound" -> HEALTHY;
                    case "Lost" -> new Health(State.Degraded, "claim lost its volume");
                    default -> new Health(State.Progressing, "claim is not bound");
                };
            case "Service" ->
                !"LoadBalancer".equals(spec.get("type")) || hasIngress(status)
                        ? HEALTHY
                        : new Health(State.Progressing, "load balancer has no address yet");
            case "Ingress" ->
                hasIngress(status) ? HEALTHY : new Health(State.Progressing, "ingress has no address yet");
            case "CustomResourceDefinition" ->
                condition(status, "Established", "True")
                        ? HEALTHY
                        : new Health(State.Progressing, "not established yet");
            default -> readyCondition(status, spec, generation);
        };
    }

    private static Health replicas(long generation, long observed, long wanted, long updated, long available) {
        if (observed < generation) {
            return new Health(State.Progressing, "generation " + generation + " not yet observed");
        }
        if (updated < wanted) {
            return new Health(State.Progressing, updated + " of " + wanted + " replicas updated");
        }
        if (available < wanted) {
            return new Health(State.Progressing, available + " of " + wanted + " replicas available");
        }
        return HEALTHY;
    }

    /**
     * By the {@code Ready} condition, once the controller reported on this generation: its
     * {@code status.observedGeneration} or the condition's own, where it writes one as a number (Argo Rollouts writes
     * a string of another meaning), and unless the object is suspended ({@code spec.suspend: true}, as Flux's: its
     * controller stops observing it, and its last word stands). Healthy without the condition.
     */
    private static Health readyCondition(Map<String, Object> status, Map<String, Object> spec, long generation) {
        for (Object each : list(status.get("conditions"))) {
            Map<String, Object> condition = map(each);
            if ("Ready".equals(condition.get("type"))) {
                if (!Boolean.TRUE.equals(spec.get("suspend"))) {
                    if (number(status.get("observedGeneration"), generation) < generation) {
                        return new Health(State.Progressing, "generation " + generation + " not yet observed");
                    }
                    if (number(condition.get("observedGeneration"), generation) < generation) {
                        return new Health(
                                State.Progressing, "readiness of generation " + generation + " not yet reported");
                    }
                }
                return switch (String.valueOf(condition.get("status"))) {
                    case "True" -> HEALTHY;
                    case "False" ->
                        new Health(
                                State.Degraded,
                                "not ready: " + condition.getOrDefault("message", condition.get("reason")));
                    default -> new Health(State.Progressing, "readiness unknown");
                };
            }
        }
        return HEALTHY;
    }

    private static boolean hasIngress(Map<String, Object> status) {
        return !list(map(status.get("loadBalancer")).get("ingress")).isEmpty();
    }

    private static boolean condition(Map<String, Object> status, String type, String value) {
        return list(status.get("conditions")).stream()
                .map(Health::map)
                .anyMatch(c -> type.equals(c.get("type")) && value.equals(c.get("status")));
    }

    private static String reasonOf(Map<String, Object> status, String type) {
        return list(status.get("conditions")).stream()
                .map(Health::map)
                .filter(c -> type.equals(c.get("type")))
                .map(c -> Objects.toString(c.get("reason"), null))
                .findFirst()
                .orElse(null);
    }

    private static String messageOf(Map<String, Object> status, String type) {
        return list(status.get("conditions")).stream()
                .map(Health::map)
                .filter(c -> type.equals(c.get("type")))
                .map(c -> Objects.toString(c.getOrDefault("message", c.get("reason")), ""))
                .findFirst()
                .orElse("");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    private static List<?> list(Object value) {
        return value instanceof List<?> list ? list : List.of();
    }

    private static long number(Object value, long fallback) {
        return value instanceof Number n ? n.longValue() : fallback;
    }
}
