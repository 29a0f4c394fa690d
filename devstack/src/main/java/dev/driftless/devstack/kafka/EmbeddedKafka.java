package dev.driftless.devstack.kafka;

import dev.driftless.devstack.local.FreePorts;
import dev.driftless.events.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real Apache Kafka broker in KRaft mode (one combined broker and controller), embedded in this JVM from Apache
 * Kafka's own artifacts. Starts in a few seconds with no Docker. Its log directory is formatted fresh on every start
 * and deleted on {@link #close()} unless it was given by the caller. {@link #stop()} and {@link #startAgain()} take it
 * down and bring it back on the same ports with the same log, as a broker restart does, for tests of what survives
 * one.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private final KafkaConfig config;
    private final String bootstrapServers;
    private final Path logDir;
    private final boolean ownsLogDir;
    /** The super user's password of a broker that authenticates clients; {@code null} for plaintext. */
    private final String adminPassword;

    private KafkaRaftServer server;

    /** The super user of a broker started with {@link #startSecured}. */
    public static final String ADMIN = "admin";

    private EmbeddedKafka(
            KafkaConfig config,
            KafkaRaftServer server,
            String bootstrapServers,
            Path logDir,
            boolean ownsLogDir,
            String adminPassword) {
        this.config = config;
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.logDir = logDir;
        this.ownsLogDir = ownsLogDir;
        this.adminPassword = adminPassword;
    }

    /** Starts a broker on a free port with a temporary log directory. */
    public static EmbeddedKafka start() {
        return start(0, null);
    }

    /**
     * Starts a broker.
     *
     * @param port the client port, or 0 for a free one
     * @param logDir the log directory, or {@code null} for a temporary one removed on close
     */
    public static EmbeddedKafka start(int port, Path logDir) {
        return start(port, logDir, null);
    }

    /**
     * Starts a broker as a production one runs: clients authenticate with SCRAM-SHA-512 and are authorized by ACLs
     * (KRaft's StandardAuthorizer, nothing allowed without one); {@value #ADMIN} with this password is its super user,
     * which {@link #admin()} signs in as. Plaintext on loopback all the same (no TLS here).
     */
    public static EmbeddedKafka startSecured(String adminPassword) {
        return start(0, null, adminPassword);
    }

    private static EmbeddedKafka start(int port, Path logDir, String adminPassword) {
        try {
            boolean owns = logDir == null;
            Path dir = owns ? Files.createTempDirectory("driftless-kafka") : logDir;
            deleteRecursively(dir);
            Files.createDirectories(dir);
            int brokerPort = port == 0 ? freePort() : port;
            int controllerPort = freePort();
            Map<String, String> props = brokerProperties(dir, brokerPort, controllerPort);
            if (adminPassword != null) {
                secure(props, brokerPort, controllerPort, adminPassword);
            }
            KafkaConfig config = new KafkaConfig(props, false);
            format(dir, props, adminPassword);
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            EmbeddedKafka kafka =
                    new EmbeddedKafka(config, server, "127.0.0.1:" + brokerPort, dir, owns, adminPassword);
            kafka.awaitReady();
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the Kafka log directory", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the embedded Kafka broker: " + e.getMessage(), e);
        }
    }

    static Map<String, String> brokerProperties(Path dir, int brokerPort, int controllerPort) {
        Map<String, String> props = new HashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", dir.toString());
        props.put("num.partitions", "3");
        props.put("auto.create.topics.enable", "true");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("log.flush.interval.messages", "1000000");
        return props;
    }

    /** SCRAM-SHA-512 on the client listener, ACLs by the StandardAuthorizer, {@value #ADMIN} the super user. */
    private static void secure(Map<String, String> props, int brokerPort, int controllerPort, String adminPassword) {
        props.put(
                "listeners", "SASL_PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "SASL_PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("inter.broker.listener.name", "SASL_PLAINTEXT");
        props.put("listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        props.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
        props.put("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config", jaas(ADMIN, adminPassword));
        props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        // the controller listener (loopback, the broker's own traffic) is not authenticated
        props.put("super.users", "User:" + ADMIN + ";User:ANONYMOUS");
        props.put("allow.everyone.if.no.acl.found", "false");
        props.put("auto.create.topics.enable", "false");
    }

    /** The JAAS line a client signs in with, as Strimzi puts it in a KafkaUser's Secret ({@code sasl.jaas.config}). */
    public static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                + password + "\";";
    }

    /** The client settings that sign in as a user of a broker started with {@link #startSecured}. */
    public static Map<String, Object> clientLogin(String user, String password) {
        return Map.of(
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", jaas(user, password));
    }

    private static void format(Path dir, Map<String, String> props, String adminPassword) throws Exception {
        new Formatter()
                .setScramArguments(
                        adminPassword == null
                                ? List.of()
                                : List.of("SCRAM-SHA-512=[name=" + ADMIN + ",password=" + adminPassword + "]"))
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(Integer.parseInt(props.get("node.id")))
                .setClusterId(Uuid.randomUuid().toString())
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(dir.toString())
                .setDirectories(List.of(dir.toString()))
                .setReleaseVersion(MetadataVersion.latestProduction())
                .run();
    }

    private void awaitReady() throws Exception {
        try (Admin admin = admin()) {
            admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
        }
    }

    /** {@code host:port} for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** An admin client for this broker; the caller closes it. */
    public Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        if (adminPassword != null) {
            props.putAll(clientLogin(ADMIN, adminPassword));
        }
        return Admin.create(props);
    }

    /** Creates the given topics with the given partition count; topics that exist already are left as they are. */
    public void createTopics(int partitions, String... topics) {
        try (Admin admin = admin()) {
            List<NewTopic> wanted = Stream.of(topics)
                    .map(t -> new NewTopic(t, partitions, (short) 1))
                    .toList();
            for (var result : admin.createTopics(wanted).values().values()) {
                try {
                    result.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topics " + Set.of(topics) + ": " + e.getMessage(), e);
        }
    }

    /** Creates every Driftless topic. */
    public void createDriftlessTopics(int partitions) {
        createTopics(partitions, Topics.ALL.toArray(String[]::new));
        createTopics(1, Topics.LEADERSHIP);
        createCompactedTopic(Topics.CHECKPOINTS);
    }

    /** Creates a compacted topic of one partition (the latest record per key stays), unless it exists. */
    public void createCompactedTopic(String topic) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(
                            new NewTopic(topic, 1, (short) 1).configs(java.util.Map.of("cleanup.policy", "compact"))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + topic + ": " + e.getMessage(), e);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + topic + ": " + e.getMessage(), e);
        }
    }

    /** Shuts the broker down, keeping its log: clients lose their connections until {@link #startAgain()}. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    /** Starts the broker again after {@link #stop()}, on the same ports and log, and waits until it answers. */
    public synchronized void startAgain() {
        if (server != null) {
            return;
        }
        try {
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            awaitReady();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the embedded Kafka broker again: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        stop();
        if (ownsLogDir) {
            deleteRecursively(logDir);
        }
    }

    static int freePort() {
        return FreePorts.next();
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
