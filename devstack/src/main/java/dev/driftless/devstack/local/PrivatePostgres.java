package dev.driftless.devstack.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The audit database for the local run: PostgreSQL on 127.0.0.1:5432 when one answers there, otherwise a private
 * PostgreSQL server whose files live under the state directory, started from the machine's own PostgreSQL binaries
 * ({@code initdb} and {@code pg_ctl}) and stopped with the stack.
 */
public final class PrivatePostgres implements AutoCloseable {

    private final Path pgCtl;
    private final Path dataDir;
    private final int port;

    private PrivatePostgres(Path pgCtl, Path dataDir, int port) {
        this.pgCtl = pgCtl;
        this.dataDir = dataDir;
        this.port = port;
    }

    /** Whether something accepts connections on host:port. */
    public static boolean reachable(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Starts (initialising on first use) a private server on {@code port}; empty if no PostgreSQL is installed. */
    public static Optional<PrivatePostgres> start(Path dataDir, int port) throws IOException, InterruptedException {
        Optional<Path> bin = binaries();
        if (bin.isEmpty()) {
            return Optional.empty();
        }
        Path initdb = bin.get().resolve("initdb");
        Path pgCtl = bin.get().resolve("pg_ctl");
        if (!Files.isDirectory(dataDir.resolve("base"))) {
            Files.createDirectories(dataDir);
            run(
                    List.of(initdb.toString(), "-D", dataDir.toString(), "-U", "postgres", "-A", "trust", "--no-sync"),
                    dataDir);
        }
        run(
                List.of(
                        pgCtl.toString(),
                        "-D",
                        dataDir.toString(),
                        "-l",
                        dataDir.resolve("server.log").toString(),
                        "-o",
                        "-p " + port + " -k " + dataDir + " -c listen_addresses=127.0.0.1",
                        "-w",
                        "start"),
                dataDir);
        return Optional.of(new PrivatePostgres(pgCtl, dataDir, port));
    }

    private static Optional<Path> binaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.naturalOrder());
        }
    }

    private static void run(List<String> command, Path dir) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(new java.util.ArrayList<>(command)).redirectErrorStream(true);
        if (isRoot()) {
            // PostgreSQL refuses to run as root; run it as the unprivileged postgres user when we are root.
            builder.command().addAll(0, List.of("runuser", "-u", "postgres", "--"));
            new ProcessBuilder("chown", "-R", "postgres", dir.toString())
                    .start()
                    .waitFor(10, TimeUnit.SECONDS);
        }
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(
                dir.getParent().resolve("postgres-setup.log").toFile()));
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("'" + String.join(" ", command) + "' failed; see "
                    + dir.getParent().resolve("postgres-setup.log"));
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            run(List.of(pgCtl.toString(), "-D", dataDir.toString(), "-m", "fast", "-w", "stop"), dataDir);
        } catch (IOException e) {
            System.err.println("could not stop the private PostgreSQL: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
