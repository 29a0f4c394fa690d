package dev.driftless.sync.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The drift watch's informers keep live objects packed: what comes back is what went in, and objects of one kind cost
 * a fraction of their JSON. The fixture is what a real kube-apiserver returned for the demo application (with
 * {@code managedFields} and {@code status}).
 */
class CompactStoreTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How fabric8 reads what the API server sends (and hands to the informer), not the store's own mapper. */
    private static final KubernetesSerialization FABRIC8 = new KubernetesSerialization();

    @Test
    void whatComesBackIsWhatWentIn() throws IOException {
        // one store per kind, as one informer watches one kind
        Map<String, CompactStore<GenericKubernetesResource>> stores = new java.util.HashMap<>();
        List<GenericKubernetesResource> live = live();
        for (GenericKubernetesResource object : live) {
            var store =
                    stores.computeIfAbsent(object.getKind(), k -> new CompactStore<>(GenericKubernetesResource.class));
            assertThat(store.put(store.getKey(object), object)).isNull();
        }

        assertThat(stores.get("ConfigMap").keySet())
                .containsExactlyInAnyOrder("demo/demo-config", "driftless-system/driftless-inventory-demo");
        for (GenericKubernetesResource object : live) {
            var store = stores.get(object.getKind());
            assertThat(tree(store.get(store.getKey(object)))).isEqualTo(tree(object));
        }
        assertThat(stores.get("ConfigMap").values().map(CompactStoreTest::tree))
                .containsExactlyInAnyOrderElementsOf(live.stream()
                        .filter(o -> o.getKind().equals("ConfigMap"))
                        .map(CompactStoreTest::tree)
                        .toList());
        assertThat(stores.get("ConfigMap").size()).isEqualTo(2);
    }

    @Test
    void anUpdateHandsBackTheObjectItReplacesAndARemovalTheLastOne() throws IOException {
        CompactStore<GenericKubernetesResource> store = new CompactStore<>(GenericKubernetesResource.class);
        GenericKubernetesResource before = deployment(0);
        GenericKubernetesResource after = deployment(0);
        after.getMetadata().setResourceVersion("999");
        String key = store.getKey(before);

        store.put(key, before);
        assertThat(tree(store.put(key, after))).isEqualTo(tree(before));
        assertThat(tree(store.remove(key))).isEqualTo(tree(after));
        assertThat(store.get(key)).isNull();
        assertThat(store.size()).isZero();
    }

    @Test
    void objectsOfOneKindCostAFractionOfTheirJson() throws IOException {
        CompactStore<GenericKubernetesResource> store = new CompactStore<>(GenericKubernetesResource.class);
        long json = 0;
        for (int i = 0; i < 200; i++) {
            GenericKubernetesResource object = deployment(i);
            json += JSON.writeValueAsBytes(object).length;
            store.put(store.getKey(object), object);
        }
        // deflate alone keeps about 35 % of a Deployment's JSON; the dictionary learnt from the first, about 5 %
        assertThat(store.packedBytes()).isLessThan(json / 8);
        assertThat(tree(store.get("app-123/app-123"))).isEqualTo(tree(deployment(123)));
    }

    @Test
    void documentsLargerThanTheDictionaryAndTheBufferComeBackWhole() throws IOException {
        CompactJson packer = new CompactJson();
        Random random = new Random(7);
        StringBuilder blob = new StringBuilder();
        for (int i = 0; i < 300_000; i++) {
            blob.append((char) ('a' + random.nextInt(26))); // hardly compressible: the output outgrows the buffer
        }
        byte[] large = JSON.writeValueAsBytes(Map.of("kind", "Blob", "spec", Map.of("blob", blob.toString())));
        byte[] small = "{\"kind\":\"ConfigMap\"}".getBytes(StandardCharsets.UTF_8);
        byte[] notJson = blob.substring(0, 100_000).getBytes(StandardCharsets.UTF_8);

        assertThat(packer.unpack(packer.pack(large))).isEqualTo(large);
        assertThat(packer.unpack(packer.pack(small))).isEqualTo(small);
        assertThat(packer.unpack(packer.pack(notJson))).isEqualTo(notJson);
        assertThat(packer.dictionaryBytes()).isEqualTo(32 * 1024);
        CompactJson none = new CompactJson();
        assertThat(none.unpack(none.pack(notJson))).as("no dictionary").isEqualTo(notJson);
        assertThat(none.dictionaryBytes()).isZero();
    }

    /** Deflaters and inflaters are shared between threads and packers (each with its own dictionary), a few kept. */
    @Test
    void manyThreadsPackingWithDifferentDictionariesEachGetBackWhatTheyPacked() throws Exception {
        CompactJson deployments = new CompactJson();
        CompactJson configMaps = new CompactJson();
        CompactJson none = new CompactJson();
        deployments.pack(JSON.writeValueAsBytes(Map.of("kind", "Deployment", "spec", Map.of("replicas", 3))));
        configMaps.pack(JSON.writeValueAsBytes(Map.of("kind", "ConfigMap", "metadata", Map.of("name", "a"))));
        List<java.util.concurrent.Callable<Integer>> work = new ArrayList<>();
        for (int t = 0; t < 12; t++) {
            int thread = t;
            work.add(() -> {
                int checked = 0;
                for (int i = 0; i < 300; i++) {
                    byte[] json = JSON.writeValueAsBytes(Map.of(
                            "kind", "ConfigMap", "metadata", Map.of("name", "cm-" + thread + "-" + i, "uid", i)));
                    for (CompactJson packer : List.of(deployments, configMaps, none)) {
                        assertThat(packer.unpack(packer.pack(json))).isEqualTo(json);
                        checked++;
                    }
                }
                return checked;
            });
        }
        var pool = java.util.concurrent.Executors.newFixedThreadPool(12);
        try {
            int checked = 0;
            for (var done : pool.invokeAll(work)) {
                checked += done.get();
            }
            assertThat(checked).isEqualTo(12 * 300 * 3);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theDictionaryKeepsNoValueASecretOrConfigMapCarries() throws IOException {
        CompactJson packer = new CompactJson();
        byte[] secret = JSON.writeValueAsBytes(Map.of(
                "apiVersion",
                "v1",
                "kind",
                "Secret",
                "metadata",
                Map.of(
                        "name",
                        "db",
                        "namespace",
                        "shop",
                        "annotations",
                        Map.of("kubectl.kubernetes.io/last-applied-configuration", "{\"stringData\":\"hunter2\"}")),
                "data",
                Map.of("password", "c3VwZXItc2VjcmV0"),
                "stringData",
                Map.of("token", "hunter2")));

        assertThat(packer.unpack(packer.pack(secret))).isEqualTo(secret);
        String dictionary = new String(packer.dictionary(), StandardCharsets.UTF_8);
        assertThat(dictionary).contains("\"kind\":\"Secret\"").contains("\"namespace\":\"shop\"");
        assertThat(dictionary).doesNotContain("c3VwZXItc2VjcmV0").doesNotContain("hunter2");
    }

    @Test
    void aDamagedEntryIsRefusedNotReadAsSomethingElse() {
        CompactJson packer = new CompactJson();
        byte[] packed = packer.pack("{\"kind\":\"ConfigMap\",\"data\":{\"a\":\"b\"}}".getBytes(StandardCharsets.UTF_8));
        byte[] cut = java.util.Arrays.copyOf(packed, packed.length - 3);

        assertThatThrownBy(() -> packer.unpack(cut)).isInstanceOf(IllegalStateException.class);
    }

    private static GenericKubernetesResource deployment(int i) throws IOException {
        ObjectNode object =
                (ObjectNode) JSON.readTree(fixture()).get("items").get(0).deepCopy();
        ObjectNode metadata = (ObjectNode) object.get("metadata");
        metadata.put("name", "app-" + i).put("namespace", "app-" + i).put("uid", "uid-" + i * 7919);
        metadata.put("resourceVersion", String.valueOf(1000 + i));
        ((ObjectNode) metadata.get("labels")).put("driftless.dev/application", "app-" + i);
        ((ObjectNode) metadata.get("annotations")).put("driftless.dev/commit", Integer.toHexString(i * 104729));
        return FABRIC8.unmarshal(object.toString(), GenericKubernetesResource.class);
    }

    private static List<GenericKubernetesResource> live() throws IOException {
        List<GenericKubernetesResource> objects = new ArrayList<>();
        JSON.readTree(fixture())
                .get("items")
                .forEach(item -> objects.add(FABRIC8.unmarshal(item.toString(), GenericKubernetesResource.class)));
        return objects;
    }

    private static byte[] fixture() throws IOException {
        try (InputStream in = CompactStoreTest.class.getResourceAsStream("/kube/live-objects.json")) {
            return in.readAllBytes();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> tree(GenericKubernetesResource object) {
        return FABRIC8.convertValue(object, Map.class);
    }
}
