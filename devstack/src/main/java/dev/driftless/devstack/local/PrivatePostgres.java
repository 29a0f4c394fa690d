package dev.driftless.devstack.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The audit database for the local run: PostgreSQL on 127.0.0.1:5432 when one answers there, otherwise a private
 * PostgreSQL server whose files live under the state directory, started from {@link PostgresBinaries} (the machine's
 * own, or those bundled from Maven Central) and stopped with the stack. As root it runs as the {@code postgres} user, or
 * {@code nobody} where there is none, because PostgreSQL refuses to run as root.
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

    /** Starts (initialising on first use) a private server on {@code port} from the PostgreSQL programs in {@code bin}. */
    public static PrivatePostgres start(Path bin, Path dataDir, int port) throws IOException, InterruptedException {
        Path initdb = bin.resolve("initdb");
        Path pgCtl = bin.resolve("pg_ctl");
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
        return new PrivatePostgres(pgCtl, dataDir, port);
    }

    private static void run(List<String> command, Path dir) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(new java.util.ArrayList<>(command)).redirectErrorStream(true);
        if (isRoot()) {
            // PostgreSQL refuses to run as root; run it as the unprivileged postgres user when we are root.
            String user = unprivilegedUser();
            builder.command().addAll(0, List.of("runuser", "-u", user, "--"));
            new ProcessBuilder("chown", "-R", user, dir.toString()).start().waitFor(10, TimeUnit.SECONDS);
            // the stack's own directory holds the data directory: that user must be able to pass through it (a
            // benchmark's temporary directory is created for its owner only)
            Path stackDir = dir.getParent();
            var permissions = new java.util.HashSet<>(Files.getPosixFilePermissions(stackDir));
            if (permissions.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                Files.setPosixFilePermissions(stackDir, permissions);
            }
        }
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(
                dir.getParent().resolve("postgres-setup.log").toFile()));
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("'" + String.join(" ", command) + "' failed; see "
                    + dir.getParent().resolve("postgres-setup.log"));
        }
    }

    private static String unprivilegedUser() throws IOException, InterruptedException {
        Process id = new ProcessBuilder("id", "-u", "postgres")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return id.waitFor(10, TimeUnit.SECONDS) && id.exitValue() == 0 ? "postgres" : "nobody";
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
