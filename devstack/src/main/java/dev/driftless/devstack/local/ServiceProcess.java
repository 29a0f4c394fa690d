package dev.driftless.devstack.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Driftless service running as its own process from its Quarkus build, with its output in a log file. Stopping
 * it sends SIGTERM and waits for a graceful shutdown before killing it; {@link #restart} starts it again after it died,
 * appending to the same log.
 */
final class ServiceProcess implements AutoCloseable {

    /** JVM options of each service unless {@code DRIFTLESS_SERVICE_JAVA_OPTS} says otherwise: the C1 compiler only. */
    static final String DEFAULT_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1";

    /** How every service's memory is sized (also in deploy/'s JAVA_OPTS_APPEND): see {@link #start}. */
    static final List<String> MEMORY_SIZING = List.of(
            "-XX:MaxNewSize=24m",
            "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=40",
            "-XX:TrimNativeHeapInterval=10000");

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final ProcessBuilder builder;
    private volatile Process process;
    private final Path log;
    private final String url;

    private ServiceProcess(String name, ProcessBuilder builder, Path log, String url) throws IOException {
        this.name = name;
        this.builder = builder;
        this.log = log;
        this.url = url;
        this.process = builder.start();
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    }

    /** Starts the service again, after it died; its output goes on in the same log. */
    void restart() throws IOException {
        if (process.isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        process = builder.start();
    }

    /** The exit code of the process that died. */
    int exitCode() {
        return process.exitValue();
    }

    /** The operating-system process id, to read its memory use. */
    long pid() {
        return process.pid();
    }

    static ServiceProcess start(
            String name, Path home, Path logDir, int port, String heap, Map<String, String> environment)
            throws IOException {
        return start(name, name, home, logDir, port, heap, environment);
    }

    /** Starts a process named {@code name} (a replica's, e.g. {@code sync-service-2}) of the service {@code module}. */
    static ServiceProcess start(
            String module, String name, Path home, Path logDir, int port, String heap, Map<String, String> environment)
            throws IOException {
        Path jar = home.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    module + " is not built (" + jar + " is missing): run ./mvnw -DskipTests install first");
        }
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        // as in deploy/'s containers (384 Mi: the JVM starts with 1/64 of it): the heap starts small, grows as needed
        // and is given back after a full collection; starting at -Xmx (a 24 GB machine's 1/64 is more), the serial
        // collector never shrinks below it, and a burst leaves the whole heap resident
        command.add("-Xms16m");
        command.add("-XX:+UseSerialGC");
        // the heap sized to what is live, not half again: the young generation at most 24 MB (the serial collector
        // gives it a third of the heap, 64 MB at 192 MB, all of it resident once used), the old one grown to keep 10 %
        // free after a full collection (not 40 %) and given back above 40 % (not 70 %). cold-sync at 10,000
        // applications: sync-service 362 MB resident with the defaults, about 300 MB so, for more frequent
        // collections (36 full ones instead of 20 over the run, 7 s instead of 4; docs/benchmarks.md). And what glibc
        // keeps of freed native memory is given back every 10 s (JDK 17.0.11 or later; 3-5 MB a service at the end of
        // that run)
        command.addAll(MEMORY_SIZING);
        // as deploy/ runs them: a service out of memory exits (and is restarted) rather than limping on
        command.add("-XX:+ExitOnOutOfMemoryError");
        // Six JVMs share a laptop's or CI runner's cores here: C2's compiling took a third of all CPU for minutes under
        // load (cold-sync of 1,000 applications: 97 s with C2, 40 s with C1 only; docs/benchmarks.md). Empty or
        // "-XX:TieredStopAtLevel=4" in DRIFTLESS_SERVICE_JAVA_OPTS restores the full JIT.
        for (String option : System.getenv()
                .getOrDefault("DRIFTLESS_SERVICE_JAVA_OPTS", DEFAULT_JAVA_OPTIONS)
                .trim()
                .split("\\s+")) {
            if (!option.isEmpty()) {
                command.add(option);
            }
        }
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dquarkus.http.host=127.0.0.1");
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        // glibc keeps an arena per thread that allocates: tens of MB resident in a JVM of many threads, for nothing
        builder.environment().put("MALLOC_ARENA_MAX", "2");
        builder.environment().putAll(environment);
        return new ServiceProcess(name, builder, log, "http://127.0.0.1:" + port);
    }

    String name() {
        return name;
    }

    String url() {
        return url;
    }

    Path log() {
        return log;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Whether {@code /q/health/ready} answers 200. */
    boolean ready() {
        try {
            HttpResponse<Void> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(url + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The last lines of the service's log, to show why it did not start. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
