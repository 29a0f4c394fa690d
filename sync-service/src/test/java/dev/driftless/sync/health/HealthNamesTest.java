package dev.driftless.sync.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftless.sync.domain.ObjectRef;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each object of an application has its own name in the status API, even when two differ only by API group. */
class HealthNamesTest {

    @Test
    void objectsThatWouldShareANameAreShownWithTheirGroup() {
        List<String> names = HealthMonitor.names(List.of(
                new ObjectRef("networking.istio.io/v1", "Gateway", "shop", "web"),
                new ObjectRef("gateway.networking.k8s.io/v1", "Gateway", "shop", "web"),
                new ObjectRef("v1", "Service", "shop", "web")));

        assertThat(names)
                .containsExactly(
                        "networking.istio.io/Gateway/shop/web",
                        "gateway.networking.k8s.io/Gateway/shop/web",
                        "Service/shop/web");
    }
}
