package dev.driftless.devstack.kube;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Quarkus test resource that points the Kubernetes client at the real control plane ({@link ControlPlane}): one per
 * test JVM, started on first use and stopped when the JVM exits, shared by every test class that names this resource
 * (tests keep apart by namespace). The service under test authenticates as sync-service's own identity, with exactly
 * the rights that {@code deploy/kubernetes/base/sync-service-rbac.yaml} grants, applied here as a cluster
 * administrator would: a call the manifests do not allow fails the test as it would fail in production. It applies
 * as {@code deploy/kubernetes/local/deployer.yaml}'s ServiceAccount, which it impersonates.
 *
 * <p>Properties it adds for tests: {@code test.cluster.url}, {@code test.cluster.admin-kubeconfig},
 * {@code test.cluster.audit-log} (one JSON line per request sync-service made, from the API server's audit log).
 */
public class ControlPlaneTestResource implements QuarkusTestResourceLifecycleManager {

    static final String RBAC = "deploy/kubernetes/base/sync-service-rbac.yaml";
    /** The Application and Project CRDs, and what render-service may read of them. */
    static final String CRDS = "deploy/kubernetes/base/crds.yaml";

    static final String RENDER_RBAC = "deploy/kubernetes/base/render-service-rbac.yaml";
    /** The single deployer ServiceAccount sync-service impersonates for applications whose project names none. */
    static final String DEPLOYER = "deploy/kubernetes/local/deployer.yaml";
    /** The value of {@code driftless.sync.impersonation.default-service-account} that names {@link #DEPLOYER}. */
    public static final String DEPLOYER_ACCOUNT = "driftless-system/driftless-deployer";
    /**
     * System property naming the running control plane's state directory: Quarkus loads each test application in a
     * class loader of its own, so a static field alone would start one control plane per test class.
     */
    static final String SHARED = "driftless.controlplane.shared-state";

    private static ControlPlane shared;
    private static Path state;

    /** The control plane of this JVM, started on first call. */
    /** A client of the cluster a kubeconfig names (the administrator's, in tests); the caller closes it. */
    public static io.fabric8.kubernetes.client.KubernetesClient client(java.nio.file.Path kubeconfig) {
        try {
            return new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                    .withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(
                            java.nio.file.Files.readString(kubeconfig)))
                    .build();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + kubeconfig, e);
        }
    }

    public static synchronized ControlPlane controlPlane() {
        if (shared == null && System.getProperty(SHARED) != null) {
            state = Path.of(System.getProperty(SHARED));
            shared = ControlPlane.attach(state);
        }
        if (shared == null) {
            try {
                state = Files.createTempDirectory("driftless-controlplane");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ControlPlane plane = ControlPlane.start(state, 0, System.out);
            try {
                plane.grantSyncServiceRbac(
                        ControlPlaneBinaries.repositoryRoot().resolve(CRDS),
                        ControlPlaneBinaries.repositoryRoot().resolve(RBAC),
                        ControlPlaneBinaries.repositoryRoot().resolve(RENDER_RBAC),
                        ControlPlaneBinaries.repositoryRoot().resolve(DEPLOYER));
            } catch (RuntimeException e) {
                plane.close();
                throw e;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(ControlPlaneTestResource::stopShared, "controlplane-stop"));
            System.setProperty(SHARED, state.toString());
            shared = plane;
        }
        return shared;
    }

    private static synchronized void stopShared() {
        if (shared != null) {
            System.clearProperty(SHARED);
            shared.close();
            shared = null;
            try (Stream<Path> paths = Files.walk(state)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary directory; the operating system cleans it eventually
            }
        }
    }

    @Override
    public Map<String, String> start() {
        ControlPlane plane = controlPlane();
        Path adminKubeconfig = plane.writeAdminKubeconfig(state.resolve("admin.kubeconfig"));
        Path renderKubeconfig = plane.writeRenderServiceKubeconfig(state.resolve("render-service.kubeconfig"));
        return Map.of(
                "test.cluster.render-kubeconfig", renderKubeconfig.toString(),
                "driftless.sync.impersonation.default-service-account", DEPLOYER_ACCOUNT,
                "quarkus.kubernetes-client.api-server-url", plane.url(),
                "quarkus.kubernetes-client.token", plane.syncServiceToken(),
                "quarkus.kubernetes-client.ca-cert-data",
                        Base64.getEncoder()
                                .encodeToString(plane.certificateAuthority().getBytes(StandardCharsets.UTF_8)),
                "quarkus.kubernetes-client.trust-certs", "false",
                "quarkus.kubernetes-client.namespace", "default",
                "test.cluster.url", plane.url(),
                "test.cluster.admin-kubeconfig", adminKubeconfig.toString(),
                "test.cluster.audit-log", plane.auditLog().toString());
    }

    @Override
    public void stop() {
        // shared by the JVM's test classes; stopped when the JVM exits
    }
}
