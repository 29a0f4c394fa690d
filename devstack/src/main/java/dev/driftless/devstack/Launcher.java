package dev.driftless.devstack;

import dev.driftless.devstack.kube.ControlPlaneBinaries;
import dev.driftless.devstack.local.LocalStack;
import dev.driftless.devstack.local.StackOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.LogManager;

/**
 * Entry point of {@code ./driftless up}: starts the whole stack on embedded defaults in the foreground, prints one
 * line when everything is ready, and stops every part on Ctrl-C or SIGTERM.
 *
 * <p>Environment: {@code DRIFTLESS_HOME} (the checkout; default the working directory), {@code DRIFTLESS_STATE_DIR}
 * (default {@code .driftless}), {@code DRIFTLESS_WEBHOOK_SECRET} (default: generated once and kept in the state
 * directory), {@code DRIFTLESS_DB_URL} / {@code DRIFTLESS_DB_USER} / {@code DRIFTLESS_DB_SCHEMA} (default:
 * PostgreSQL on 127.0.0.1:5432, else a private one), {@code DRIFTLESS_SERVICE_HEAP} (default 384m),
 * {@code DRIFTLESS_CLUSTER} ({@code real}, {@code sandbox} or {@code kubeconfig}; default real where Go can build it)
 * and {@code DRIFTLESS_KUBECONFIG} (the user's own cluster).
 */
public final class Launcher {

    private Launcher() {}

    /**
     * {@code driftless keys <directory>}: makes the keys a deployment needs (those {@code ./driftless up} makes for
     * itself) where they are missing, and says which file goes to which service.
     */
    static int keys(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: driftless keys <directory>");
            return 2;
        }
        try {
            Path dir = Path.of(args[1]).toAbsolutePath().normalize();
            var made = dev.driftless.devstack.local.StackKeys.stored(dir);
            System.out.println("keys in " + dir + " (existing files are kept):");
            System.out.println("  render-service: " + made.recipients().getFileName() + " (age recipients), "
                    + made.digestKey().getFileName() + " (digest key, secret), "
                    + made.signingKey().getFileName()
                    + " (signing key pair, secret), " + made.commandSigners().getFileName()
                    + " (the public keys commands are signed with), "
                    + made.pushSigners().getFileName()
                    + " (the public key pushes are signed with)");
            System.out.println("  sync-service:   " + made.identities().getFileName() + " (age identity, secret), "
                    + made.signingPublicKey().getFileName() + " (render-service's public key), "
                    + made.syncSigningKey().getFileName() + " (its own signing key pair, secret)");
            System.out.println(
                    "  audit-service:  " + made.auditSigningKey().getFileName() + " (signing key pair, secret)");
            System.out.println(
                    "  webhook-service: " + made.webhookSigningKey().getFileName() + " (signing key pair, secret)");
            return 0;
        } catch (IOException | RuntimeException e) {
            System.err.println("driftless keys: " + e.getMessage());
            return 1;
        }
    }

    public static void main(String[] args) throws InterruptedException {
        quietLogging();
        String command = args.length == 0 ? "up" : args[0];
        if (command.equals("keys")) {
            System.exit(keys(args));
            return;
        }
        if (!command.equals("up")) {
            System.err.println("usage: driftless up | driftless keys <directory>");
            System.exit(2);
        }
        Map<String, String> env = System.getenv();
        Path home = Path.of(env.getOrDefault("DRIFTLESS_HOME", "."))
                .toAbsolutePath()
                .normalize();
        StackOptions defaults = StackOptions.defaults(home);
        Path stateDir =
                env.containsKey("DRIFTLESS_STATE_DIR") ? Path.of(env.get("DRIFTLESS_STATE_DIR")) : defaults.stateDir();
        StackOptions.Cluster cluster;
        try {
            cluster = StackOptions.Cluster.fromEnvironment(env, stateDir, ControlPlaneBinaries::available);
        } catch (IllegalArgumentException e) {
            System.err.println("driftless up: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (cluster.kind() == StackOptions.Cluster.Kind.SANDBOX && !env.containsKey("DRIFTLESS_CLUSTER")) {
            System.out.println("▸ Go is not installed, so no real Kubernetes control plane can be built: using the"
                    + " sandbox (a stand-in API server). Install Go, or set DRIFTLESS_CLUSTER=sandbox to say so.");
        }
        StackOptions options = new StackOptions(
                home,
                stateDir,
                defaults.kafkaPort(),
                defaults.gitPort(),
                defaults.clusterPort(),
                defaults.webhookPort(),
                defaults.renderPort(),
                defaults.syncPort(),
                defaults.auditPort(),
                env.get("DRIFTLESS_WEBHOOK_SECRET"),
                new StackOptions.Database(
                        env.get("DRIFTLESS_DB_URL"),
                        env.getOrDefault("DRIFTLESS_DB_USER", "postgres"),
                        env.getOrDefault("DRIFTLESS_DB_SCHEMA", "driftless")),
                env.getOrDefault("DRIFTLESS_SERVICE_HEAP", defaults.serviceHeap()),
                cluster);

        long started = System.nanoTime();
        LocalStack stack;
        try {
            stack = LocalStack.start(options, System.out);
        } catch (IllegalStateException e) {
            System.err.println("driftless up failed: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.out.println("stopping Driftless…");
                            stack.close();
                            stopped.countDown();
                        },
                        "driftless-shutdown"));

        Map<String, String> e = stack.environment();
        StringBuilder parts = new StringBuilder();
        stack.timings().entrySet().stream()
                .sorted(Map.Entry.comparingByValue(java.util.Comparator.reverseOrder()))
                .forEach(t -> parts.append(parts.length() == 0 ? "" : ", ")
                        .append(t.getKey())
                        .append(' ')
                        .append(String.format("%.1f s", t.getValue() / 1e3)));
        String clusterName =
                switch (options.cluster().kind()) {
                    case REAL -> "Kubernetes " + stack.controlPlane().version() + " (real)";
                    case SANDBOX -> "sandbox (stand-in)";
                    case KUBECONFIG -> "your cluster";
                };
        System.out.printf(
                "Driftless is ready in %.1f s (%s): console %s · webhook %s · render %s · sync %s · audit %s · git %s"
                        + " · demo repo %s"
                        + " · cluster %s %s · kubeconfig %s · API token (write) %s · env in %s (Ctrl-C stops"
                        + " everything)%n",
                (System.nanoTime() - started) / 1e9,
                parts,
                e.get("DRIFTLESS_CONSOLE_URL"),
                e.get("DRIFTLESS_WEBHOOK_URL"),
                e.get("DRIFTLESS_RENDER_URL"),
                e.get("DRIFTLESS_SYNC_URL"),
                e.get("DRIFTLESS_AUDIT_URL"),
                e.get("DRIFTLESS_GIT_URL"),
                e.get("DRIFTLESS_DEMO_REPO"),
                clusterName,
                e.get("DRIFTLESS_CLUSTER_URL"),
                e.get("DRIFTLESS_KUBECONFIG"),
                e.get("DRIFTLESS_API_TOKEN"),
                options.stateDir().resolve("env"));
        stopped.await();
    }

    /** The embedded broker, Git server and sandbox log through java.util.logging; show only their warnings. */
    public static void quietLogging() {
        String config = "handlers=java.util.logging.ConsoleHandler\n"
                + ".level=WARNING\n"
                + "org.apache.kafka.level=SEVERE\n"
                + "kafka.level=SEVERE\n"
                + "java.util.logging.ConsoleHandler.level=WARNING\n"
                + "java.util.logging.SimpleFormatter.format=%1$tT %4$s [%3$s] %5$s%6$s%n\n";
        try {
            LogManager.getLogManager()
                    .readConfiguration(new ByteArrayInputStream(config.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            System.err.println("cannot configure logging: " + e.getMessage());
        }
    }
}
