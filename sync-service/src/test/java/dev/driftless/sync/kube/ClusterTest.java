package dev.driftless.sync.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterTest {

    static GenericKubernetesResource object(List<ManagedFieldsEntry> managed) {
        GenericKubernetesResource object = new GenericKubernetesResource();
        object.setMetadata(
                new ObjectMetaBuilder().withName("a").withManagedFields(managed).build());
        return object;
    }

    static ManagedFieldsEntry entry(String manager, String operation, String time, String subresource) {
        return new ManagedFieldsEntryBuilder()
                .withManager(manager)
                .withOperation(operation)
                .withTime(time)
                .withSubresource(subresource)
                .build();
    }

    @Test
    void ourOwnApplyIsNotDriftButAnyOtherWriterIs() {
        var applied = entry("driftless", "Apply", "2026-11-26T01:00:00Z", null);
        var reapplied = entry("driftless", "Apply", "2026-11-26T01:05:00Z", null);
        var status = entry("kube-controller-manager", "Update", "2026-11-26T01:05:01Z", "status");
        var edit = entry("kubectl-edit", "Update", "2026-11-26T01:06:00Z", null);

        assertThat(Cluster.writtenOnlyBy("driftless", object(List.of(applied)), object(List.of(reapplied))))
                .as("our apply")
                .isTrue();
        assertThat(Cluster.writtenOnlyBy("driftless", object(List.of(applied)), object(List.of(reapplied, status))))
                .as("our apply and a status write")
                .isTrue();
        assertThat(Cluster.writtenOnlyBy("driftless", object(List.of(applied)), object(List.of(applied, edit))))
                .as("someone's edit")
                .isFalse();
        assertThat(Cluster.writtenOnlyBy("driftless", object(List.of(applied)), object(List.of(applied))))
                .as("a writer the server did not record")
                .isFalse();
    }
}
