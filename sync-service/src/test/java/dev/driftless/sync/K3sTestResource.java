package dev.driftless.sync;

import io.fabric8.kubernetes.client.Config;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import java.util.ServiceConfigurationError;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A real Kubernetes API server: K3s in a container, for the machines that have Docker. The sandbox API stands in for
 * it everywhere else; tests using this resource are skipped where Docker is absent (see {@link #dockerAvailable()}).
 */
public class K3sTestResource implements QuarkusTestResourceLifecycleManager {

    private K3sContainer k3s;

    /** Whether a Docker engine answers; a client alone is not enough. */
    public static boolean dockerAvailable() {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // JUnit evaluates this in the test's class loader; Testcontainers finds its strategies through the context one
        thread.setContextClassLoader(K3sTestResource.class.getClassLoader());
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | ServiceConfigurationError e) {
            return false;
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public Map<String, String> start() {
        k3s = new K3sContainer(DockerImageName.parse("rancher/k3s:v1.31.4-k3s1"));
        k3s.start();
        Config config = Config.fromKubeconfig(k3s.getKubeConfigYaml());
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", config.getMasterUrl(),
                "quarkus.kubernetes-client.ca-cert-data", config.getCaCertData(),
                "quarkus.kubernetes-client.client-cert-data", config.getClientCertData(),
                "quarkus.kubernetes-client.client-key-data", config.getClientKeyData(),
                "quarkus.kubernetes-client.namespace", "default");
    }

    @Override
    public void stop() {
        if (k3s != null) {
            k3s.stop();
        }
    }
}
