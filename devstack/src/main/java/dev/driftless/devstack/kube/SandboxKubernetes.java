package dev.driftless.devstack.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

/**
 * The sandbox Kubernetes API: fabric8's mock server in CRUD mode, extended by {@link SandboxDispatcher} so that
 * server-side apply, field managers, dry-run and namespace existence behave as on a real API server for the kinds
 * Driftless applies. It is a stand-in (no real API server can run on the build machines); it keeps objects in
 * memory, serves plain HTTP on 127.0.0.1, and answers watches.
 */
public final class SandboxKubernetes implements AutoCloseable {

    private final KubernetesMockServer server;

    private SandboxKubernetes(KubernetesMockServer server) {
        this.server = server;
    }

    /**
     * Starts the sandbox on 127.0.0.1.
     *
     * @param port the port, or 0 for a free one
     */
    public static SandboxKubernetes start(int port) {
        KubernetesMockServer server = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new SandboxDispatcher(), false);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the sandbox Kubernetes API on port " + port, e);
        }
        return new SandboxKubernetes(server);
    }

    /** The API server URL, e.g. {@code http://127.0.0.1:8092}. */
    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** A client for the sandbox; the caller closes it. */
    public KubernetesClient client() {
        return server.createClient();
    }

    /** Writes a kubeconfig that points at the sandbox, for tools and services started as processes. */
    public Path writeKubeconfig(Path file) {
        String kubeconfig =
                """
                apiVersion: v1
                kind: Config
                clusters:
                - name: sandbox
                  cluster:
                    server: %s
                contexts:
                - name: sandbox
                  context:
                    cluster: sandbox
                    user: driftless
                    namespace: default
                current-context: sandbox
                users:
                - name: driftless
                  user:
                    token: sandbox
                """
                        .formatted(url());
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, kubeconfig);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write kubeconfig " + file, e);
        }
    }

    @Override
    public void close() {
        server.destroy();
    }
}
