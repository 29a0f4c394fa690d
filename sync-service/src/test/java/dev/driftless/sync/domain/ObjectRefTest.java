package dev.driftless.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** References to thousands of objects share one copy of each API version, kind and namespace. */
class ObjectRefTest {

    /** A string equal to {@code text} but not the same instance (as each parsed event gives). */
    private static String copy(String text) {
        return new String(text.toCharArray());
    }

    @Test
    void referencesShareTheirApiVersionKindAndNamespaceButNotTheirName() {
        ObjectRef one = new ObjectRef(copy("apps/v1"), copy("Deployment"), copy("shop"), copy("web"));
        ObjectRef other = new ObjectRef(copy("apps/v1"), copy("Deployment"), copy("shop"), copy("web"));

        assertThat(one).isEqualTo(other);
        assertThat(one.apiVersion()).isSameAs(other.apiVersion());
        assertThat(one.kind()).isSameAs(other.kind());
        assertThat(one.namespace()).isSameAs(other.namespace());
        assertThat(new ObjectRef("v1", "Namespace", null, "shop").namespace()).isNull();
        assertThat(one.toString()).isEqualTo("Deployment/shop/web");
    }
}
