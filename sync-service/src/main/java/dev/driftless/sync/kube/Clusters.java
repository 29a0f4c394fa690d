package dev.driftless.sync.kube;

import dev.driftless.sync.SyncConfig;
import dev.driftless.sync.domain.Reason;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The target clusters, by the name an application's {@code destination.cluster} gives: {@code default} is Quarkus's
 * own Kubernetes client; others come from {@code driftless.sync.clusters.<name>} (a kubeconfig file and context, or
 * in-cluster). Each is connected on first use and kept; an unknown name fails with {@link Reason#ClusterUnknown}.
 */
@ApplicationScoped
public class Clusters {

    /** The cluster of Quarkus's own Kubernetes client. */
    public static final String DEFAULT = "default";

    @Inject
    KubernetesClient defaultClient;

    @Inject
    SyncConfig config;

    private final Map<String, Cluster> connected = new ConcurrentHashMap<>();
    private final Map<String, KubernetesClient> ownClients = new ConcurrentHashMap<>();

    /** The cluster of that name. */
    public Cluster named(String name) throws ClusterFailure {
        String wanted = name == null || name.isBlank() ? DEFAULT : name;
        Cluster cluster = connected.get(wanted);
        if (cluster != null) {
            return cluster;
        }
        SyncConfig.ClusterTarget target = config.clusters().get(wanted);
        if (target == null) {
            if (!DEFAULT.equals(wanted)) {
                throw new ClusterFailure(
                        Reason.ClusterUnknown,
                        "no cluster " + wanted + " is configured (driftless.sync.clusters." + wanted + ".kubeconfig)");
            }
            return connected.computeIfAbsent(wanted, n -> new Cluster(n, defaultClient, config));
        }
        try {
            KubernetesClient client = ownClients.computeIfAbsent(
                    wanted, n -> connect(n, target, defaultClient.getKubernetesSerialization()));
            return connected.computeIfAbsent(wanted, n -> new Cluster(n, client, config));
        } catch (RuntimeException e) {
            throw new ClusterFailure(Reason.ClusterUnreachable, e.getMessage());
        }
    }

    /** Every cluster connected so far. */
    public java.util.Collection<Cluster> connected() {
        return connected.values();
    }

    private static KubernetesClient connect(
            String name,
            SyncConfig.ClusterTarget target,
            io.fabric8.kubernetes.client.utils.KubernetesSerialization serialization) {
        Config config;
        if (target.inCluster()) {
            config = Config.autoConfigure(target.context().orElse(null));
        } else if (target.kubeconfig().isPresent()) {
            try {
                String content = Files.readString(target.kubeconfig().get(), StandardCharsets.UTF_8);
                config = Config.fromKubeconfig(
                        target.context().orElse(null),
                        content,
                        target.kubeconfig().get().toString());
            } catch (IOException e) {
                throw new IllegalStateException(
                        "cluster " + name + ": cannot read kubeconfig "
                                + target.kubeconfig().get(),
                        e);
            }
        } else {
            throw new IllegalStateException(
                    "cluster " + name + ": set driftless.sync.clusters." + name + ".kubeconfig or .in-cluster=true");
        }
        return new KubernetesClientBuilder()
                .withConfig(config)
                .withKubernetesSerialization(serialization)
                .build();
    }

    @PreDestroy
    void close() {
        connected.values().forEach(Cluster::close);
        ownClients.values().forEach(KubernetesClient::close);
    }
}
