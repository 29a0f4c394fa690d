package dev.driftless.bench;

import dev.driftless.devstack.git.GitFixture;
import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.devstack.local.LocalStack;
import dev.driftless.devstack.local.StackOptions;
import dev.driftless.events.EventCodec;
import dev.driftless.events.EventType;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * One scenario's own Driftless stack on embedded defaults (real broker, Git server, a real control plane or with
 * {@code DRIFTLESS_CLUSTER=sandbox} the sandbox API, PostgreSQL on
 * 127.0.0.1:5432 in a throw-away schema), on free ports so it never collides with {@code ./driftless up}; and the
 * reading of what happened from the events' own timestamps.
 */
final class Harness implements AutoCloseable {

    /** How long {@link #awaitSyncs} waits without a new sync before it concludes nothing more will come. */
    static final Duration STALLED = Duration.ofSeconds(20);

    final LocalStack stack;
    final boolean quick;
    final PrintStream out;
    private final Path state;
    private final String schema;

    /** The proxy between audit-service and PostgreSQL, when the scenario asked for one; else {@code null}. */
    final dev.driftless.devstack.faults.TcpProxy database;
    /** PostgreSQL as the harness itself reads it: directly, never through {@link #database}. */
    private final String databaseUrl;

    private Harness(
            LocalStack stack,
            Path state,
            String schema,
            boolean quick,
            PrintStream out,
            dev.driftless.devstack.faults.TcpProxy database,
            String databaseUrl) {
        this.database = database;
        this.databaseUrl = databaseUrl;
        this.stack = stack;
        this.state = state;
        this.schema = schema;
        this.quick = quick;
        this.out = out;
    }

    static Harness start(Path home, boolean quick, PrintStream out, Scenario scenario) throws IOException {
        boolean databaseBehindProxy = scenario.databaseBehindProxy();
        Path state = Files.createTempDirectory("driftless-bench");
        String schema = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        dev.driftless.devstack.faults.TcpProxy proxy = null;
        String auditUrl = null;
        if (databaseBehindProxy) {
            if (!dev.driftless.devstack.local.PrivatePostgres.reachable("127.0.0.1", 5432)) {
                throw new IllegalStateException(
                        "this scenario needs PostgreSQL on 127.0.0.1:5432 to put a proxy before");
            }
            proxy = dev.driftless.devstack.faults.TcpProxy.to("127.0.0.1", 5432);
            auditUrl = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres";
        }
        StackOptions options = StackOptions.onFreePorts(
                home,
                state,
                "bench-" + UUID.randomUUID(),
                new StackOptions.Database(auditUrl, "postgres", schema),
                System.getenv().getOrDefault("DRIFTLESS_SERVICE_HEAP", "192m"));
        // DRIFTLESS_CLUSTER=sandbox measures against the stand-in, as the numbers before the real control plane were
        options = options.withCluster(StackOptions.Cluster.fromEnvironment(
                System.getenv(), state, dev.driftless.devstack.kube.ControlPlaneBinaries::available));
        options = options.withReplicas(scenario.replicas());
        if (scenario.apiServerFaults()) {
            if (options.cluster().kind() != StackOptions.Cluster.Kind.REAL) {
                throw new IllegalStateException("this scenario needs the real control plane (DRIFTLESS_CLUSTER=real)");
            }
            options = options.withApiServerFaults();
        }
        out.println("cluster: " + options.cluster().kind().name().toLowerCase(java.util.Locale.ROOT)
                + (options.replicas() > 1 ? ", " + options.replicas() + " replicas of each service" : ""));
        LocalStack stack = LocalStack.start(options, out);
        String direct = proxy == null
                ? stack.environment().get("DRIFTLESS_DB_URL")
                : "jdbc:postgresql://127.0.0.1:5432/postgres";
        return new Harness(stack, state, schema, quick, out, proxy, direct);
    }

    /** When each key (a commit, an application) was first applied, from its reports' {@code finishedAt}. */
    static Map<String, Instant> firstApplied(
            List<SyncReport> reports, java.util.function.Function<SyncReport, String> key) {
        Map<String, Instant> first = new HashMap<>();
        reports.forEach(r -> first.merge(key.apply(r), r.finishedAt(), (a, b) -> a.isBefore(b) ? a : b));
        return first;
    }

    /** How long after {@code from} the last of these reports finished, in milliseconds; -1 without reports. */
    static double lastFinishedAfter(Instant from, List<SyncReport> reports) {
        return reports.stream()
                .map(SyncReport::finishedAt)
                .max(Instant::compareTo)
                .map(last -> millisBetween(from, last))
                .orElse(-1.0);
    }

    String env(String name) {
        return stack.environment().get(name);
    }

    /** A working copy pushing to a new repository of the stack's Git server. */
    GitFixture repository(String name) {
        return GitFixture.create(
                state.resolve("work").resolve(name), stack.git().repositoryUrl(name));
    }

    /** A working copy of the stack's demo repository, cloned as a new user does after {@code ./driftless up}. */
    GitFixture demo() {
        return GitFixture.cloneOf(state.resolve("work").resolve("demo"), env("DRIFTLESS_DEMO_REPO"));
    }

    /** Declares an application in the catalog (render-service picks it up within its poll interval). */
    void declare(String name, String repositoryUrl, String path, String namespace) {
        declare(name, repositoryUrl, path, namespace, null);
    }

    /** Declares an application with one more {@code syncPolicy} entry, e.g. {@code interval: 10s}. */
    void declare(String name, String repositoryUrl, String path, String namespace, String policy) {
        try {
            // written beside the catalog, then moved in: render-service never reads half a file
            Path catalog = Path.of(env("DRIFTLESS_CATALOG_DIR"));
            Path draft = Files.createDirectories(state.resolve("drafts")).resolve(name + ".yaml");
            Files.writeString(
                    draft,
                    """
                    apiVersion: driftless.dev/v1alpha1
                    kind: Application
                    metadata: { name: %s }
                    spec:
                      source: { repoURL: %s, targetRevision: main, path: %s }
                      destination: { namespace: %s }
                      syncPolicy: { prune: true, createNamespace: true%s }
                    """
                            .formatted(name, repositoryUrl, path, namespace, policy == null ? "" : ", " + policy));
            Files.move(draft, catalog.resolve(name + ".yaml"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits (reading what is new on the topic every half second, with a progress line) until enough distinct
     * application and commit pairs were applied; returns every matching report, repeats included.
     */
    List<SyncReport> awaitSyncs(String what, Predicate<SyncReport> matching, int expected, Duration timeout) {
        List<SyncReport> found = new java.util.ArrayList<>();
        follow(
                what,
                "applied",
                EventType.SYNC_SUCCEEDED,
                r -> {
                    SyncReport report = EventCodec.decode(SyncReport.class, r.value());
                    if (matching.test(report)) {
                        found.add(report);
                    }
                },
                () -> distinct(found),
                expected,
                timeout);
        return found;
    }

    private static int distinct(List<SyncReport> reports) {
        return (int) reports.stream()
                .map(r -> r.application() + "@" + r.commit())
                .distinct()
                .count();
    }

    /**
     * When each application first became Healthy at a commit (its {@code health.changed} to Healthy), waiting with a
     * progress line until all {@code expected} did or nothing new came for a while.
     */
    Map<String, Instant> awaitHealthy(String what, String commit, int expected, Duration timeout) {
        Map<String, Instant> healthy = new HashMap<>();
        follow(
                what,
                "healthy",
                EventType.HEALTH_CHANGED,
                r -> {
                    var change = EventCodec.decode(dev.driftless.events.HealthChanged.class, r.value());
                    if (commit.equals(change.commit()) && "Healthy".equals(change.current())) {
                        healthy.merge(change.application(), change.changedAt(), (a, b) -> a.isBefore(b) ? a : b);
                    }
                },
                healthy::size,
                expected,
                timeout);
        return healthy;
    }

    /**
     * Hands each new event of a type on the syncs topic to {@code take}, every half second, until {@code done}
     * reaches {@code expected}, the timeout passes, or nothing new came for {@link #STALLED}; a progress line each
     * time the count moves.
     */
    private void follow(
            String what,
            String state,
            EventType type,
            java.util.function.Consumer<EventProbe.Received> take,
            java.util.function.IntSupplier done,
            int expected,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int shown = -1;
        long lastProgress = System.nanoTime();
        try (EventProbe probe = new EventProbe(env("DRIFTLESS_KAFKA_BOOTSTRAP"));
                EventProbe.Tail syncs = probe.tail(Topics.SYNCS)) {
            while (true) {
                syncs.readToEnd(r -> type.type().equals(r.ce("type"))).forEach(take);
                if (done.getAsInt() >= expected || System.nanoTime() >= deadline) {
                    break;
                }
                if (done.getAsInt() != shown) {
                    shown = done.getAsInt();
                    lastProgress = System.nanoTime();
                    progress("%s: %d of %d %s", what, shown, expected, state);
                } else if (System.nanoTime() - lastProgress > STALLED.toNanos()) {
                    progress("%s: nothing new for %d s; the rest is coalesced or lost", what, STALLED.toSeconds());
                    break;
                }
                pause(Duration.ofMillis(500));
            }
        }
        progress("%s: %d of %d %s", what, done.getAsInt(), expected, state);
    }

    /** Every record on a topic that matches. */
    List<EventProbe.Received> records(String topic, Predicate<EventProbe.Received> matching) {
        try (EventProbe probe = new EventProbe(env("DRIFTLESS_KAFKA_BOOTSTRAP"))) {
            return probe.readToEnd(topic, matching);
        }
    }

    /** When the audit log recorded each commit's successful sync, read from its own {@code recorded_at}. */
    Map<String, Instant> audited(Collection<String> commits, Duration timeout) {
        Map<String, Instant> recorded = new HashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection c = DriverManager.getConnection(databaseUrl, "postgres", "")) {
            while (recorded.size() < Set.copyOf(commits).size() && System.nanoTime() < deadline) {
                try (PreparedStatement q = c.prepareStatement("SELECT commit_sha, min(recorded_at) FROM " + schema
                        + ".change_log WHERE type = ? AND commit_sha = ANY (?) GROUP BY commit_sha")) {
                    q.setString(1, EventType.SYNC_SUCCEEDED.type());
                    q.setArray(2, c.createArrayOf("text", commits.toArray()));
                    try (ResultSet rows = q.executeQuery()) {
                        while (rows.next()) {
                            recorded.put(rows.getString(1), rows.getTimestamp(2).toInstant());
                        }
                    }
                }
                if (recorded.size() < Set.copyOf(commits).size()) {
                    pause(Duration.ofMillis(500));
                }
            }
        } catch (SQLException e) {
            progress("audit log not readable (%s); push → audit is not measured", e.getMessage());
        }
        return recorded;
    }

    /**
     * Of these webhook deliveries, how many have no {@code commit.pushed} in the audit log when the time is up (the
     * audit log may lag the load a little).
     */
    long deliveriesNotAudited(Collection<String> deliveryIds, Duration timeout) throws SQLException {
        Set<String> wanted = Set.copyOf(deliveryIds);
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> found = new java.util.HashSet<>();
        try (Connection c = DriverManager.getConnection(databaseUrl, "postgres", "")) {
            do {
                try (PreparedStatement q = c.prepareStatement("SELECT DISTINCT delivery_id FROM " + schema
                        + ".change_log WHERE type = ? AND delivery_id = ANY (?)")) {
                    q.setString(1, EventType.COMMIT_PUSHED.type());
                    q.setArray(2, c.createArrayOf("text", wanted.toArray()));
                    try (ResultSet rows = q.executeQuery()) {
                        while (rows.next()) {
                            found.add(rows.getString(1));
                        }
                    }
                }
                if (found.size() < wanted.size()) {
                    pause(Duration.ofMillis(500));
                }
            } while (found.size() < wanted.size() && System.nanoTime() < deadline);
        }
        return wanted.size() - found.size();
    }

    /** How many rows of the audit log match a condition (an SQL expression over change_log's columns). */
    long auditRows(String condition) throws SQLException {
        try (Connection c = DriverManager.getConnection(databaseUrl, "postgres", "");
                PreparedStatement q =
                        c.prepareStatement("SELECT count(*) FROM " + schema + ".change_log WHERE " + condition);
                ResultSet rows = q.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** Resident memory of each service process in MiB, from {@code /proc}. */
    Map<String, Long> rssMb() {
        Map<String, Long> rss = new LinkedHashMap<>();
        stack.pids().forEach((name, pid) -> {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", pid.toString(), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss.put(name, Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024);
                    }
                }
            } catch (IOException | NumberFormatException e) {
                rss.put(name, -1L);
            }
        });
        return rss;
    }

    /**
     * CPU time each process of the run has used since it started (user and system), in seconds, from {@code /proc}
     * ({@code -1} where it cannot be read): each service, each part of the real control plane when there is one, and
     * this benchmark's own process (the embedded broker, the Git server, the simulated kubelet and the load).
     */
    Map<String, Double> cpuSeconds() {
        Map<String, Long> pids = new LinkedHashMap<>(stack.pids());
        if (stack.controlPlane() != null) {
            pids.putAll(stack.controlPlane().pids());
        }
        pids.put("load-generator", ProcessHandle.current().pid());
        Map<String, Double> cpu = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            try {
                String stat = Files.readAllLines(Path.of("/proc", pid.toString(), "stat"))
                        .get(0);
                // the fields after the command's closing parenthesis: utime and stime are the 12th and 13th
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                cpu.put(name, Result.round(ticks / (double) CLOCK_TICKS_PER_SECOND));
            } catch (IOException | RuntimeException e) {
                cpu.put(name, -1.0);
            }
        });
        return cpu;
    }

    /** Linux's USER_HZ, which {@code /proc/<pid>/stat} counts CPU time in. */
    private static final int CLOCK_TICKS_PER_SECOND = 100;

    void progress(String format, Object... args) {
        out.printf("  · " + format + "%n", args);
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static double millisBetween(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1_000_000.0;
    }

    @Override
    public void close() {
        stack.close();
        if (database != null) {
            database.close();
        }
        // a private server stopped with the stack: its schema went with it (and its files with the stack's directory)
        boolean privateServer =
                databaseUrl.contains(":" + dev.driftless.devstack.local.LocalStack.PRIVATE_POSTGRES_PORT + "/");
        if (!privateServer) {
            try (Connection c = DriverManager.getConnection(databaseUrl, "postgres", "");
                    Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            } catch (SQLException e) {
                out.println("could not drop the benchmark schema " + schema + ": " + e.getMessage());
            }
        }
        if (System.getenv("DRIFTLESS_BENCH_KEEP") != null) {
            out.println("  · kept " + state + " (service logs under logs/)");
            return;
        }
        try (Stream<Path> paths = Files.walk(state)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            out.println("could not remove " + state + ": " + e.getMessage());
        }
    }
}
