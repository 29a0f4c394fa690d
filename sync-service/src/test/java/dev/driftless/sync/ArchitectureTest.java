package dev.driftless.sync;

import dev.driftless.devstack.arch.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** The domain of sync-service stays pure: no framework, broker, Git, cluster or database code in it. */
class ArchitectureTest {

    @Test
    void domainIsPureAndAdaptersSitAroundIt() {
        ArchitectureRules.check("dev.driftless.sync");
    }
}
