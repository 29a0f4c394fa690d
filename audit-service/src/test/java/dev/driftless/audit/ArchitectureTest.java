package dev.driftless.audit;

import dev.driftless.devstack.arch.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** The domain of audit-service stays pure: no framework, broker, Git, cluster or database code in it. */
class ArchitectureTest {

    @Test
    void domainIsPureAndAdaptersSitAroundIt() {
        ArchitectureRules.check("dev.driftless.audit");
    }
}
