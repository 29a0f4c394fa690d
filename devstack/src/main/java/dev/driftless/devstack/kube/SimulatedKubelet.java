package dev.driftless.devstack.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What a kubelet, a cloud load-balancer controller and a volume provisioner would write, for the real control plane
 * that has none of them (as kwok does): a Pod becomes Running and Ready (or Succeeded when a Job owns it or its
 * restartPolicy is not Always), a Service
 * of type LoadBalancer and an Ingress get an address, a pending PersistentVolumeClaim gets a volume made for it, which
 * the real persistent-volume controller then binds. Everything controllers do (Deployment to ReplicaSet to Pods,
 * rollout status, Job completion, namespace finalisation, garbage collection) is left to the real ones.
 *
 * <p>Per object (for Pods: on the Pod template), the annotation {@value SimulatedStatus#SIMULATE} chooses
 * {@code ready} (the default), {@code progressing} (never starts) or {@code failed} (a Pod that runs to its end fails, any other Pod
 * runs but never becomes Ready, crash-looping); {@value SimulatedStatus#SIMULATE_DELAY} delays it.
 */
final class SimulatedKubelet implements AutoCloseable {

    private static final String LOCALHOST = "127.0.0.1";

    private final KubernetesClient client;
    private final Duration delay;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "simulated-kubelet");
        t.setDaemon(true);
        return t;
    });
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private final Set<String> scheduled = ConcurrentHashMap.newKeySet();

    private SimulatedKubelet(KubernetesClient client, Duration delay) {
        this.client = client;
        this.delay = delay;
    }

    /** Starts watching every namespace; {@code client} is owned (closed) by the kubelet. */
    static SimulatedKubelet start(KubernetesClient client, Duration delay) {
        SimulatedKubelet kubelet = new SimulatedKubelet(client, delay);
        kubelet.informers.add(kubelet.watch(client.pods().inAnyNamespace().inform(), kubelet::pod));
        kubelet.informers.add(kubelet.watch(client.services().inAnyNamespace().inform(), kubelet::service));
        kubelet.informers.add(
                kubelet.watch(client.network().v1().ingresses().inAnyNamespace().inform(), kubelet::ingress));
        kubelet.informers.add(
                kubelet.watch(client.persistentVolumeClaims().inAnyNamespace().inform(), kubelet::claim));
        return kubelet;
    }

    private <T extends HasMetadata> SharedIndexInformer<T> watch(SharedIndexInformer<T> informer, Consumer<T> seen) {
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T obj) {
                seen.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                seen.accept(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                scheduled.remove(key(obj) + "@" + obj.getMetadata().getUid());
            }
        });
        return informer;
    }

    private void pod(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (pod.getMetadata().getDeletionTimestamp() != null || (phase != null && !"Pending".equals(phase))) {
            return;
        }
        String mode = SimulatedStatus.mode(pod.getMetadata().getAnnotations());
        if ("progressing".equals(mode)) {
            return;
        }
        // a Job's Pod, or any Pod that is not restarted when its containers exit (a hook's), runs to its end
        boolean ofJob = pod.getMetadata().getOwnerReferences().stream()
                        .map(OwnerReference::getKind)
                        .anyMatch("Job"::equals)
                || !"Always".equals(pod.getSpec().getRestartPolicy());
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        List<Map<String, Object>> containers = pod.getSpec().getContainers().stream()
                .map(c -> containerStatus(c.getName(), c.getImage(), mode, ofJob, now))
                .toList();
        boolean ready = !"failed".equals(mode) && !ofJob;
        String podPhase = ofJob ? ("failed".equals(mode) ? "Failed" : "Succeeded") : "Running";
        Map<String, Object> status = Map.of(
                "status",
                Map.of(
                        "phase", podPhase,
                        "hostIP", LOCALHOST,
                        "podIP", LOCALHOST,
                        "startTime", now,
                        "conditions",
                                List.of(
                                        condition("PodScheduled", true, now),
                                        condition("Initialized", true, now),
                                        condition("ContainersReady", ready, now),
                                        condition("Ready", ready, now)),
                        "containerStatuses", containers));
        later(pod, () -> client.pods()
                .inNamespace(pod.getMetadata().getNamespace())
                .resource(pod)
                .subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(status)));
    }

    private static Map<String, Object> containerStatus(
            String name, String image, String mode, boolean ofJob, String now) {
        Map<String, Object> state;
        if (ofJob) {
            state = Map.of(
                    "terminated",
                    Map.of(
                            "exitCode",
                            "failed".equals(mode) ? 1 : 0,
                            "reason",
                            "failed".equals(mode) ? "Error" : "Completed",
                            "startedAt",
                            now,
                            "finishedAt",
                            now));
        } else if ("failed".equals(mode)) {
            state = Map.of("waiting", Map.of("reason", "CrashLoopBackOff", "message", "simulated failure"));
        } else {
            state = Map.of("running", Map.of("startedAt", now));
        }
        boolean ready = !ofJob && !"failed".equals(mode);
        return Map.of(
                "name",
                name,
                "image",
                image == null ? "" : image,
                "imageID",
                "",
                "ready",
                ready,
                "started",
                ready,
                "restartCount",
                0,
                "state",
                state);
    }

    private void service(Service service) {
        if (!"LoadBalancer".equals(service.getSpec().getType()) || hasAddress(service.getStatus())) {
            return;
        }
        if ("ready".equals(SimulatedStatus.mode(service.getMetadata().getAnnotations()))) {
            later(service, () -> client.services()
                    .inNamespace(service.getMetadata().getNamespace())
                    .resource(service)
                    .subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(addressStatus())));
        }
    }

    private void ingress(Ingress ingress) {
        boolean addressed = ingress.getStatus() != null
                && ingress.getStatus().getLoadBalancer() != null
                && !ingress.getStatus().getLoadBalancer().getIngress().isEmpty();
        if (!addressed
                && "ready".equals(SimulatedStatus.mode(ingress.getMetadata().getAnnotations()))) {
            later(ingress, () -> client.network()
                    .v1()
                    .ingresses()
                    .inNamespace(ingress.getMetadata().getNamespace())
                    .resource(ingress)
                    .subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(addressStatus())));
        }
    }

    private static boolean hasAddress(io.fabric8.kubernetes.api.model.ServiceStatus status) {
        return status != null
                && status.getLoadBalancer() != null
                && !status.getLoadBalancer().getIngress().isEmpty();
    }

    private static Map<String, Object> addressStatus() {
        return Map.of("status", Map.of("loadBalancer", Map.of("ingress", List.of(Map.of("ip", LOCALHOST)))));
    }

    /** A pending claim gets a volume made for it (claimRef set), which the real binder controller binds. */
    private void claim(PersistentVolumeClaim claim) {
        boolean pending =
                claim.getStatus() == null || "Pending".equals(claim.getStatus().getPhase());
        if (!pending
                || claim.getSpec().getVolumeName() != null
                        && !claim.getSpec().getVolumeName().isEmpty()
                || claim.getMetadata().getDeletionTimestamp() != null
                || !"ready".equals(SimulatedStatus.mode(claim.getMetadata().getAnnotations()))) {
            return;
        }
        Quantity size = claim.getSpec().getResources() != null
                        && claim.getSpec().getResources().getRequests() != null
                        && claim.getSpec().getResources().getRequests().get("storage") != null
                ? claim.getSpec().getResources().getRequests().get("storage")
                : new Quantity("1Gi");
        PersistentVolume volume = new PersistentVolumeBuilder()
                .withNewMetadata()
                .withName("pv-" + claim.getMetadata().getUid())
                .addToLabels(
                        "simulated.driftless.dev/claim-namespace",
                        claim.getMetadata().getNamespace())
                .endMetadata()
                .withNewSpec()
                .withCapacity(Map.of("storage", size))
                .withAccessModes(
                        claim.getSpec().getAccessModes().isEmpty()
                                ? List.of("ReadWriteOnce")
                                : claim.getSpec().getAccessModes())
                .withStorageClassName(
                        claim.getSpec().getStorageClassName() == null
                                ? ""
                                : claim.getSpec().getStorageClassName())
                .withVolumeMode(claim.getSpec().getVolumeMode())
                .withPersistentVolumeReclaimPolicy("Delete")
                .withNewHostPath()
                .withPath("/simulated/" + claim.getMetadata().getUid())
                .endHostPath()
                .withNewClaimRef()
                .withNamespace(claim.getMetadata().getNamespace())
                .withName(claim.getMetadata().getName())
                .withUid(claim.getMetadata().getUid())
                .endClaimRef()
                .endSpec()
                .build();
        later(claim, () -> {
            try {
                client.persistentVolumes().resource(volume).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
        });
    }

    /** Runs {@code write} once per object and generation, after the object's delay. */
    private void later(HasMetadata object, Runnable write) {
        String key = key(object) + "@" + object.getMetadata().getUid();
        if (!scheduled.add(key)) {
            return;
        }
        Duration after = SimulatedStatus.delay(object.getMetadata().getAnnotations(), delay);
        timer.schedule(
                () -> {
                    try {
                        write.run();
                    } catch (KubernetesClientException e) {
                        if (e.getCode() != 404) {
                            scheduled.remove(key); // try again on the next event about it
                        }
                    } catch (RuntimeException e) {
                        scheduled.remove(key);
                    }
                },
                after.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private static String key(HasMetadata object) {
        return object.getKind() + "/" + object.getMetadata().getNamespace() + "/"
                + object.getMetadata().getName();
    }

    private static Map<String, Object> condition(String type, boolean status, String now) {
        return Map.of("type", type, "status", status ? "True" : "False", "lastTransitionTime", now);
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
        timer.shutdownNow();
        client.close();
    }
}
