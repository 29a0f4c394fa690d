package dev.driftless.devstack.local;

import dev.driftless.devstack.git.GitFixture;
import dev.driftless.devstack.git.GitServer;
import dev.driftless.devstack.git.PushWebhookSender;
import dev.driftless.devstack.kafka.EmbeddedKafka;
import dev.driftless.devstack.kube.ControlPlane;
import dev.driftless.devstack.kube.ControlPlaneBinaries;
import dev.driftless.devstack.kube.SandboxKubernetes;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole of Driftless on one machine, on real parts: an embedded KRaft broker, the Git server with a demo
 * repository that sends signed webhooks, a Kubernetes cluster (a real control plane, the sandbox, or the user's own),
 * PostgreSQL for the audit log, and the four
 * services each in its own process. {@link #start} returns when every service reports ready; {@link #close} stops
 * everything it started, services first.
 */
public final class LocalStack implements AutoCloseable {

    /** The port of the PostgreSQL the stack starts for itself when none answers on 5432 (stopped with the stack). */
    public static final int PRIVATE_POSTGRES_PORT = 5433;

    /** The services, in start order. */
    public static final List<String> SERVICES =
            List.of("audit-service", "sync-service", "render-service", "webhook-service");

    private static final List<String> DEMO_FILES =
            List.of("README.md", "apps/demo/configmap.yaml", "apps/demo/deployment.yaml", "apps/demo/service.yaml");

    private final List<AutoCloseable> started = new ArrayList<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final PrintStream out;
    private EmbeddedKafka kafka;
    private SandboxKubernetes sandbox;
    private ControlPlane controlPlane;
    private dev.driftless.devstack.faults.ApiServerFaults apiServerFaults;
    private volatile boolean stopping;
    private java.util.concurrent.ScheduledExecutorService supervisor;
    private final Map<String, Long> timings = new LinkedHashMap<>();
    private Path tools;
    private GitServer git;
    private PushWebhookSender webhooks;
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();

    private LocalStack(PrintStream out) {
        this.out = out;
    }

    /** Starts everything and waits until every service is ready; on failure stops what it started and throws. */
    public static LocalStack start(StackOptions options, PrintStream out) {
        LocalStack stack = new LocalStack(out);
        try {
            stack.boot(options);
            return stack;
        } catch (RuntimeException | IOException | InterruptedException e) {
            stack.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private void boot(StackOptions o) throws IOException, InterruptedException {
        Path state = o.stateDir().toAbsolutePath();
        Files.createDirectories(state);
        String secret = o.webhookSecret() != null ? o.webhookSecret() : storedSecret(state.resolve("webhook-secret"));
        String apiToken = storedSecret(state.resolve("api-token"));
        String readToken = storedSecret(state.resolve("api-read-token"));
        StackKeys keys = StackKeys.stored(state.resolve("keys"));

        long mark = System.nanoTime();
        step("Kafka broker (KRaft, embedded)");
        kafka = EmbeddedKafka.start(o.kafkaPort(), state.resolve("kafka"));
        started.add(kafka);
        kafka.createDriftlessTopics(3);
        mark = took("Kafka", mark);

        ClusterAccess cluster = startCluster(o, state);
        Path kubeconfig = cluster.kubeconfig();
        mark = took("cluster", mark);

        step("Git server");
        // with replicas, the Git server's webhooks go through a balancer that spreads them over webhook-service's
        List<Integer> webhookPorts = new ArrayList<>(List.of(o.webhookPort()));
        for (int replica = 2; replica <= o.replicas(); replica++) {
            webhookPorts.add(StackOptions.freePort());
        }
        int webhookEntry = o.webhookPort();
        if (o.replicas() > 1) {
            dev.driftless.devstack.faults.TcpProxy balancer =
                    dev.driftless.devstack.faults.TcpProxy.across(webhookPorts);
            started.add(balancer);
            webhookEntry = balancer.port();
        }
        webhooks = new PushWebhookSender(URI.create("http://127.0.0.1:" + webhookEntry + "/hooks/github"), secret);
        started.add(webhooks);
        git = GitServer.start(o.gitPort(), state.resolve("git"), webhooks);
        started.add(git);
        String demoRepo = git.repositoryUrl("demo");
        seedDemo(state, demoRepo);
        Path catalog = Files.createDirectories(state.resolve("catalog"));
        Path demoApp = catalog.resolve("demo.yaml");
        if (!Files.exists(demoApp)) {
            Files.writeString(demoApp, resource("application.yaml").replace("${DEMO_REPO}", demoRepo));
        }

        mark = took("Git", mark);
        StackOptions.Database db = database(o, state);
        mark = took("PostgreSQL", mark);

        // every service's API takes the same tokens: a write one and a read-only one
        Map<String, String> common = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS",
                kafka.bootstrapServers(),
                "DRIFTLESS_API_TOKENS",
                "local:write:" + apiToken + ",reader:read:" + readToken);
        Map<String, Map<String, String>> env = Map.of(
                "audit-service",
                        withEntries(
                                auditLogins(db),
                                Map.of(
                                        "DRIFTLESS_DB_URL",
                                        db.url(),
                                        "DRIFTLESS_DB_SCHEMA",
                                        db.schema(),
                                        "DRIFTLESS_API_TOKENS",
                                        "local:write:" + apiToken + ",reader:read:" + readToken,
                                        "DRIFTLESS_SIGNING_KEY_FILE",
                                        keys.auditSigningKey().toString(),
                                        // asked for live objects, diffs and the catalog for the console and CLI
                                        "DRIFTLESS_SYNC_URL",
                                        "http://127.0.0.1:" + o.syncPort(),
                                        "DRIFTLESS_RENDER_URL",
                                        "http://127.0.0.1:" + o.renderPort())),
                "sync-service",
                        withEntries(
                                cluster.syncServiceEnvironment(),
                                Map.of(
                                        "DRIFTLESS_SECRETS_IDENTITY_FILE",
                                                keys.identities().toString(),
                                        "DRIFTLESS_TRUSTED_RENDER_KEYS_FILE",
                                                keys.signingPublicKey().toString(),
                                        "DRIFTLESS_SIGNING_KEY_FILE",
                                                keys.syncSigningKey().toString())),
                "render-service",
                        withEntries(
                                cluster.renderServiceEnvironment(),
                                Map.of(
                                        "DRIFTLESS_CATALOG_DIR", catalog.toString(),
                                        "DRIFTLESS_RENDER_CACHE_DIR",
                                                state.resolve("render-cache").toString(),
                                        "DRIFTLESS_SECRETS_RECIPIENTS_FILE",
                                                keys.recipients().toString(),
                                        "DRIFTLESS_SECRETS_DIGEST_KEY_FILE",
                                                keys.digestKey().toString(),
                                        "DRIFTLESS_SIGNING_KEY_FILE",
                                                keys.signingKey().toString(),
                                        "DRIFTLESS_TRUSTED_COMMAND_KEYS_FILE",
                                                keys.commandSigners().toString(),
                                        "DRIFTLESS_TRUSTED_PUSH_KEYS_FILE",
                                                keys.pushSigners().toString(),
                                        // kustomize and kubectl for Kustomize applications, where the control plane's
                                        // are built
                                        "PATH", withTools(System.getenv("PATH")))),
                "webhook-service",
                        Map.of(
                                "DRIFTLESS_WEBHOOK_SECRET",
                                secret,
                                "DRIFTLESS_SIGNING_KEY_FILE",
                                keys.webhookSigningKey().toString()));
        Map<String, Integer> ports = Map.of(
                "webhook-service", o.webhookPort(),
                "render-service", o.renderPort(),
                "sync-service", o.syncPort(),
                "audit-service", o.auditPort());
        for (String name : SERVICES) {
            for (int replica = 1; replica <= o.replicas(); replica++) {
                String process = replica == 1 ? name : name + "-" + replica;
                step(process);
                Map<String, String> vars = new LinkedHashMap<>(common);
                vars.putAll(env.get(name));
                if (replica > 1 && name.equals("render-service")) {
                    // each replica its own mirror cache, as each pod has its own volume
                    vars.put(
                            "DRIFTLESS_RENDER_CACHE_DIR",
                            state.resolve("render-cache-" + replica).toString());
                }
                int port = replica == 1
                        ? ports.get(name)
                        : name.equals("webhook-service") ? webhookPorts.get(replica - 1) : StackOptions.freePort();
                ServiceProcess running = ServiceProcess.start(
                        name, process, o.home(), state.resolve("logs"), port, o.serviceHeap(), vars);
                services.put(process, running);
                started.add(running);
            }
        }
        awaitReady();
        supervise();
        took("services", mark);

        environment.put("DRIFTLESS_KAFKA_BOOTSTRAP", kafka.bootstrapServers());
        environment.put("DRIFTLESS_KUBECONFIG", kubeconfig.toString());
        environment.put("DRIFTLESS_CLUSTER", o.cluster().kind().name().toLowerCase(java.util.Locale.ROOT));
        environment.put("DRIFTLESS_CLUSTER_URL", cluster.url());
        if (sandbox != null) {
            environment.put("DRIFTLESS_SANDBOX_URL", sandbox.url());
        }
        if (tools != null) {
            environment.put("DRIFTLESS_BIN", tools.toString());
        }
        environment.put("DRIFTLESS_GIT_URL", git.baseUrl());
        environment.put("DRIFTLESS_DEMO_REPO", demoRepo);
        environment.put("DRIFTLESS_CATALOG_DIR", catalog.toString());
        environment.put("DRIFTLESS_WEBHOOK_SECRET", secret);
        environment.put(
                "DRIFTLESS_WEBHOOK_URL",
                o.replicas() > 1
                        ? "http://127.0.0.1:" + webhookEntry
                        : services.get("webhook-service").url());
        environment.put("DRIFTLESS_RENDER_URL", services.get("render-service").url());
        environment.put("DRIFTLESS_SYNC_URL", services.get("sync-service").url());
        environment.put("DRIFTLESS_AUDIT_URL", services.get("audit-service").url());
        environment.put("DRIFTLESS_CONSOLE_URL", services.get("audit-service").url() + "/console/");
        environment.put("DRIFTLESS_API_TOKEN", apiToken);
        environment.put("DRIFTLESS_API_READ_TOKEN", readToken);
        environment.put("DRIFTLESS_DB_URL", db.url());
        writeEnv(state.resolve("env"));
    }

    /** How the services and the user reach the cluster the stack deploys to. */
    private record ClusterAccess(
            String url,
            Path kubeconfig,
            Map<String, String> syncServiceEnvironment,
            Map<String, String> renderServiceEnvironment) {}

    private ClusterAccess startCluster(StackOptions o, Path state) throws IOException {
        switch (o.cluster().kind()) {
            case REAL -> {
                step("Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager; real, from Kubernetes'"
                        + " Go modules)");
                tools = ControlPlaneBinaries.resolve();
                controlPlane = ControlPlane.start(state.resolve("cluster"), o.clusterPort(), out);
                started.add(controlPlane);
                controlPlane.grantSyncServiceRbac(
                        o.home().resolve("deploy/kubernetes/base/crds.yaml"),
                        o.home().resolve("deploy/kubernetes/base/sync-service-rbac.yaml"),
                        o.home().resolve("deploy/kubernetes/base/render-service-rbac.yaml"),
                        o.home().resolve("deploy/kubernetes/local/deployer.yaml"));
                Path admin = controlPlane.writeAdminKubeconfig(state.resolve("kubeconfig"));
                // sync-service signs in as its own ServiceAccount, with deploy/'s RBAC, as in production, and applies
                // as the one deployer of this single-team cluster, which it impersonates; through a fault proxy when
                // a benchmark asked for one
                String server = controlPlane.url();
                if (o.apiServerFaults()) {
                    apiServerFaults = dev.driftless.devstack.faults.ApiServerFaults.before(
                            URI.create(controlPlane.url()).getPort(),
                            controlPlane.servingCertificate(),
                            controlPlane.servingKey());
                    started.add(apiServerFaults);
                    server = apiServerFaults.url();
                }
                Path own = controlPlane.writeSyncServiceKubeconfig(
                        state.resolve("cluster/sync-service.kubeconfig"), server);
                return new ClusterAccess(
                        controlPlane.url(),
                        admin,
                        Map.of(
                                "KUBECONFIG",
                                own.toString(),
                                "DRIFTLESS_SYNC_IMPERSONATION_DEFAULT_SERVICE_ACCOUNT",
                                "driftless-system/driftless-deployer"),
                        // render-service reads Application and Project resources in driftless-system too, as its
                        // own ServiceAccount (deploy/'s render-service-rbac.yaml)
                        Map.of(
                                "DRIFTLESS_RENDER_CLUSTER_CATALOG_ENABLED",
                                "true",
                                "DRIFTLESS_RENDER_CLUSTER_CATALOG_KUBECONFIG",
                                controlPlane
                                        .writeRenderServiceKubeconfig(
                                                state.resolve("cluster/render-service.kubeconfig"))
                                        .toString()));
            }
            case SANDBOX -> {
                step("sandbox Kubernetes API (stand-in: fabric8 mock server with server-side apply)");
                sandbox = SandboxKubernetes.start(o.clusterPort());
                started.add(sandbox);
                Path kubeconfig = sandbox.writeKubeconfig(state.resolve("kubeconfig"));
                return new ClusterAccess(
                        sandbox.url(),
                        kubeconfig,
                        Map.of(
                                "KUBECONFIG",
                                kubeconfig.toString(),
                                "QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL",
                                sandbox.url()),
                        Map.of());
            }
            case KUBECONFIG -> {
                Path kubeconfig = o.cluster().kubeconfig().toAbsolutePath();
                String url = io.fabric8.kubernetes.client.Config.fromKubeconfig(Files.readString(kubeconfig))
                        .getMasterUrl();
                step("your cluster " + url + " (from " + kubeconfig + ")");
                return new ClusterAccess(url, kubeconfig, Map.of("KUBECONFIG", kubeconfig.toString()), Map.of());
            }
            default ->
                throw new IllegalStateException(
                        "unknown cluster kind " + o.cluster().kind());
        }
    }

    /** {@code path} with the control plane's tools (kubectl, kustomize) first, where they are built. */
    private String withTools(String path) {
        String rest = path == null ? "/usr/local/bin:/usr/bin:/bin" : path;
        return tools == null ? rest : tools + java.io.File.pathSeparator + rest;
    }

    /** The logins audit-service runs as: its own runtime login that owns nothing, where the database allows. */
    static final String AUDIT_OWNER = "driftless_owner";

    static final String AUDIT_RUNTIME = "driftless_audit";

    /**
     * The audit log's two logins, as production has them (audit-service's db/migration V2): {@value #AUDIT_OWNER}
     * owns the schema and runs the migrations, {@value #AUDIT_RUNTIME} owns nothing and may only insert and read.
     * Made when the stack's database user may create roles (a local superuser) and the schema is new or already
     * {@value #AUDIT_OWNER}'s; otherwise (a schema an earlier version made, a database you named) the one login is
     * used for both, as before.
     */
    private Map<String, String> auditLogins(StackOptions.Database db) {
        Map<String, String> single = Map.of("DRIFTLESS_DB_USER", db.user());
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(db.url(), db.user(), "");
                java.sql.Statement s = c.createStatement()) {
            try (java.sql.ResultSet rs = s.executeQuery(
                    "SELECT rolsuper OR rolcreaterole FROM pg_roles" + " WHERE rolname = current_user")) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return single;
                }
            }
            try (java.sql.PreparedStatement owner =
                    c.prepareStatement("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = ?")) {
                owner.setString(1, db.schema());
                try (java.sql.ResultSet rs = owner.executeQuery()) {
                    if (rs.next() && !AUDIT_OWNER.equals(rs.getString(1))) {
                        return single;
                    }
                }
            }
            for (String role : List.of("driftless_writer", "driftless_retention")) {
                s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + role
                        + "') THEN CREATE ROLE " + role + " NOLOGIN; END IF; END $$");
            }
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + AUDIT_OWNER
                    + "') THEN CREATE ROLE " + AUDIT_OWNER
                    + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE; END IF; END $$");
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + AUDIT_RUNTIME
                    + "') THEN CREATE ROLE " + AUDIT_RUNTIME + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"
                    + " IN ROLE driftless_writer, driftless_retention; END IF; END $$");
            s.execute("CREATE SCHEMA IF NOT EXISTS \"" + db.schema() + "\" AUTHORIZATION " + AUDIT_OWNER);
            // the local database trusts local logins; Quarkus uses Flyway's own login only with a password
            return Map.of(
                    "DRIFTLESS_DB_USER",
                    AUDIT_RUNTIME,
                    "DRIFTLESS_DB_OWNER_USER",
                    AUDIT_OWNER,
                    "DRIFTLESS_DB_OWNER_PASSWORD",
                    "unused-trust-auth");
        } catch (java.sql.SQLException e) {
            out.println("  (the audit log's own logins could not be made, one login is used: " + e.getMessage() + ")");
            return single;
        }
    }

    private StackOptions.Database database(StackOptions o, Path state) throws IOException, InterruptedException {
        StackOptions.Database db = o.database();
        if (db.url() != null) {
            step("audit log in " + db.url() + " (schema " + db.schema() + ")");
            return db;
        }
        if (PrivatePostgres.reachable("127.0.0.1", 5432)) {
            String url = "jdbc:postgresql://127.0.0.1:5432/postgres";
            step("audit log in PostgreSQL on 127.0.0.1:5432 (schema " + db.schema() + ")");
            return new StackOptions.Database(url, db.user(), db.schema());
        }
        Optional<Path> installed = PostgresBinaries.installed();
        Path bin = installed.isPresent() ? installed.get() : PostgresBinaries.bundled(state.resolve("postgres-bin"));
        step("no PostgreSQL on 127.0.0.1:5432: starting a private one ("
                + (installed.isPresent() ? "the machine's" : "bundled") + " binaries in " + bin.getParent()
                + ") with its files in " + state.resolve("postgres"));
        started.add(PrivatePostgres.start(bin, state.resolve("postgres"), PRIVATE_POSTGRES_PORT));
        return new StackOptions.Database(
                "jdbc:postgresql://127.0.0.1:" + PRIVATE_POSTGRES_PORT + "/postgres", "postgres", db.schema());
    }

    /**
     * Restarts a service that dies, with a backoff (1 s doubling to 30 s), printing one line each time, as Kubernetes
     * would restart its container in production. {@link #close} and {@link #stop} stop supervising first.
     */
    private void supervise() {
        supervisor = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "driftless-supervisor");
            thread.setDaemon(true);
            return thread;
        });
        Map<String, RestartBackoff> backoffs = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.Set<String> restarting = java.util.concurrent.ConcurrentHashMap.newKeySet();
        services.keySet().forEach(name -> backoffs.put(name, new RestartBackoff(java.time.Instant.now())));
        supervisor.scheduleWithFixedDelay(
                () -> {
                    for (ServiceProcess service : List.copyOf(services.values())) {
                        if (stopping || service.alive() || !restarting.add(service.name())) {
                            continue;
                        }
                        java.time.Duration wait = backoffs.computeIfAbsent(
                                        service.name(), n -> new RestartBackoff(java.time.Instant.now()))
                                .died(java.time.Instant.now());
                        out.printf(
                                "▸ %s exited (code %d); restarting it in %d s (log: %s)%n",
                                service.name(), service.exitCode(), wait.toSeconds(), service.log());
                        supervisor.schedule(
                                () -> {
                                    try {
                                        if (!stopping && services.get(service.name()) == service) {
                                            service.restart();
                                            backoffs.get(service.name()).restarted(java.time.Instant.now());
                                        }
                                    } catch (IOException | RuntimeException e) {
                                        out.printf("▸ %s could not be restarted: %s%n", service.name(), e.getMessage());
                                    } finally {
                                        restarting.remove(service.name());
                                    }
                                },
                                wait.toMillis(),
                                java.util.concurrent.TimeUnit.MILLISECONDS);
                    }
                },
                1,
                1,
                java.util.concurrent.TimeUnit.SECONDS);
    }

    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(180);
        for (ServiceProcess service : services.values()) {
            while (!service.ready()) {
                if (!service.alive()) {
                    throw new IllegalStateException(service.name() + " stopped while starting; last lines of "
                            + service.log() + ":" + System.lineSeparator() + service.tail(30));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            service.name() + " did not become ready in 180 s; see " + service.log());
                }
                Thread.sleep(200);
            }
            out.printf("  %s ready at %s%n", service.name(), service.url());
        }
    }

    private void seedDemo(Path state, String demoRepo) throws IOException {
        Path bare = git.repositoryDirectory("demo");
        if (Files.exists(bare.resolve("refs/heads/main")) || Files.exists(bare.resolve("packed-refs"))) {
            return;
        }
        step("demo repository " + demoRepo);
        Path work = Files.createTempDirectory(state, "demo-seed");
        // straight into the bare repository: the seed is not a push anyone should be notified of
        try (GitFixture fixture = GitFixture.create(work, bare.toUri().toString())) {
            Map<String, String> files = new LinkedHashMap<>();
            for (String file : DEMO_FILES) {
                files.put(file, resource(file));
            }
            fixture.commitAndPush("Demo application", files);
        }
    }

    private static String resource(String path) {
        try (InputStream in = LocalStack.class.getResourceAsStream("/demo/" + path)) {
            if (in == null) {
                throw new IllegalStateException("missing demo resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> withEntries(Map<String, String> map, Map<String, String> more) {
        Map<String, String> copy = new LinkedHashMap<>(map);
        copy.putAll(more);
        return copy;
    }

    private static String storedSecret(Path file) throws IOException {
        if (Files.exists(file)) {
            return Files.readString(file).trim();
        }
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        String secret = HexFormat.of().formatHex(bytes);
        Files.writeString(file, secret);
        restrict(file);
        return secret;
    }

    private void writeEnv(Path file) throws IOException {
        StringBuilder env = new StringBuilder("# Written by ./driftless up; source it in a shell: . .driftless/env\n");
        environment.forEach((k, v) -> env.append("export ")
                .append(k)
                .append("='")
                .append(v.replace("'", "'\\''"))
                .append("'\n"));
        if (tools != null) {
            env.append("# kubectl and kustomize, built with the control plane\nexport PATH=\"$DRIFTLESS_BIN:$PATH\"\n");
        }
        Files.writeString(file, env);
        restrict(file);
    }

    private static void restrict(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system; the file keeps its default permissions
        }
    }

    private long took(String part, long since) {
        long now = System.nanoTime();
        timings.put(part, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(now - since));
        return now;
    }

    /** How long each part took to start, in milliseconds, in start order. */
    public Map<String, Long> timings() {
        return Map.copyOf(new LinkedHashMap<>(timings));
    }

    private void step(String what) {
        out.println("▸ " + what);
    }

    /** The variables written to the env file: URLs of every part, and the webhook secret. */
    public Map<String, String> environment() {
        return Map.copyOf(environment);
    }

    /**
     * Stops one service (SIGTERM, then a graceful wait) and forgets it, so a benchmark can measure another service
     * alone; the rest of the stack keeps running.
     *
     * @throws IllegalArgumentException for a service this stack does not run
     */
    public void stop(String service) {
        ServiceProcess process = services.remove(service);
        if (process == null) {
            throw new IllegalArgumentException("no running service " + service + "; running: " + services.keySet());
        }
        started.remove(process);
        process.close();
    }

    /** The process id of each running service, by name. */
    public Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        services.forEach((name, process) -> pids.put(name, process.pid()));
        return pids;
    }

    /** The sandbox cluster, when the stack runs one. */
    public SandboxKubernetes sandbox() {
        return sandbox;
    }

    /**
     * The fault proxy between sync-service and the control plane, when {@link StackOptions#apiServerFaults()} asked
     * for one; else {@code null}.
     */
    public dev.driftless.devstack.faults.ApiServerFaults apiServerFaults() {
        return apiServerFaults;
    }

    /** The real control plane, when the stack runs one. */
    public ControlPlane controlPlane() {
        return controlPlane;
    }

    /** A client of the cluster's administrator (whatever the cluster); the caller closes it. */
    public io.fabric8.kubernetes.client.KubernetesClient clusterAdmin() {
        try {
            return new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                    .withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(
                            Files.readString(Path.of(environment.get("DRIFTLESS_KUBECONFIG")))))
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Git server. */
    public GitServer git() {
        return git;
    }

    /** What sends the Git server's push webhooks (to drop one, as a fault). */
    public PushWebhookSender webhooks() {
        return webhooks;
    }

    /** The broker. */
    public EmbeddedKafka kafka() {
        return kafka;
    }

    @Override
    public void close() {
        stopping = true;
        if (supervisor != null) {
            supervisor.shutdownNow();
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                out.println("while stopping: " + e.getMessage());
            }
        }
        started.clear();
    }
}
