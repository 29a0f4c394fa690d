package dev.driftless.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OwnershipTest {

    static final Map<String, Integer> PARTITION = Map.of("a", 0, "b", 1, "c", 2, "d", 0);

    @Test
    void followedApplicationsOfPartitionsThatMovedAwayAreReleasedAndInventoriedOnesOfOwnedPartitionsAdopted() {
        Ownership.Plan plan = Ownership.plan(
                Set.of("a", "b"), // followed
                Set.of("a", "b", "c", "d"), // with an inventory
                Set.of(), // nothing asked for yet
                Set.of(0, 2), // partition 1 moved away, 2 arrived
                PARTITION::get);

        assertThat(plan.release()).containsExactly("b");
        assertThat(plan.adopt()).as("owned, inventoried, not followed").containsExactly("c", "d");
    }

    @Test
    void anApplicationAlreadyAskedForIsNotAskedForAgain() {
        Ownership.Plan plan = Ownership.plan(Set.of(), Set.of("c", "d"), Set.of("c"), Set.of(0, 2), PARTITION::get);

        assertThat(plan.adopt()).containsExactly("d");
        assertThat(plan.release()).isEmpty();
    }
}
