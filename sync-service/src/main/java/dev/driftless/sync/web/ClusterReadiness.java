package dev.driftless.sync.web;

import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when the Kubernetes API server answers. */
@Readiness
@ApplicationScoped
public class ClusterReadiness implements HealthCheck {

    @Inject
    KubernetesClient client;

    @Override
    public HealthCheckResponse call() {
        try {
            client.namespaces().withName("default").get();
            return HealthCheckResponse.named("kubernetes-api")
                    .up()
                    .withData("url", client.getMasterUrl().toString())
                    .build();
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("kubernetes-api")
                    .down()
                    .withData("error", e.getMessage())
                    .build();
        }
    }
}
