package dev.driftless.render.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.render.RenderConfig;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The catalog's Application and Project resources ({@code driftless.dev/v1alpha1}) in one namespace of the cluster,
 * watched: each is handed to the catalog as a file of its own ({@code cluster/<namespace>/<kind>/<name>}), read by
 * the same parser as the directory's files, with the same errors; a name the directory declares stays the
 * directory's. An Application an application's render applied there (app of apps) must be in that application's
 * project, and a Project a render applied is not read. Off unless {@code driftless.render.cluster-catalog.enabled}.
 */
@ApplicationScoped
public class ClusterCatalog {

    private static final Logger LOG = Logger.getLogger(ClusterCatalog.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String API_VERSION = "driftless.dev/v1alpha1";

    @Inject
    RenderConfig config;

    private KubernetesClient client;
    private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new ArrayList<>();

    void start(@Observes StartupEvent start) throws IOException {
        if (!config.clusterCatalog().enabled()) {
            return;
        }
        Config kube = config.clusterCatalog().kubeconfig().isPresent()
                ? Config.fromKubeconfig(
                        Files.readString(config.clusterCatalog().kubeconfig().get()))
                : Config.autoConfigure(null);
        client = new KubernetesClientBuilder().withConfig(kube).build();
        String namespace = config.clusterCatalog().namespace();
        for (String kind : List.of("Project", "Application")) {
            SharedIndexInformer<GenericKubernetesResource> informer = client.genericKubernetesResources(
                            API_VERSION, kind)
                    .inNamespace(namespace)
                    .runnableInformer(0);
            // a failed list or watch (the API server away, the CRD not installed yet) is tried again, never given up
            informer.exceptionHandler((started, failure) -> {
                LOG.warnf(
                        "the catalog's %s resources in %s cannot be read now (is the CRD installed, may"
                                + " render-service list them?), trying again: %s",
                        kind, namespace, failure.getMessage());
                return true;
            });
            informers.add(informer);
        }
        informers.forEach(SharedIndexInformer::start);
        LOG.infof("catalog: reading Applications and Projects in namespace %s too", namespace);
    }

    @PreDestroy
    void stop() {
        informers.forEach(SharedIndexInformer::stop);
        if (client != null) {
            client.close();
        }
    }

    /** Each resource as a catalog file (JSON, which is YAML), by a name that says where it came from. */
    public Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        for (SharedIndexInformer<GenericKubernetesResource> informer : informers) {
            for (GenericKubernetesResource resource : informer.getStore().list()) {
                Map<String, String> labels = resource.getMetadata().getLabels() == null
                        ? Map.of()
                        : resource.getMetadata().getLabels();
                String appliedBy = labels.get(dev.driftless.render.domain.CatalogParser.APPLIED_BY);
                if ("Project".equals(resource.getKind()) && appliedBy != null) {
                    // a render never widens what an application may do: only people declare projects
                    LOG.warnf(
                            "catalog: Project %s was applied by application %s and is not read",
                            resource.getMetadata().getName(), appliedBy);
                    continue;
                }
                Map<String, Object> metadata = new LinkedHashMap<>();
                metadata.put("name", resource.getMetadata().getName());
                if (appliedBy != null) {
                    metadata.put("labels", Map.of(dev.driftless.render.domain.CatalogParser.APPLIED_BY, appliedBy));
                }
                Map<String, Object> declaration = new LinkedHashMap<>();
                declaration.put("apiVersion", API_VERSION);
                declaration.put("kind", resource.getKind());
                declaration.put("metadata", metadata);
                declaration.put("spec", resource.getAdditionalProperties().getOrDefault("spec", Map.of()));
                try {
                    files.put(
                            "cluster/" + resource.getMetadata().getNamespace() + "/" + resource.getKind() + "/"
                                    + resource.getMetadata().getName(),
                            JSON.writeValueAsString(declaration));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    LOG.warnf(
                            "cannot read %s %s: %s",
                            resource.getKind(), resource.getMetadata().getName(), e);
                }
            }
        }
        return files;
    }
}
