package dev.driftless.devstack.arch;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/** The rule catches a domain class that does I/O, and says how to fix it. */
class ArchitectureRulesTest {

    @Test
    void aDomainClassUsingKafkaBreaksTheRule() {
        var classes = new ClassFileImporter().importClasses(dev.driftless.devstack.arch.domain.Leaky.class);

        assertThatThrownBy(() -> ArchitectureRules.domainIsFrameworkFree().check(classes))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("org.apache.kafka")
                .hasMessageContaining("Move the I/O into an adapter");
    }
}
