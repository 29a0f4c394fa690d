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
 * and Application resources in the other namespaces {@code application-namespaces} names (each allowed by its
 * project's {@code sourceNamespaces}, which the parser checks), watched: each is handed to the catalog as a file of its own ({@code cluster/<namespace>/<kind>/<name>}), read by
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
        List<String> others = applicationNamespaces(
                config.clusterCatalog().applicationNamespaces().orElse(List.of()), namespace);
        // Projects only where Driftless runs: a team that may create Applications in its namespace never declares
        // what they may do
        informers.add(informer("Project", namespace));
        if (others.contains("*")) {
            informers.add(informer("Application", null));
        } else {
            informers.add(informer("Application", namespace));
            others.forEach(other -> informers.add(informer("Application", other)));
        }
        informers.forEach(SharedIndexInformer::start);
        LOG.infof(
                "catalog: reading Applications and Projects in namespace %s too%s",
                namespace, others.isEmpty() ? "" : ", and Applications in " + String.join(", ", others));
    }

    /**
     * The other namespaces to read Applications in, checked: names or {@code *}, without the home namespace.
     *
     * @throws IllegalArgumentException naming an entry that is neither
     */
    static List<String> applicationNamespaces(List<String> configured, String home) {
        List<String> namespaces = new ArrayList<>();
        for (String each : configured) {
            String namespace = each.strip();
            if (namespace.isEmpty() || namespace.equals(home) || namespaces.contains(namespace)) {
                continue;
            }
            if (!namespace.equals("*") && !namespace.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
                throw new IllegalArgumentException("driftless.render.cluster-catalog.application-namespaces: "
                        + namespace + " is not a namespace name (or * for every namespace)");
            }
            namespaces.add(namespace);
        }
        return namespaces.contains("*") ? List.of("*") : List.copyOf(namespaces);
    }

    /** A watch of {@code kind} in {@code namespace} ({@code null}: every namespace), retried when it fails. */
    private SharedIndexInformer<GenericKubernetesResource> informer(String kind, String namespace) {
        var resources = client.genericKubernetesResources(API_VERSION, kind);
        SharedIndexInformer<GenericKubernetesResource> informer = namespace == null
                ? resources.inAnyNamespace().runnableInformer(0)
                : resources.inNamespace(namespace).runnableInformer(0);
        String where = namespace == null ? "every namespace" : namespace;
        // a failed list or watch (the API server away, the CRD not installed yet) is tried again, never given up
        informer.exceptionHandler((started, failure) -> {
            LOG.warnf(
                    "the catalog's %s resources in %s cannot be read now (is the CRD installed, may"
                            + " render-service list them?), trying again: %s",
                    kind, where, failure.getMessage());
            return true;
        });
        return informer;
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
