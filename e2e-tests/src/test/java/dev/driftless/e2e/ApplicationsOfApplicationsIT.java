package dev.driftless.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * App of apps, on the whole stack as {@code ./driftless up} runs it: an Application resource created with kubectl's
 * rights points at a directory of Application manifests; syncing it applies them in driftless-system, render-service
 * reads them from the cluster and renders them, sync-service applies them and writes their status.
 */
@Order(Integer.MAX_VALUE) // last: the applications it adds would show in the others' lists
@ExtendWith(SharedStack.Extension.class)
class ApplicationsOfApplicationsIT {

    static final Duration WAIT = Duration.ofSeconds(90);

    static GenericKubernetesResource application(String name, String repository, String path, String namespace) {
        GenericKubernetesResource resource = new GenericKubernetesResource();
        resource.setApiVersion("driftless.dev/v1alpha1");
        resource.setKind("Application");
        resource.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace("driftless-system")
                .build());
        resource.setAdditionalProperty(
                "spec",
                Map.of(
                        "source", Map.of("repoURL", repository, "targetRevision", "main", "path", path),
                        "destination", Map.of("namespace", namespace),
                        "syncPolicy", Map.of("prune", true, "createNamespace", true)));
        return resource;
    }

    @Test
    void anApplicationWhoseRenderHoldsApplicationsRegistersAndSyncsThem(SharedStack stack) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String parent = "parent-" + suffix;
        String child = "child-" + suffix;
        String demo = stack.env("DRIFTLESS_DEMO_REPO");
        try (Git git = stack.cloneDemo("apps-of-apps")) {
            Path dir = git.getRepository().getWorkTree().toPath().resolve("apps/" + parent);
            Files.createDirectories(dir);
            Files.writeString(
                    dir.resolve("child.yaml"),
                    """
                    apiVersion: driftless.dev/v1alpha1
                    kind: Application
                    metadata: { name: %s }
                    spec:
                      source: { repoURL: "%s", targetRevision: main, path: apps/demo }
                      destination: { namespace: %s }
                      syncPolicy: { prune: true, createNamespace: true }
                    """
                            .formatted(child, demo, child));
            SharedStack.commitAndPush(git, "an application of applications", "Ada");
        }
        stack.cluster
                .resource(application(parent, demo, "apps/" + parent, "driftless-system"))
                .create();

        await().atMost(WAIT)
                .alias("the child's objects are in its namespace")
                .until(() -> stack.cluster
                                .configMaps()
                                .inNamespace(child)
                                .withName("demo-config")
                                .get()
                        != null);
        await().atMost(WAIT).untilAsserted(() -> {
            GenericKubernetesResource registered = stack.cluster
                    .genericKubernetesResources("driftless.dev/v1alpha1", "Application")
                    .inNamespace("driftless-system")
                    .withName(child)
                    .get();
            assertThat(registered).isNotNull();
            assertThat(String.valueOf(registered.getAdditionalProperties().get("status")))
                    .contains("sync=Synced");
        });
    }
}
