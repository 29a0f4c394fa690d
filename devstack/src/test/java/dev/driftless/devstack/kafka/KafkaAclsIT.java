package dev.driftless.devstack.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.driftless.events.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ACLs deploy/ ships (kafka-users.yaml), enforced by a real broker that authenticates with SCRAM-SHA-512 and
 * authorizes with KRaft's StandardAuthorizer, as a Strimzi cluster with {@code authorization: simple} does: each
 * service's user publishes and consumes what it must, and is refused what would let it forge another service's
 * events or read what it has no business reading.
 */
class KafkaAclsIT {

    static EmbeddedKafka kafka;

    @BeforeAll
    static void secureBrokerWithTheShippedAcls() throws Exception {
        kafka = EmbeddedKafka.startSecured("admin-secret");
        kafka.createDriftlessTopics(3);
        try (Admin admin = kafka.admin()) {
            List<UserScramCredentialUpsertion> users = new ArrayList<>();
            List<AclBinding> acls = new ArrayList<>();
            for (var entry : KafkaAcls.shipped().entrySet()) {
                String user = "driftless-" + entry.getKey();
                users.add(new UserScramCredentialUpsertion(
                        user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password(entry.getKey())));
                for (KafkaAcls.Grant grant : entry.getValue()) {
                    acls.add(new AclBinding(
                            new ResourcePattern(
                                    grant.type().equals("topic") ? ResourceType.TOPIC : ResourceType.GROUP,
                                    grant.name(),
                                    PatternType.LITERAL),
                            new AccessControlEntry(
                                    "User:" + user,
                                    "*",
                                    AclOperation.fromString(grant.operation().toUpperCase(java.util.Locale.ROOT)),
                                    AclPermissionType.ALLOW)));
                }
            }
            admin.alterUserScramCredentials(new ArrayList<>(users)).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    static String password(String service) {
        return service + "-password";
    }

    static Map<String, Object> login(String service) {
        Map<String, Object> config =
                new HashMap<>(EmbeddedKafka.clientLogin("driftless-" + service, password(service)));
        config.put("bootstrap.servers", kafka.bootstrapServers());
        return config;
    }

    /** Publishes one record as the service; the failure's cause when refused. */
    static void publish(String service, String topic) throws Exception {
        Map<String, Object> config = login(service);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            producer.send(new ProducerRecord<>(topic, "k", "{}")).get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    /** Polls a topic as the service, in a consumer group. */
    static void consume(String service, String topic, String group) {
        Map<String, Object> config = login(service);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(topic));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < until && consumer.assignment().isEmpty()) {
                consumer.poll(Duration.ofMillis(200));
            }
            assertThat(consumer.assignment())
                    .as("%s consuming %s", service, topic)
                    .isNotEmpty();
        }
    }

    @Test
    void eachServicePublishesWhatItMustAndNothingElse() throws Exception {
        publish("webhook-service", Topics.COMMITS);
        publish("render-service", Topics.RENDERS);
        publish("sync-service", Topics.SYNCS);
        publish("sync-service", Topics.COMMANDS);
        publish("audit-service", Topics.COMMANDS);
        publish("audit-service", Topics.CHECKPOINTS);

        // a forged render, sync report, command or checkpoint from a service that never publishes one
        for (String[] forged : List.of(
                new String[] {"webhook-service", Topics.RENDERS},
                new String[] {"webhook-service", Topics.COMMANDS},
                new String[] {"render-service", Topics.SYNCS},
                new String[] {"render-service", Topics.COMMANDS},
                new String[] {"sync-service", Topics.RENDERS},
                new String[] {"sync-service", Topics.CHECKPOINTS},
                new String[] {"audit-service", Topics.RENDERS},
                new String[] {"audit-service", Topics.COMMITS})) {
            assertThatThrownBy(() -> publish(forged[0], forged[1]))
                    .as("%s publishing to %s", forged[0], forged[1])
                    .isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void eachServiceConsumesWhatItMustInItsOwnGroupOnly() {
        consume("render-service", Topics.COMMITS, "render-service");
        consume("sync-service", Topics.RENDERS, "sync-service");
        consume("audit-service", Topics.SYNCS, "audit-service");

        assertThatThrownBy(() -> consume("render-service", Topics.SYNCS, "render-service"))
                .isInstanceOf(TopicAuthorizationException.class);
        assertThatThrownBy(() -> consume("webhook-service", Topics.COMMANDS, "webhook-service-leadership"))
                .isInstanceOf(TopicAuthorizationException.class);
        // another service's consumer group: joining it would steal its records
        assertThatThrownBy(() -> consume("audit-service", Topics.RENDERS, "sync-service"))
                .isInstanceOf(GroupAuthorizationException.class);
    }

    @Test
    void aWrongPasswordIsNotLetIn() {
        Map<String, Object> config = new HashMap<>(EmbeddedKafka.clientLogin("driftless-sync-service", "guessed"));
        config.put("bootstrap.servers", kafka.bootstrapServers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(Topics.SYNCS, "k", "{}"))
                            .get(20, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(SaslAuthenticationException.class);
        }
    }
}
