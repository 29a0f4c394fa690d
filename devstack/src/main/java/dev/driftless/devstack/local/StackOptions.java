package dev.driftless.devstack.local;

import java.nio.file.Path;

/**
 * How to run the local stack.
 *
 * @param home the Driftless checkout, whose modules' {@code target/} hold the service builds
 * @param stateDir where the stack keeps its state (repositories, catalog, caches, logs, env file)
 * @param kafkaPort embedded broker port (0 for a free one)
 * @param gitPort Git server port
 * @param sandboxPort sandbox Kubernetes API port
 * @param webhookPort webhook-service port
 * @param renderPort render-service port
 * @param syncPort sync-service port
 * @param auditPort audit-service port
 * @param webhookSecret the webhook secret, or {@code null} to use the stored (or a new) one
 * @param database where the audit log goes
 * @param serviceHeap {@code -Xmx} of each service process
 */
public record StackOptions(
        Path home,
        Path stateDir,
        int kafkaPort,
        int gitPort,
        int sandboxPort,
        int webhookPort,
        int renderPort,
        int syncPort,
        int auditPort,
        String webhookSecret,
        Database database,
        String serviceHeap) {

    /**
     * The audit database.
     *
     * @param url JDBC URL, or {@code null} to use PostgreSQL on 127.0.0.1:5432 when reachable and a private
     *     PostgreSQL under the state directory otherwise
     * @param user user name
     * @param schema schema the audit log lives in
     */
    public record Database(String url, String user, String schema) {}

    /** The design's ports: Kafka 9092, Git 8090, sandbox API 8091, services 8081 to 8084. */
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
                "384m");
    }

    /**
     * Every part on a free port (the broker's chosen by itself), so a test or benchmark stack never collides with
     * {@code ./driftless up} or another stack.
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
                serviceHeap);
    }

    private static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("no free port", e);
        }
    }
}
