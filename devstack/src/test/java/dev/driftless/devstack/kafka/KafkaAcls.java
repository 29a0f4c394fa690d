package dev.driftless.devstack.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.driftless.devstack.kube.ControlPlaneBinaries;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Kafka ACLs of deploy/kubernetes/base/kafka-users.yaml, and what each service's channels need, read from its
 * application.properties: for tests that hold the two together and enforce the first on a real broker.
 */
final class KafkaAcls {

    static final List<String> SERVICES = List.of("webhook-service", "render-service", "sync-service", "audit-service");

    /** One permission: a resource type ({@code topic}, {@code group}), its name and an operation. */
    record Grant(String type, String name, String operation) implements Comparable<Grant> {
        @Override
        public int compareTo(Grant o) {
            return toString().compareTo(o.toString());
        }
    }

    /**
     * What a service's code reads or writes outside its channels, so no channel declares it: audit-service reads the
     * last checkpoint back at start with a consumer of its own (Checkpoints.readLatest, assigned, no group).
     */
    static final Map<String, Set<Grant>> OUTSIDE_CHANNELS =
            Map.of("audit-service", Set.of(new Grant("topic", "driftless.checkpoints", "Read")));

    private KafkaAcls() {}

    /** The grants each service's Kafka user has in the manifests (Describe left out), by service. */
    static Map<String, Set<Grant>> shipped() throws IOException {
        Map<String, Set<Grant>> grants = new TreeMap<>();
        Path file = ControlPlaneBinaries.repositoryRoot().resolve("deploy/kubernetes/base/kafka-users.yaml");
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try (Reader reader = Files.newBufferedReader(file);
                YAMLParser parser = new YAMLFactory().createParser(reader)) {
            for (JsonNode user : yaml.readValues(parser, JsonNode.class).readAll()) {
                if (!"KafkaUser".equals(user.path("kind").asText())) {
                    continue;
                }
                String service = user.path("metadata").path("name").asText().replaceFirst("^driftless-", "");
                Set<Grant> mine = grants.computeIfAbsent(service, s -> new TreeSet<>());
                for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
                    for (JsonNode operation : acl.path("operations")) {
                        mine.add(new Grant(
                                acl.path("resource").path("type").asText(),
                                acl.path("resource").path("name").asText(),
                                operation.asText()));
                    }
                }
            }
        }
        return grants;
    }

    /** The grants docker-compose.yml's broker gives each service: the {@code acl} lines of deploy/compose/kafka-init.sh. */
    static Map<String, Set<Grant>> compose() throws IOException {
        Map<String, Set<Grant>> grants = new TreeMap<>();
        java.util.regex.Pattern line =
                java.util.regex.Pattern.compile("^acl (\\S+) (topic|group) (\\S+) ([A-Za-z,]+)$");
        for (String text :
                Files.readAllLines(ControlPlaneBinaries.repositoryRoot().resolve("deploy/compose/kafka-init.sh"))) {
            java.util.regex.Matcher m = line.matcher(text.strip());
            if (m.matches()) {
                for (String operation : m.group(4).split(",")) {
                    grants.computeIfAbsent(m.group(1), s -> new TreeSet<>())
                            .add(new Grant(m.group(2), m.group(3), operation));
                }
            }
        }
        return grants;
    }

    /** What a service's channels (and {@link #OUTSIDE_CHANNELS}) need, from its application.properties. */
    static Set<Grant> needed(String service) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(ControlPlaneBinaries.repositoryRoot()
                .resolve(service)
                .resolve("src/main/resources/application.properties"))) {
            properties.load(reader);
        }
        Set<Grant> needs = new TreeSet<>(OUTSIDE_CHANNELS.getOrDefault(service, Set.of()));
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith("%")) {
                continue; // a profile's (tests) setting
            }
            String[] parts = key.split("\\.", 4);
            if (parts.length < 4 || !parts[0].equals("mp") || !parts[1].equals("messaging")) {
                continue;
            }
            String direction = parts[2];
            String rest = parts[3];
            String channel = rest.substring(0, rest.indexOf('.') < 0 ? rest.length() : rest.indexOf('.'));
            String attribute = rest.substring(channel.length()).replaceFirst("^\\.", "");
            String value = properties.getProperty(key).trim();
            if ((attribute.equals("topic") || attribute.equals("topics")) && !value.isEmpty()) {
                for (String topic : value.split(",")) {
                    needs.add(new Grant("topic", topic.trim(), direction.equals("outgoing") ? "Write" : "Read"));
                }
            }
            if (direction.equals("incoming") && attribute.equals("group.id")) {
                needs.add(new Grant("group", value, "Read"));
            }
        }
        return needs;
    }
}
