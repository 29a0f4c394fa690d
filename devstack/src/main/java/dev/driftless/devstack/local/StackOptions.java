package dev.driftless.devstack.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * How to run the local stack.
 *
 * @param home the Driftless checkout, whose modules' {@code target/} hold the service builds
 * @param stateDir where the stack keeps its state (repositories, catalog, caches, logs, env file)
 * @param kafkaPort embedded broker port (0 for a free one)
 * @param gitPort Git server port
 * @param clusterPort the Kubernetes API port of the cluster the stack starts (real or sandbox)
 * @param webhookPort webhook-service port
 * @param renderPort render-service port
 * @param syncPort sync-service port
 * @param auditPort audit-service port
 * @param webhookSecret the webhook secret, or {@code null} to use the stored (or a new) one
 * @param database where the audit log goes
 * @param serviceHeap {@code -Xmx} of each service process
 * @param cluster which Kubernetes the stack deploys to
 * @param replicas how many processes of each service run (1; the {@code faults} benchmark runs 2, as production's
 *     overlay does): the replicas share work through their consumer groups, and a balancer before webhook-service's
 *     replicas takes the Git server's webhooks in turn, as a Kubernetes Service would
 * @param apiServerFaults whether sync-service reaches a real control plane through a {@link
 *     dev.driftless.devstack.faults.ApiServerFaults} proxy that a benchmark can make answer 503 or 429 or time out
 */
public record StackOptions(
        Path home,
        Path stateDir,
        int kafkaPort,
        int gitPort,
        int clusterPort,
        int webhookPort,
        int renderPort,
        int syncPort,
        int auditPort,
        String webhookSecret,
        Database database,
        String serviceHeap,
        Cluster cluster,
        int replicas,
        boolean apiServerFaults) {

    /** Checks the replica count. */
    public StackOptions {
        if (replicas < 1 || replicas > 3) {
            throw new IllegalArgumentException("replicas must be 1, 2 or 3, not " + replicas);
        }
    }

    /** The options this record had before replicas and API server faults: one of each service, no fault proxy. */
    public StackOptions(
            Path home,
            Path stateDir,
            int kafkaPort,
            int gitPort,
            int clusterPort,
            int webhookPort,
            int renderPort,
            int syncPort,
            int auditPort,
            String webhookSecret,
            Database database,
            String serviceHeap,
            Cluster cluster) {
        this(
                home,
                stateDir,
                kafkaPort,
                gitPort,
                clusterPort,
                webhookPort,
                renderPort,
                syncPort,
                auditPort,
                webhookSecret,
                database,
                serviceHeap,
                cluster,
                1,
                false);
    }

    /**
     * The audit database.
     *
     * @param url JDBC URL, or {@code null} to use PostgreSQL on 127.0.0.1:5432 when reachable and a private
     *     PostgreSQL under the state directory otherwise
     * @param user user name
     * @param schema schema the audit log lives in
     */
    public record Database(String url, String user, String schema) {}

    /**
     * Which Kubernetes the stack deploys to.
     *
     * @param kind a real control plane started by the stack, the sandbox (the stand-in API server), or the user's own
     *     cluster through a kubeconfig
     * @param kubeconfig the user's kubeconfig, for {@link Kind#KUBECONFIG} only
     */
    public record Cluster(Kind kind, Path kubeconfig) {

        /** The kinds of cluster. */
        public enum Kind {
            REAL,
            SANDBOX,
            KUBECONFIG
        }

        /** A real control plane (kube-apiserver, etcd, kube-controller-manager), built once from Go modules. */
        public static Cluster real() {
            return new Cluster(Kind.REAL, null);
        }

        /** The sandbox: fabric8's mock server with server-side apply, in memory. */
        public static Cluster sandbox() {
            return new Cluster(Kind.SANDBOX, null);
        }

        /** The user's own cluster (kind, k3d, a real one). */
        public static Cluster kubeconfig(Path kubeconfig) {
            return new Cluster(Kind.KUBECONFIG, kubeconfig);
        }

        /**
         * The choice {@code DRIFTLESS_CLUSTER} ({@code real}, {@code sandbox} or {@code kubeconfig}) and
         * {@code DRIFTLESS_KUBECONFIG} make; without either, a real control plane where one is built or Go can build
         * it, else the sandbox. {@code DRIFTLESS_KUBECONFIG} alone means the user's cluster, unless it is the
         * kubeconfig an earlier {@code ./driftless up} wrote into the state directory (sourced from its env file).
         *
         * @throws IllegalArgumentException for an unknown value or {@code kubeconfig} without a readable file
         */
        public static Cluster fromEnvironment(Map<String, String> env, Path stateDir, BooleanSupplier realAvailable) {
            String wanted = env.getOrDefault("DRIFTLESS_CLUSTER", "").trim().toLowerCase(java.util.Locale.ROOT);
            String kubeconfig = env.get("DRIFTLESS_KUBECONFIG");
            boolean ours = kubeconfig != null
                    && Path.of(kubeconfig)
                            .toAbsolutePath()
                            .normalize()
                            .startsWith(stateDir.toAbsolutePath().normalize());
            switch (wanted) {
                case "real":
                    return real();
                case "sandbox":
                    return sandbox();
                case "kubeconfig":
                    if (kubeconfig == null || kubeconfig.isBlank() || !Files.isReadable(Path.of(kubeconfig))) {
                        throw new IllegalArgumentException(
                                "DRIFTLESS_CLUSTER=kubeconfig needs DRIFTLESS_KUBECONFIG naming a readable kubeconfig"
                                        + (kubeconfig == null ? "" : " (" + kubeconfig + " is not)"));
                    }
                    return kubeconfig(Path.of(kubeconfig));
                case "":
                    if (kubeconfig != null && !kubeconfig.isBlank() && !ours) {
                        return fromEnvironment(
                                Map.of("DRIFTLESS_CLUSTER", "kubeconfig", "DRIFTLESS_KUBECONFIG", kubeconfig),
                                stateDir,
                                realAvailable);
                    }
                    return realAvailable.getAsBoolean() ? real() : sandbox();
                default:
                    throw new IllegalArgumentException(
                            "DRIFTLESS_CLUSTER must be real, sandbox or kubeconfig, not '" + wanted + "'");
            }
        }
    }

    /** The design's ports: Kafka 9092, Git 8090, Kubernetes API 8091, services 8081 to 8084; a real control plane. */
    public static StackOptions defaults(Path home) {
        return new StackOptions(
                home,
                home.resolve(".driftless"),
                9092,
                8090,
                8091,
                8081,
                8082,
                8083,
                8084,
                null,
                new Database(null, "postgres", "driftless"),
                "384m",
                Cluster.real());
    }

    /** The same options with another cluster. */
    public StackOptions withCluster(Cluster other) {
        return with(other, replicas, apiServerFaults);
    }

    /** The same options with {@code count} processes of each service. */
    public StackOptions withReplicas(int count) {
        return with(cluster, count, apiServerFaults);
    }

    /** The same options with sync-service reaching the control plane through a fault proxy. */
    public StackOptions withApiServerFaults() {
        return with(cluster, replicas, true);
    }

    private StackOptions with(Cluster otherCluster, int otherReplicas, boolean otherApiServerFaults) {
        return new StackOptions(
                home,
                stateDir,
                kafkaPort,
                gitPort,
                clusterPort,
                webhookPort,
                renderPort,
                syncPort,
                auditPort,
                webhookSecret,
                database,
                serviceHeap,
                otherCluster,
                otherReplicas,
                otherApiServerFaults);
    }

    /**
     * Every part on a free port (the broker's chosen by itself), so a test or benchmark stack never collides with
     * {@code ./driftless up} or another stack; a real control plane ({@link #withCluster} chooses another).
     */
    public static StackOptions onFreePorts(
            Path home, Path stateDir, String webhookSecret, Database database, String serviceHeap) {
        return new StackOptions(
                home,
                stateDir,
                0,
                freePort(),
                freePort(),
                freePort(),
                freePort(),
                freePort(),
                freePort(),
                webhookSecret,
                database,
                serviceHeap,
                Cluster.real());
    }

    static int freePort() {
        return FreePorts.next();
    }
}
