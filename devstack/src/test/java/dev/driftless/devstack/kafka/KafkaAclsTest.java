package dev.driftless.devstack.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Each service's Kafka user in deploy/ may do exactly what its channels need: a channel added without its ACL (it
 * would fail in production with an authorization error) or an ACL no channel needs (a service allowed to write a
 * topic it does not publish to) fails here.
 */
class KafkaAclsTest {

    @Test
    void everyServiceHasExactlyTheAclsItsChannelsNeed() throws Exception {
        Map<String, Set<KafkaAcls.Grant>> shipped = KafkaAcls.shipped();
        assertThat(shipped.keySet()).containsExactlyInAnyOrderElementsOf(KafkaAcls.SERVICES);
        for (String service : KafkaAcls.SERVICES) {
            Set<KafkaAcls.Grant> granted = shipped.get(service).stream()
                    .filter(g -> !g.operation().equals("Describe"))
                    .collect(Collectors.toSet());
            assertThat(granted)
                    .as("ACLs of %s", service)
                    .containsExactlyInAnyOrderElementsOf(KafkaAcls.needed(service));
        }
    }

    @Test
    void theComposeBrokerGivesEachServiceTheSameAclsAsKubernetes() throws Exception {
        assertThat(KafkaAcls.compose())
                .as("deploy/compose/kafka-init.sh against deploy/kubernetes/base/kafka-users.yaml")
                .isEqualTo(KafkaAcls.shipped());
    }

    @Test
    void everyTopicReadOrWrittenMayAlsoBeDescribed() throws Exception {
        for (var entry : KafkaAcls.shipped().entrySet()) {
            for (KafkaAcls.Grant grant : entry.getValue()) {
                if (grant.type().equals("topic") && !grant.operation().equals("Describe")) {
                    assertThat(entry.getValue())
                            .as("%s: clients read a topic's metadata before they use it", entry.getKey())
                            .contains(new KafkaAcls.Grant("topic", grant.name(), "Describe"));
                }
            }
        }
    }
}
