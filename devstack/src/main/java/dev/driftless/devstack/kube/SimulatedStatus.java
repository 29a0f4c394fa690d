package dev.driftless.devstack.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The status the controllers of a real cluster would write, for the sandbox that runs none (as kwok does): a completed
 * rollout for Deployments, StatefulSets, ReplicaSets and DaemonSets, a completed Job, a Running and Ready Pod, a
 * Bound PersistentVolumeClaim and an ingress IP for a Service of type LoadBalancer. An object's {@value #SIMULATE}
 * annotation chooses {@code ready} (the default), {@code progressing} (the rollout never completes) or {@code failed};
 * kinds with no failure signal (StatefulSet, DaemonSet, Service) stay progressing when {@code failed}.
 */
final class SimulatedStatus {

    /** Annotation choosing the outcome: {@code ready}, {@code progressing} or {@code failed}. */
    static final String SIMULATE = "sandbox.driftless.dev/simulate";
    /** Annotation overriding the delay for one object, e.g. {@code 2s}, {@code 500ms}, {@code PT1M}. */
    static final String SIMULATE_DELAY = "sandbox.driftless.dev/simulate-delay";
    /** The field manager the status writes are recorded under. */
    static final String MANAGER = "sandbox-controller";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m)?");
    /** {@code group/plural} of the kinds simulated, which (as on a real API server) have a status subresource. */
    private static final Set<String> RESOURCES = Set.of(
            "apps/deployments",
            "apps/statefulsets",
            "apps/replicasets",
            "apps/daemonsets",
            "batch/jobs",
            "/pods",
            "/persistentvolumeclaims",
            "/services",
            "networking.k8s.io/ingresses",
            "apiextensions.k8s.io/customresourcedefinitions");

    private static final Set<String> KINDS = Set.of(
            "apps/Deployment",
            "apps/StatefulSet",
            "apps/ReplicaSet",
            "apps/DaemonSet",
            "batch/Job",
            "/Pod",
            "networking.k8s.io/Ingress",
            "apiextensions.k8s.io/CustomResourceDefinition",
            "/PersistentVolumeClaim",
            "/Service");

    private enum Mode {
        READY,
        PROGRESSING,
        FAILED
    }

    private SimulatedStatus() {}

    /** Whether the resource a request path names ({@code /apis/apps/v1/namespaces/x/deployments/y}) is simulated. */
    static boolean simulatesPath(String path) {
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        String[] s = bare.split("/");
        String group;
        int i;
        if (s.length > 3 && s[1].equals("api")) {
            group = "";
            i = 3;
        } else if (s.length > 4 && s[1].equals("apis")) {
            group = s[2];
            i = 4;
        } else {
            return false;
        }
        if (s.length > i + 2 && s[i].equals("namespaces")) {
            i += 2;
        }
        return RESOURCES.contains(group + "/" + s[i]);
    }

    /** Whether objects of this object's kind get a simulated status. */
    static boolean simulates(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        return KINDS.contains(group + "/" + object.path("kind").asText());
    }

    /** The delay before the status is written: the object's {@value #SIMULATE_DELAY} if valid, else the default. */
    static Duration delay(JsonNode object, Duration fallback) {
        String value =
                object.path("metadata").path("annotations").path(SIMULATE_DELAY).asText("");
        try {
            return value.isBlank() ? fallback : parseDuration(value);
        } catch (IllegalArgumentException e) {
            return fallback;
        }
    }

    /** The delay from the system property {@value SandboxKubernetes#STATUS_DELAY_PROPERTY}, 200 ms without it. */
    static Duration defaultDelay() {
        return parseDuration(System.getProperty(SandboxKubernetes.STATUS_DELAY_PROPERTY, "200ms"));
    }

    /** Parses {@code 200}, {@code 200ms}, {@code 2s}, {@code 1m} or ISO-8601 ({@code PT2S}); never negative. */
    static Duration parseDuration(String value) {
        String text = value.trim();
        Matcher m = SIMPLE_DURATION.matcher(text);
        Duration parsed;
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "ms" : m.group(2);
            parsed = switch (unit) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofMillis(amount);
            };
        } else {
            try {
                parsed = Duration.parse(text.toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a duration: " + value, e);
            }
        }
        if (parsed.isNegative()) {
            throw new IllegalArgumentException("negative duration: " + value);
        }
        return parsed;
    }

    /** The simulated status of the object as it is now, or {@code null} when it gets none. */
    static ObjectNode of(JsonNode object) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        JsonNode spec = object.path("spec");
        long generation = object.path("metadata").path("generation").asLong(1);
        String name = object.path("metadata").path("name").asText();
        Mode mode = mode(object);
        boolean ready = mode == Mode.READY;
        int replicas = spec.path("replicas").asInt(1);
        ObjectNode s = NODES.objectNode();
        switch (object.path("kind").asText()) {
            case "Deployment" -> {
                s.put("observedGeneration", generation).put("replicas", replicas);
                int done = ready ? replicas : 0;
                s.put("updatedReplicas", done).put("readyReplicas", done).put("availableReplicas", done);
                if (!ready) {
                    s.put("unavailableReplicas", replicas);
                }
                ArrayNode conditions = s.putArray("conditions");
                conditions.add(
                        ready
                                ? condition(
                                        "Available", true, "MinimumReplicasAvailable", "has minimum availability", now)
                                : condition(
                                        "Available", false, "MinimumReplicasUnavailable", "lacks availability", now));
                conditions.add(
                        switch (mode) {
                            case READY ->
                                condition("Progressing", true, "NewReplicaSetAvailable", "has rolled out", now);
                            case PROGRESSING ->
                                condition("Progressing", true, "ReplicaSetUpdated", "is progressing", now);
                            case FAILED ->
                                condition(
                                        "Progressing", false, "ProgressDeadlineExceeded", "exceeded its deadline", now);
                        });
            }
            case "StatefulSet" -> {
                int done = ready ? replicas : 0;
                s.put("observedGeneration", generation).put("replicas", replicas);
                s.put("readyReplicas", done).put("currentReplicas", ready ? replicas : 0);
                s.put("updatedReplicas", done).put("availableReplicas", done);
                s.put("updateRevision", name + "-" + generation);
                s.put("currentRevision", name + "-" + (ready ? generation : generation - 1));
            }
            case "ReplicaSet" -> {
                int done = ready ? replicas : 0;
                s.put("observedGeneration", generation).put("replicas", replicas);
                s.put("fullyLabeledReplicas", replicas)
                        .put("readyReplicas", done)
                        .put("availableReplicas", done);
                if (mode == Mode.FAILED) {
                    s.putArray("conditions")
                            .add(condition("ReplicaFailure", true, "FailedCreate", "cannot create pods", now));
                }
            }
            case "DaemonSet" -> {
                int done = ready ? 1 : 0;
                s.put("observedGeneration", generation);
                s.put("desiredNumberScheduled", 1).put("currentNumberScheduled", 1);
                s.put("numberMisscheduled", 0).put("numberReady", done);
                s.put("updatedNumberScheduled", done).put("numberAvailable", done);
                if (!ready) {
                    s.put("numberUnavailable", 1);
                }
            }
            case "Job" -> {
                s.put("startTime", now);
                switch (mode) {
                    case READY -> {
                        s.put("active", 0)
                                .put("succeeded", spec.path("completions").asInt(1));
                        s.put("completionTime", now);
                        s.putArray("conditions").add(condition("Complete", true, "CompletionsReached", null, now));
                    }
                    case PROGRESSING -> s.put("active", spec.path("parallelism").asInt(1));
                    case FAILED -> {
                        s.put("active", 0)
                                .put("failed", spec.path("backoffLimit").asInt(6) + 1);
                        s.putArray("conditions")
                                .add(condition(
                                        "Failed", true, "BackoffLimitExceeded", "reached its backoff limit", now));
                    }
                }
            }
            case "Pod" -> {
                s.put("phase", ready ? "Running" : mode == Mode.FAILED ? "Failed" : "Pending");
                s.put("startTime", now);
                ArrayNode conditions = s.putArray("conditions");
                conditions.add(condition("PodScheduled", true, null, null, now));
                conditions.add(condition("Initialized", true, null, null, now));
                String reason = ready ? null : mode == Mode.FAILED ? "PodFailed" : "ContainersNotReady";
                conditions.add(condition("ContainersReady", ready, reason, null, now));
                conditions.add(condition("Ready", ready, reason, null, now));
            }
            case "PersistentVolumeClaim" -> {
                s.put("phase", ready ? "Bound" : mode == Mode.FAILED ? "Lost" : "Pending");
                if (ready) {
                    s.set("accessModes", spec.path("accessModes").deepCopy());
                    JsonNode storage = spec.path("resources").path("requests").path("storage");
                    if (!storage.isMissingNode()) {
                        s.putObject("capacity").set("storage", storage.deepCopy());
                    }
                }
            }
            case "Service" -> {
                if (!"LoadBalancer".equals(spec.path("type").asText())) {
                    return null;
                }
                ObjectNode loadBalancer = s.putObject("loadBalancer");
                if (ready) {
                    loadBalancer.putArray("ingress").addObject().put("ip", "127.0.0.1");
                }
            }
            case "Ingress" -> {
                ObjectNode loadBalancer = s.putObject("loadBalancer");
                if (ready) {
                    loadBalancer.putArray("ingress").addObject().put("ip", "127.0.0.1");
                }
            }
            case "CustomResourceDefinition" -> {
                var conditions = s.putArray("conditions");
                conditions
                        .addObject()
                        .put("type", "NamesAccepted")
                        .put("status", "True")
                        .put("reason", "NoConflicts");
                conditions
                        .addObject()
                        .put("type", "Established")
                        .put("status", ready ? "True" : "False")
                        .put("reason", ready ? "InitialNamesAccepted" : "Installing");
            }
            default -> {
                return null;
            }
        }
        return s;
    }

    /** A {@code managedFields} entry recording that {@value #MANAGER} wrote this status through the subresource. */
    static ObjectNode managedFieldsEntry(String apiVersion, JsonNode status) {
        ObjectNode entry = NODES.objectNode();
        entry.put("manager", MANAGER);
        entry.put("operation", "Update");
        entry.put("apiVersion", apiVersion);
        entry.put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        entry.put("fieldsType", "FieldsV1");
        entry.putObject("fieldsV1").set("f:status", fields(status));
        entry.put("subresource", "status");
        return entry;
    }

    private static ObjectNode fields(JsonNode node) {
        ObjectNode fields = NODES.objectNode();
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> fields.set("f:" + f.getKey(), fields(f.getValue())));
        }
        return fields;
    }

    /** The outcome an object's annotations ask for: {@code ready}, {@code progressing} or {@code failed}. */
    static String mode(java.util.Map<String, String> annotations) {
        String value = annotations == null ? "" : annotations.getOrDefault(SIMULATE, "");
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "progressing" -> "progressing";
            case "failed" -> "failed";
            default -> "ready";
        };
    }

    /** The delay an object's {@value #SIMULATE_DELAY} annotation asks for if valid, else the default. */
    static Duration delay(java.util.Map<String, String> annotations, Duration fallback) {
        String value = annotations == null ? "" : annotations.getOrDefault(SIMULATE_DELAY, "");
        try {
            return value.isBlank() ? fallback : parseDuration(value);
        } catch (IllegalArgumentException e) {
            return fallback;
        }
    }

    private static Mode mode(JsonNode object) {
        String value =
                object.path("metadata").path("annotations").path(SIMULATE).asText("");
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "progressing" -> Mode.PROGRESSING;
            case "failed" -> Mode.FAILED;
            default -> Mode.READY;
        };
    }

    private static ObjectNode condition(String type, boolean status, String reason, String message, String now) {
        ObjectNode c = NODES.objectNode();
        c.put("type", type).put("status", status ? "True" : "False");
        if (reason != null) {
            c.put("reason", reason);
        }
        if (message != null) {
            c.put("message", message);
        }
        c.put("lastTransitionTime", now);
        return c;
    }
}
