package dev.driftless.devstack.kube;

import dev.driftless.devstack.local.FreePorts;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real Kubernetes control plane on 127.0.0.1: {@code etcd}, {@code kube-apiserver} (TLS, token authentication,
 * {@code Node,RBAC} authorization, the default admission plugins, service-account token signing, an audit log of
 * sync-service's calls) and {@code kube-controller-manager} with the controllers a delivery tool relies on
 * (deployments, replica sets, stateful sets, daemon sets, jobs, namespaces, garbage collection, service accounts and
 * their tokens, endpoints and endpoint slices, persistent-volume binding). There is no kubelet or scheduler: the
 * {@link SimulatedKubelet} writes what a kubelet would. Every file (etcd's data, certificates, keys, logs) lives in
 * the state directory; {@link #close} stops every process.
 *
 * <p>Identities (bearer tokens from a token file, fresh for every start): {@code admin} ({@code system:masters}),
 * {@code system:kube-controller-manager}, and {@value #SYNC_SERVICE_USER}, which has no rights until RBAC grants
 * them (as {@code deploy/} does in a real cluster).
 */
public final class ControlPlane implements AutoCloseable {

    /** The user sync-service's restricted kubeconfig authenticates as: deploy/'s ServiceAccount. */
    public static final String SYNC_SERVICE_USER = "system:serviceaccount:driftless-system:sync-service";
    /** The user render-service signs in as: its ServiceAccount, as a token in-cluster would make it. */
    public static final String RENDER_SERVICE_USER = "system:serviceaccount:driftless-system:render-service";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final String CONTROLLERS = String.join(
            ",",
            "deployment-controller",
            "replicaset-controller",
            "statefulset-controller",
            "daemonset-controller",
            "job-controller",
            "cronjob-controller",
            "namespace-controller",
            "garbage-collector-controller",
            "serviceaccount-controller",
            "serviceaccount-token-controller",
            "root-ca-certificate-publisher-controller",
            "endpoints-controller",
            "endpointslice-controller",
            "endpointslice-mirroring-controller",
            "disruption-controller",
            "horizontal-pod-autoscaler-controller",
            "replicationcontroller-controller",
            "resourcequota-controller",
            "persistentvolume-binder-controller",
            "persistentvolume-protection-controller",
            "persistentvolumeclaim-protection-controller",
            "ttl-after-finished-controller",
            "clusterrole-aggregation-controller",
            "pod-garbage-collector-controller");

    private final Path state;
    private final List<Part> parts = new ArrayList<>();
    private String adminToken = token();
    private final String controllerManagerToken = token();
    private String syncServiceToken = token();
    private String renderServiceToken = token();
    private int apiPort;
    private String caPem;
    private SimulatedKubelet kubelet;

    private ControlPlane(Path state) {
        this.state = state;
    }

    /** One running process of the control plane, with its log. */
    private record Part(String name, Process process, Path log) {}

    /**
     * A control plane another part of this JVM started in {@code state} (a test class loaded by another class loader),
     * reached through the files it keeps there: its port, tokens and CA. Closing it stops nothing; its owner does.
     */
    public static ControlPlane attach(Path state) {
        ControlPlane plane = new ControlPlane(state.toAbsolutePath());
        try {
            plane.apiPort =
                    Integer.parseInt(Files.readString(state.resolve("port")).trim());
            plane.caPem = Files.readString(state.resolve("pki/apiserver.crt"));
            for (String line : Files.readAllLines(state.resolve("tokens.csv"))) {
                String[] fields = line.split(",", 4);
                if (fields.length < 3) {
                    continue;
                }
                if (fields[1].equals("admin")) {
                    plane.adminToken = fields[0];
                } else if (fields[1].equals(SYNC_SERVICE_USER)) {
                    plane.syncServiceToken = fields[0];
                } else if (fields[1].equals(RENDER_SERVICE_USER)) {
                    plane.renderServiceToken = fields[0];
                }
            }
            return plane;
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("no running control plane in " + state, e);
        }
    }

    /**
     * Starts etcd, kube-apiserver, kube-controller-manager and the simulated kubelet, and returns once the API server
     * is ready and the controllers run. On failure, stops what it started and throws with one line naming the part
     * and its log.
     *
     * @param state the directory for every file of the control plane (created if needed)
     * @param apiPort the API server's port, or 0 for a free one
     * @param progress where to print one line per part started
     */
    public static ControlPlane start(Path state, int apiPort, PrintStream progress) {
        ControlPlane plane = new ControlPlane(state.toAbsolutePath());
        try {
            plane.boot(ControlPlaneBinaries.resolve(), apiPort, progress);
            return plane;
        } catch (RuntimeException | IOException e) {
            plane.close();
            throw e instanceof IOException io ? new UncheckedIOException(io.getMessage(), io) : (RuntimeException) e;
        } catch (InterruptedException e) {
            plane.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the control plane", e);
        }
    }

    private void boot(Path bin, int requestedPort, PrintStream progress) throws IOException, InterruptedException {
        Files.createDirectories(state.resolve("logs"));
        Path pki = Files.createDirectories(state.resolve("pki"));
        writeServiceAccountKeys(pki);
        writePrivate(
                state.resolve("tokens.csv"),
                adminToken + ",admin,admin,\"system:masters\"\n"
                        + controllerManagerToken + ",system:kube-controller-manager,kube-controller-manager\n"
                        + syncServiceToken + "," + SYNC_SERVICE_USER + ",sync-service,"
                        + "\"system:serviceaccounts,system:serviceaccounts:driftless-system\"\n"
                        + renderServiceToken + "," + RENDER_SERVICE_USER + ",render-service,"
                        + "\"system:serviceaccounts,system:serviceaccounts:driftless-system\"\n");
        writePrivate(
                state.resolve("audit-policy.yaml"),
                """
                apiVersion: audit.k8s.io/v1
                kind: Policy
                omitStages: ["RequestReceived"]
                rules:
                - level: Metadata
                  users: ["%s"]
                - level: None
                """
                        .formatted(SYNC_SERVICE_USER));

        long t0 = System.nanoTime();
        int etcdPort = freePort();
        int peerPort = freePort();
        String etcdUrl = "http://127.0.0.1:" + etcdPort;
        Part etcd = launch(
                "etcd",
                List.of(
                        bin.resolve("etcd").toString(),
                        "--data-dir=" + state.resolve("etcd"),
                        "--listen-client-urls=" + etcdUrl,
                        "--advertise-client-urls=" + etcdUrl,
                        "--listen-peer-urls=http://127.0.0.1:" + peerPort,
                        "--initial-advertise-peer-urls=http://127.0.0.1:" + peerPort,
                        "--initial-cluster=default=http://127.0.0.1:" + peerPort,
                        "--listen-metrics-urls=",
                        "--unsafe-no-fsync=true",
                        "--log-level=warn"));
        awaitReady(etcd, () -> httpOk(HttpClient.newHttpClient(), etcdUrl + "/health", null));
        long tEtcd = System.nanoTime();

        apiPort = requestedPort == 0 ? freePort() : requestedPort;
        Part apiserver = launch(
                "kube-apiserver",
                List.of(
                        bin.resolve("kube-apiserver").toString(),
                        "--etcd-servers=" + etcdUrl,
                        "--bind-address=127.0.0.1",
                        "--advertise-address=127.0.0.1",
                        "--secure-port=" + apiPort,
                        "--cert-dir=" + pki,
                        "--token-auth-file=" + state.resolve("tokens.csv"),
                        "--authorization-mode=Node,RBAC",
                        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                        "--service-account-key-file=" + pki.resolve("sa.pub"),
                        "--service-account-signing-key-file=" + pki.resolve("sa.key"),
                        "--service-cluster-ip-range=10.96.0.0/12", // room for as many Services as a benchmark makes
                        "--allow-privileged=true",
                        // the kubernetes Service's endpoints would be 127.0.0.1, which the API refuses
                        "--endpoint-reconciler-type=none",
                        "--audit-policy-file=" + state.resolve("audit-policy.yaml"),
                        "--audit-log-path=" + state.resolve("logs/audit.log"),
                        "--audit-log-format=json"));
        java.util.function.Supplier<HttpClient> https = httpsClient(pki.resolve("apiserver.crt"));
        awaitReady(apiserver, () -> httpOk(https.get(), url() + "/readyz", adminToken));
        caPem = Files.readString(pki.resolve("apiserver.crt"));
        Files.writeString(state.resolve("port"), Integer.toString(apiPort));
        long tApi = System.nanoTime();

        Path cmConfig = writePrivate(
                state.resolve("kube-controller-manager.kubeconfig"),
                kubeconfig("kube-controller-manager", controllerManagerToken, "default"));
        Part controllers = launch(
                "kube-controller-manager",
                List.of(
                        bin.resolve("kube-controller-manager").toString(),
                        "--kubeconfig=" + cmConfig,
                        "--authentication-kubeconfig=" + cmConfig,
                        "--authorization-kubeconfig=" + cmConfig,
                        "--bind-address=127.0.0.1",
                        "--secure-port=0",
                        "--leader-elect=false",
                        "--use-service-account-credentials=true",
                        "--service-account-private-key-file=" + pki.resolve("sa.key"),
                        "--root-ca-file=" + pki.resolve("apiserver.crt"),
                        "--controllers=" + CONTROLLERS,
                        // the defaults (20 requests/s, bursts of 30) make the controllers take minutes to roll out
                        // a thousand Deployments; many production clusters raise them too
                        "--kube-api-qps=200",
                        "--kube-api-burst=400",
                        "--concurrent-deployment-syncs=10",
                        "--concurrent-replicaset-syncs=10",
                        // namespaces finalise and workloads roll out as fast as the controllers allow
                        "--concurrent-namespace-syncs=5",
                        "--namespace-sync-period=10s"));
        try (KubernetesClient admin = adminClient()) {
            // the service-account controller gives every namespace its "default" account: the controllers are up
            awaitReady(
                    controllers,
                    () -> admin.serviceAccounts()
                                    .inNamespace("default")
                                    .withName("default")
                                    .get()
                            != null);
        }
        long tControllers = System.nanoTime();
        kubelet = SimulatedKubelet.start(adminClient(), SimulatedStatus.defaultDelay());
        progress.printf(
                "  Kubernetes %s at %s: etcd %d ms, kube-apiserver %d ms, kube-controller-manager %d ms%n",
                version(),
                url(),
                TimeUnit.NANOSECONDS.toMillis(tEtcd - t0),
                TimeUnit.NANOSECONDS.toMillis(tApi - tEtcd),
                TimeUnit.NANOSECONDS.toMillis(tControllers - tApi));
    }

    /** The API server's URL, e.g. {@code https://127.0.0.1:6443}. */
    public String url() {
        return "https://127.0.0.1:" + apiPort;
    }

    /** The server's version as {@code /version} reports it, e.g. {@code v1.36.3}. */
    public String version() {
        try (KubernetesClient admin = adminClient()) {
            return admin.getKubernetesVersion().getGitVersion();
        }
    }

    /** The CA certificate (PEM) clients verify the API server with. */
    public String certificateAuthority() {
        return caPem;
    }

    /** The audit log: one JSON line per request sync-service's identity made. */
    public Path auditLog() {
        return state.resolve("logs/audit.log");
    }

    /**
     * The requests in an audit log, one line each as the sandbox's request log has them: method, URI with query and
     * the user it impersonated if any, and response code ({@code GET /api/v1/namespaces/x 200},
     * {@code PATCH /api/v1/namespaces/x/configmaps/y as system:serviceaccount:x:driftless-deployer 201}), in the order
     * the API server answered them.
     */
    public static List<String> requests(Path auditLog) throws IOException {
        if (!Files.exists(auditLog)) {
            return List.of();
        }
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(auditLog)) {
            if (line.isBlank()) {
                continue;
            }
            com.fasterxml.jackson.databind.JsonNode event;
            try {
                event = json.readTree(line);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                continue; // a line being written as we read
            }
            String method =
                    switch (event.path("verb").asText()) {
                        case "get", "list", "watch" -> "GET";
                        case "create" -> "POST";
                        case "update" -> "PUT";
                        case "patch" -> "PATCH";
                        case "delete", "deletecollection" -> "DELETE";
                        default -> event.path("verb").asText().toUpperCase(java.util.Locale.ROOT);
                    };
            String as = event.path("impersonatedUser").path("username").asText("");
            lines.add(method + " " + event.path("requestURI").asText() + (as.isEmpty() ? "" : " as " + as) + " "
                    + event.path("responseStatus").path("code").asInt());
        }
        return lines;
    }

    /** The process id of each running part (etcd, kube-apiserver, kube-controller-manager), by name. */
    public Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        parts.forEach(part -> pids.put(part.name(), part.process().pid()));
        return pids;
    }

    /** The directory with the parts' logs. */
    public Path logs() {
        return state.resolve("logs");
    }

    /** Client configuration for the cluster administrator ({@code system:masters}). */
    public Config adminConfig() {
        return config(adminToken);
    }

    /** Client configuration for sync-service's own identity, which can do only what RBAC grants it. */
    public Config syncServiceConfig() {
        return config(syncServiceToken);
    }

    /** The bearer token of sync-service's identity. */
    public String syncServiceToken() {
        return syncServiceToken;
    }

    /**
     * Gives sync-service's identity the rights a cluster administrator gives it in production: creates the
     * {@code driftless-system} namespace and applies the RBAC manifests (deploy/'s {@code sync-service-rbac.yaml},
     * and the deployer it impersonates, {@code deploy/kubernetes/local/deployer.yaml}), in order.
     */
    public void grantSyncServiceRbac(Path... manifests) {
        try (KubernetesClient admin = adminClient()) {
            admin.namespaces()
                    .resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                            .withNewMetadata()
                            .withName("driftless-system")
                            .endMetadata()
                            .build())
                    .serverSideApply();
            for (Path manifest : manifests) {
                try (InputStream rbac = Files.newInputStream(manifest)) {
                    admin.load(rbac).serverSideApply();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + manifest, e);
                }
            }
        }
    }

    /** A new administrator's client; the caller closes it. */
    public KubernetesClient adminClient() {
        return new KubernetesClientBuilder().withConfig(adminConfig()).build();
    }

    /** Writes the administrator's kubeconfig (mode 600), for kubectl and for people. */
    public Path writeAdminKubeconfig(Path file) {
        return writePrivate(file, kubeconfig("admin", adminToken, "default"));
    }

    /** Writes render-service's restricted kubeconfig (mode 600): the catalog's resources, read-only. */
    public Path writeRenderServiceKubeconfig(Path file) {
        return writePrivate(file, kubeconfig("render-service", renderServiceToken, "driftless-system"));
    }

    /** Writes sync-service's restricted kubeconfig (mode 600). */
    public Path writeSyncServiceKubeconfig(Path file) {
        return writeSyncServiceKubeconfig(file, url());
    }

    /**
     * Writes sync-service's restricted kubeconfig (mode 600) naming another server, one that presents this server's
     * certificate (a fault proxy before it).
     */
    public Path writeSyncServiceKubeconfig(Path file, String server) {
        return writePrivate(file, kubeconfig(server, "sync-service", syncServiceToken, "default"));
    }

    /** The API server's serving certificate (PEM), which its own kubeconfigs trust. */
    public Path servingCertificate() {
        return state.resolve("pki/apiserver.crt");
    }

    /** The API server's serving key (PEM). */
    public Path servingKey() {
        return state.resolve("pki/apiserver.key");
    }

    private Config config(String bearer) {
        Config config = Config.empty();
        config.setMasterUrl(url());
        config.setOauthToken(bearer);
        config.setCaCertData(Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8)));
        config.setNamespace("default");
        config.setRequestTimeout(30_000);
        return config;
    }

    private String kubeconfig(String user, String bearer, String namespace) {
        return kubeconfig(url(), user, bearer, namespace);
    }

    private String kubeconfig(String server, String user, String bearer, String namespace) {
        String ca = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8));
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: driftless-local
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                contexts:
                - name: %s@driftless-local
                  context:
                    cluster: driftless-local
                    user: %s
                    namespace: %s
                current-context: %s@driftless-local
                users:
                - name: %s
                  user:
                    token: %s
                """
                .formatted(server, ca, user, user, namespace, user, user, bearer);
    }

    private Part launch(String name, List<String> command) throws IOException {
        Path log = state.resolve("logs").resolve(name + ".log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        Part part = new Part(name, process, log);
        parts.add(part);
        return part;
    }

    /** A readiness probe that may throw while the part is still starting. */
    private interface Probe {
        boolean ready() throws Exception;
    }

    private static void awaitReady(Part part, Probe probe) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!part.process().isAlive()) {
                throw new IllegalStateException(part.name() + " exited with code "
                        + part.process().exitValue() + " while starting; see " + part.log() + lastLine(part.log()));
            }
            try {
                if (probe.ready()) {
                    return;
                }
            } catch (Exception e) {
                // not answering yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(part.name() + " did not become ready in " + START_TIMEOUT.toSeconds()
                        + " s; see " + part.log() + lastLine(part.log()));
            }
            Thread.sleep(100);
        }
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    String line = lines.get(i).strip();
                    return " (last line: " + (line.length() > 300 ? line.substring(0, 300) + "…" : line) + ")";
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // no log to quote
        }
        return "";
    }

    private static boolean httpOk(HttpClient http, String url, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(2))
                .GET();
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode()
                == 200;
    }

    /** An HTTPS client trusting the certificates in {@code caFile}, which the API server writes as it starts. */
    private static java.util.function.Supplier<HttpClient> httpsClient(Path caFile) {
        return () -> {
            try (InputStream in = Files.newInputStream(caFile)) {
                KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
                trust.load(null, null);
                int i = 0;
                for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    trust.setCertificateEntry("ca-" + i++, cert);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
                SSLContext tls = SSLContext.getInstance("TLS");
                tls.init(null, tmf.getTrustManagers(), null);
                return HttpClient.newBuilder().sslContext(tls).build();
            } catch (IOException | java.security.GeneralSecurityException e) {
                throw new IllegalStateException("the API server's certificate is not readable yet", e);
            }
        };
    }

    private static void writeServiceAccountKeys(Path pki) throws IOException {
        if (Files.exists(pki.resolve("sa.key"))) {
            return;
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            writePrivate(
                    pki.resolve("sa.key"), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            writePrivate(
                    pki.resolve("sa.pub"), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static Path writePrivate(Path file, String content) {
        try {
            Files.writeString(file, content);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String token() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static int freePort() {
        return FreePorts.next();
    }

    /** Stops the simulated kubelet, the controllers, the API server and etcd, in that order. */
    @Override
    public void close() {
        if (kubelet != null) {
            kubelet.close();
        }
        for (int i = parts.size() - 1; i >= 0; i--) {
            Process process = parts.get(i).process();
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        parts.clear();
    }
}
