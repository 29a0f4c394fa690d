package dev.driftless.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.events.IgnoreDifference;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IgnoredFieldsTest {

    static final ObjectRef WEB = new ObjectRef("apps/v1", "Deployment", "shop", "web");

    static Map<String, Object> deployment(int replicas, String image, Map<String, Object> metadata) {
        return Map.of(
                "apiVersion",
                "apps/v1",
                "kind",
                "Deployment",
                "metadata",
                metadata,
                "spec",
                Map.of(
                        "replicas",
                        replicas,
                        "template",
                        Map.of(
                                "spec",
                                Map.of(
                                        "containers",
                                        List.of(
                                                Map.of("name", "web", "image", image),
                                                Map.of("name", "proxy", "image", "envoy:1"))))));
    }

    @SuppressWarnings("unchecked")
    static Object at(Map<String, Object> object, String... path) {
        Object node = object;
        for (String step : path) {
            node = node instanceof List<?> list
                    ? list.get(Integer.parseInt(step))
                    : ((Map<String, Object>) node).get(step);
        }
        return node;
    }

    @Test
    void aPointedFieldTakesItsLiveValueAndGitsOtherFieldsStay() {
        IgnoreDifference rule =
                new IgnoreDifference("apps", "Deployment", null, null, List.of("/spec/replicas"), List.of());
        Map<String, Object> desired = deployment(2, "web:2", Map.of("name", "web"));
        Map<String, Object> live = deployment(7, "web:1", Map.of("name", "web"));

        Map<String, Object> applied = IgnoredFields.keepLive(desired, List.of(rule), live);

        assertThat(at(applied, "spec", "replicas")).isEqualTo(7);
        assertThat(at(applied, "spec", "template", "spec", "containers", "0", "image"))
                .isEqualTo("web:2");
        assertThat(at(desired, "spec", "replicas"))
                .as("Git's object is not changed")
                .isEqualTo(2);
    }

    @Test
    void aFieldTheLiveObjectLacksIsLeftOutAndANewObjectIsCreatedAsGitHasIt() {
        IgnoreDifference rule = new IgnoreDifference(
                "apps", "Deployment", "web", null, List.of("/spec/template/spec/containers/1/image"), List.of());
        Map<String, Object> desired = deployment(2, "web:2", Map.of("name", "web"));
        Map<String, Object> live = Map.of(
                "metadata",
                Map.of("name", "web"),
                "spec",
                Map.of(
                        "template",
                        Map.of(
                                "spec",
                                Map.of(
                                        "containers",
                                        List.of(Map.of("name", "web", "image", "web:2"), Map.of("name", "proxy"))))));

        assertThat(at(
                        IgnoredFields.keepLive(desired, List.of(rule), live),
                        "spec",
                        "template",
                        "spec",
                        "containers",
                        "1"))
                .isEqualTo(Map.of("name", "proxy"));
        assertThat(IgnoredFields.keepLive(desired, List.of(rule), null)).isSameAs(desired);
    }

    @Test
    void theFieldsAManagerOwnsAreLeftToIt() {
        Map<String, Object> managedFields = Map.of(
                "managedFields",
                List.of(
                        Map.of(
                                "manager",
                                "kube-controller-manager",
                                "operation",
                                "Update",
                                "subresource",
                                "scale",
                                "fieldsV1",
                                Map.of("f:spec", Map.of("f:replicas", Map.of()))),
                        Map.of(
                                "manager",
                                "image-updater",
                                "fieldsV1",
                                Map.of(
                                        "f:spec",
                                        Map.of(
                                                "f:template",
                                                Map.of(
                                                        "f:spec",
                                                        Map.of(
                                                                "f:containers",
                                                                Map.of(
                                                                        "k:{\"name\":\"web\"}",
                                                                        Map.of(
                                                                                ".", Map.of(), "f:image",
                                                                                Map.of())))))))),
                "name",
                "web");
        Map<String, Object> live = deployment(5, "web:9", managedFields);
        Map<String, Object> desired = deployment(2, "web:2", Map.of("name", "web"));

        Map<String, Object> applied = IgnoredFields.keepLive(
                desired,
                List.of(new IgnoreDifference(
                        "apps",
                        "Deployment",
                        null,
                        null,
                        List.of(),
                        List.of("kube-controller-manager", "image-updater"))),
                live);

        assertThat(at(applied, "spec", "replicas")).isEqualTo(5);
        assertThat(at(applied, "spec", "template", "spec", "containers", "0", "image"))
                .isEqualTo("web:9");
        assertThat(at(applied, "spec", "template", "spec", "containers", "1", "image"))
                .as("the element the manager does not own")
                .isEqualTo("envoy:1");
    }

    @Test
    void aJsonPathNamesSeveralFieldsAtOnce() {
        IgnoreDifference rule = new IgnoreDifference(
                "apps",
                "Deployment",
                null,
                null,
                List.of(),
                List.of(),
                List.of("$.spec.template.spec.containers[*].image"));
        Map<String, Object> desired = deployment(2, "web:2", Map.of("name", "web"));
        Map<String, Object> live = deployment(2, "web:9", Map.of("name", "web"));

        Map<String, Object> applied = IgnoredFields.keepLive(desired, List.of(rule), live);

        assertThat(at(applied, "spec", "template", "spec", "containers", "0", "image"))
                .isEqualTo("web:9");
        assertThat(at(applied, "spec", "template", "spec", "containers", "1", "image"))
                .isEqualTo("envoy:1");
        assertThat(at(applied, "spec", "replicas")).isEqualTo(2);
    }

    @Test
    void rulesMatchByGroupKindNameAndNamespace() {
        List<IgnoreDifference> rules = List.of(
                new IgnoreDifference("apps", "Deployment", "web", "shop", List.of("/spec/replicas"), List.of()),
                new IgnoreDifference("", "ConfigMap", null, null, List.of("/data"), List.of()),
                new IgnoreDifference("apps", "Deployment", "api", null, List.of("/spec/replicas"), List.of()));

        assertThat(IgnoredFields.matching(rules, WEB)).containsExactly(rules.get(0));
        assertThat(IgnoredFields.matching(rules, new ObjectRef("v1", "ConfigMap", "any", "c")))
                .containsExactly(rules.get(1));
        assertThat(IgnoredFields.matching(rules, new ObjectRef("extensions/v1beta1", "Deployment", "shop", "web")))
                .isEmpty();
    }
}
