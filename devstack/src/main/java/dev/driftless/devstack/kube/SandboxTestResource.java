package dev.driftless.devstack.kube;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.time.Duration;
import java.util.Map;

/**
 * Quarkus test resource that points the Kubernetes client at a fresh sandbox API server (the one stand-in; see
 * {@link SandboxKubernetes}). The status simulator's delay can be set with the init argument {@value #STATUS_DELAY},
 * e.g. {@code @QuarkusTestResource(value = SandboxTestResource.class, initArgs = @ResourceArg(name = "status-delay",
 * value = "0"))}.
 */
public class SandboxTestResource implements QuarkusTestResourceLifecycleManager {

    /** Init argument with the status delay, e.g. {@code 0} or {@code 500ms}; see {@link SandboxKubernetes}. */
    public static final String STATUS_DELAY = "status-delay";

    private SandboxKubernetes sandbox;
    private Duration statusDelay;

    @Override
    public void init(Map<String, String> initArgs) {
        String delay = initArgs.get(STATUS_DELAY);
        statusDelay = delay == null ? null : SimulatedStatus.parseDuration(delay);
    }

    @Override
    public Map<String, String> start() {
        sandbox = statusDelay == null ? SandboxKubernetes.start(0) : SandboxKubernetes.start(0, statusDelay);
        java.nio.file.Path requests;
        try {
            requests = java.nio.file.Files.createTempFile("sandbox-requests", ".log");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        sandbox.recordRequestsTo(requests);
        return Map.of(
                "test.sandbox.request-log",
                requests.toString(),
                "test.sandbox.url",
                sandbox.url(),
                "quarkus.kubernetes-client.api-server-url",
                sandbox.url(),
                "quarkus.kubernetes-client.token",
                "sandbox",
                "quarkus.kubernetes-client.trust-certs",
                "true",
                "quarkus.kubernetes-client.namespace",
                "default");
    }

    @Override
    public void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
    }
}
