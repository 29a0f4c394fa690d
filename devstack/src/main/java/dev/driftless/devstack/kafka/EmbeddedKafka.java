package dev.driftless.devstack.kafka;

import dev.driftless.events.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
    private KafkaRaftServer server;

    private EmbeddedKafka(
            KafkaConfig config, KafkaRaftServer server, String bootstrapServers, Path logDir, boolean ownsLogDir) {
        this.config = config;
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.logDir = logDir;
        this.ownsLogDir = ownsLogDir;
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
        try {
            boolean owns = logDir == null;
            Path dir = owns ? Files.createTempDirectory("driftless-kafka") : logDir;
            deleteRecursively(dir);
            Files.createDirectories(dir);
            int brokerPort = port == 0 ? freePort() : port;
            int controllerPort = freePort();
            Map<String, String> props = brokerProperties(dir, brokerPort, controllerPort);
            KafkaConfig config = new KafkaConfig(props, false);
            format(dir, props);
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            EmbeddedKafka kafka = new EmbeddedKafka(config, server, "127.0.0.1:" + brokerPort, dir, owns);
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

    private static void format(Path dir, Map<String, String> props) throws Exception {
        new Formatter()
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

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
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
