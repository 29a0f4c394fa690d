package dev.driftless.devstack.kube;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Quarkus test resource that points the Kubernetes client at a fresh sandbox API server (the one stand-in; see
 * {@link SandboxKubernetes}).
 */
public class SandboxTestResource implements QuarkusTestResourceLifecycleManager {

    private SandboxKubernetes sandbox;

    @Override
    public Map<String, String> start() {
        sandbox = SandboxKubernetes.start(0);
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", sandbox.url(),
                "quarkus.kubernetes-client.token", "sandbox",
                "quarkus.kubernetes-client.trust-certs", "true",
                "quarkus.kubernetes-client.namespace", "default");
    }

    @Override
    public void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
    }
}
