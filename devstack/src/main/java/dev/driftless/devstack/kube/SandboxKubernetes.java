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
import java.time.Duration;
import java.util.HashMap;

/**
 * The sandbox Kubernetes API: fabric8's mock server in CRUD mode, extended by {@link SandboxDispatcher} so that
 * server-side apply, field managers, dry-run and namespace existence behave as on a real API server for the kinds
 * Driftless applies. It is a stand-in (no real API server can run on the build machines); it keeps objects in
 * memory, serves plain HTTP on 127.0.0.1, and answers watches (label selectors with {@code =}, {@code !=}, exists
 * and not-exists). It runs no controllers; a status simulator writes the status they would (see
 * {@link #statusDelay(Duration)}).
 */
public final class SandboxKubernetes implements AutoCloseable {

    /** System property with the default status delay, e.g. {@code 200ms}, {@code 2s}, {@code 0}; default 200 ms. */
    public static final String STATUS_DELAY_PROPERTY = "driftless.sandbox.status-delay";
    /** Object annotation choosing the simulated outcome: {@code ready} (default), {@code progressing}, {@code failed}. */
    public static final String SIMULATE_ANNOTATION = SimulatedStatus.SIMULATE;
    /** Object annotation overriding the status delay for that object, e.g. {@code 2s}. */
    public static final String SIMULATE_DELAY_ANNOTATION = SimulatedStatus.SIMULATE_DELAY;
    /** Annotation (any value) making the first server-side apply of an object fail with 503, for retry tests. */
    public static final String FAIL_FIRST_APPLY_ANNOTATION = SandboxDispatcher.FAIL_ONCE;

    private final KubernetesMockServer server;
    private final SandboxDispatcher dispatcher;

    private SandboxKubernetes(KubernetesMockServer server, SandboxDispatcher dispatcher) {
        this.server = server;
        this.dispatcher = dispatcher;
    }

    /**
     * Starts the sandbox on 127.0.0.1, with the status delay from {@value #STATUS_DELAY_PROPERTY} or 200 ms.
     *
     * @param port the port, or 0 for a free one
     */
    public static SandboxKubernetes start(int port) {
        String delay = System.getProperty(STATUS_DELAY_PROPERTY, "200ms");
        return start(port, SimulatedStatus.parseDuration(delay));
    }

    /**
     * Starts the sandbox on 127.0.0.1.
     *
     * @param port the port, or 0 for a free one
     * @param statusDelay how long after an object is created or its spec changes its simulated status is written
     *     (see {@link #statusDelay(Duration)})
     */
    public static SandboxKubernetes start(int port, Duration statusDelay) {
        SandboxDispatcher dispatcher = new SandboxDispatcher(statusDelay);
        KubernetesMockServer server =
                new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), port);
        } catch (IOException e) {
            dispatcher.close();
            throw new UncheckedIOException("cannot start the sandbox Kubernetes API on port " + port, e);
        }
        return new SandboxKubernetes(server, dispatcher);
    }

    /**
     * Appends every request from now on to a file, one line each: method, path with query, response code and bearer
     * token, so a test can see exactly which API calls a service made (sync-service's RBAC test does).
     */
    public SandboxKubernetes recordRequestsTo(Path file) {
        dispatcher.recordRequestsTo(file);
        return this;
    }

    /**
     * Sets the delay before the status simulator writes the status of an object created or changed from now on, as
     * the controllers of a real cluster would: a completed rollout for Deployments, StatefulSets, ReplicaSets and
     * DaemonSets, a completed Job, a Running Pod, a Bound PersistentVolumeClaim, an ingress IP for a LoadBalancer
     * Service. Zero writes it before the write that triggered it returns. An object's
     * {@value #SIMULATE_DELAY_ANNOTATION} annotation overrides it, and {@value #SIMULATE_ANNOTATION} makes it stay
     * progressing or fail.
     */
    public SandboxKubernetes statusDelay(Duration delay) {
        dispatcher.statusDelay(delay);
        return this;
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
        dispatcher.close();
    }
}
