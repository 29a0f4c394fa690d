package dev.driftless.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.driftless.devstack.local.LocalStack;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The stack as {@code ./driftless up} runs it, with parts taken away: the broker stopped and started again (every
 * service goes not-ready and comes back, and a push after it is applied and recorded once), and a service killed
 * hard (the stack restarts it, as Kubernetes would, and a push after it is applied). Runs between the other two
 * end-to-end classes: after the one that checks the stack as it starts, and before the dashboards, whose Kafka
 * consumer-lag gauge needs the stack to have run a minute anyway (Micrometer's Kafka binder registers it at its first
 * refresh); every test leaves the stack whole.
 */
@Order(2)
@ExtendWith(SharedStack.Extension.class)
@TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class StackSurvivesFaultsIT {

    static final Duration GENEROUS = Duration.ofSeconds(120);
    static final List<String> SERVICES = List.of("WEBHOOK", "RENDER", "SYNC", "AUDIT");

    static SharedStack stack;

    @BeforeAll
    static void useTheSharedStack(SharedStack shared) {
        stack = shared;
    }

    @Test
    @Order(1)
    void withTheBrokerGoneEveryServiceIsNotReadyAndOnceItIsBackAPushIsAppliedAndRecordedOnce() throws Exception {
        stack.stack.kafka().stop();
        try {
            for (String service : SERVICES) {
                await().atMost(GENEROUS)
                        .alias(service + " not ready without the broker")
                        .until(() -> !SharedStack.ready(url(service)));
            }
        } finally {
            stack.stack.kafka().startAgain();
        }
        for (String service : SERVICES) {
            await().atMost(GENEROUS)
                    .alias(service + " ready again with the broker back")
                    .until(() -> SharedStack.ready(url(service)));
        }

        RevCommit pushed = pushAFile("after-broker-restart", "after the broker came back");
        awaitApplied("after-broker-restart", pushed);
        await().atMost(GENEROUS).untilAsserted(() -> assertThat(recorded(pushed, "dev.driftless.commit.pushed.v1"))
                .as("commit.pushed of %s in the change log", pushed.name())
                .isEqualTo(1));
    }

    @Test
    @Order(2)
    void aServiceKilledHardIsRestartedByTheStackAndAPushAfterItIsApplied() throws Exception {
        LocalStack local = stack.stack;
        long before = local.pids().get("sync-service");
        ProcessHandle.of(before).orElseThrow().destroyForcibly(); // kill -9, as an OOM kill would
        await().atMost(GENEROUS)
                .alias("sync-service restarted and ready")
                .until(() -> local.pids().get("sync-service") != before && SharedStack.ready(url("SYNC")));

        RevCommit pushed = pushAFile("after-kill", "after a kill -9");
        awaitApplied("after-kill", pushed);
    }

    static String url(String service) {
        return stack.env("DRIFTLESS_" + service + "_URL");
    }

    /** Pushes a ConfigMap of its own, so the demo application's other objects stay as the other classes expect. */
    static RevCommit pushAFile(String name, String message) throws Exception {
        try (Git git = stack.cloneDemo(name)) {
            Path work = git.getRepository().getWorkTree().toPath();
            Files.writeString(
                    work.resolve("apps/demo/" + name + ".yaml"),
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n  message: \"" + message
                            + "\"\n");
            return SharedStack.commitAndPush(git, "Add " + name, "Erin");
        }
    }

    static void awaitApplied(String name, RevCommit pushed) {
        await().atMost(GENEROUS).untilAsserted(() -> {
            ConfigMap applied = stack.cluster
                    .configMaps()
                    .inNamespace("demo")
                    .withName(name)
                    .get();
            assertThat(applied).as("%s applied", name).isNotNull();
            assertThat(applied.getMetadata().getAnnotations()).containsEntry("driftless.dev/commit", pushed.name());
        });
    }

    /** How many accepted events of this type name the commit in the change log. */
    static long recorded(RevCommit commit, String type) {
        JsonNode page = stack.get(stack.env("DRIFTLESS_AUDIT_URL") + "/api/changes?limit=200&type=" + type);
        List<JsonNode> matching = new ArrayList<>();
        if (page != null) {
            page.path("items").forEach(item -> {
                if (commit.name().equals(item.path("commit").asText())
                        && !item.path("rejected").asBoolean()) {
                    matching.add(item);
                }
            });
        }
        return matching.size();
    }
}
