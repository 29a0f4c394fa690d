package dev.driftless.sync.web;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only when the Kubernetes API server answers. The check asks once, within {@value #TIMEOUT_MS} ms, with a
 * client of its own that does not retry: the service's client retries a failed call with backoff for many seconds,
 * which is right for an apply and wrong for a readiness probe (Kubernetes gives a probe a second by default).
 */
@Readiness
@ApplicationScoped
public class ClusterReadiness implements HealthCheck {

    static final int TIMEOUT_MS = 2_000;

    @Inject
    KubernetesClient client;

    private volatile KubernetesClient probe;

    @Override
    public HealthCheckResponse call() {
        try {
            probe().namespaces().withName("default").get();
            return HealthCheckResponse.named("kubernetes-api")
                    .up()
                    .withData("url", client.getMasterUrl().toString())
                    .build();
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("kubernetes-api")
                    .down()
                    .withData("error", String.valueOf(e.getMessage()))
                    .build();
        }
    }

    private KubernetesClient probe() {
        KubernetesClient p = probe;
        if (p == null) {
            synchronized (this) {
                if (probe == null) {
                    probe = new KubernetesClientBuilder()
                            .withConfig(new ConfigBuilder(client.getConfiguration())
                                    .withRequestRetryBackoffLimit(0)
                                    .withConnectionTimeout(TIMEOUT_MS)
                                    .withRequestTimeout(TIMEOUT_MS)
                                    .build())
                            .withKubernetesSerialization(client.getKubernetesSerialization())
                            .build();
                }
                p = probe;
            }
        }
        return p;
    }

    @PreDestroy
    void close() {
        if (probe != null) {
            probe.close();
        }
    }
}
