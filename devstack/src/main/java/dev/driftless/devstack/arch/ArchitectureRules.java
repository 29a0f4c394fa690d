package dev.driftless.devstack.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layering every service keeps: a pure {@code domain} (records and decisions) that imports no framework, broker,
 * Git, Kubernetes, database or HTTP code, and does not reach into the adapters around it. Each service's tests call
 * {@link #check(String)} with its base package; a violation fails the build with a message saying how to fix it.
 */
public final class ArchitectureRules {

    private static final String HOW_TO_FIX = "Domain code decides; adapters do I/O. Move the I/O into an adapter"
            + " package (web, messaging, git, kube, store, catalog) and pass the domain plain values or an interface"
            + " it owns.";

    private ArchitectureRules() {}

    /** Checks the rules on the production classes under {@code basePackage}. */
    public static void check(String basePackage) {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(basePackage);
        domainIsFrameworkFree().check(classes);
        domainDoesNotUseAdapters().check(classes);
    }

    static ArchRule domainIsFrameworkFree() {
        return noClasses()
                .that()
                .resideInAPackage("..domain..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.quarkus..",
                        "io.smallrye..",
                        "jakarta..",
                        "org.eclipse.microprofile..",
                        "io.vertx..",
                        "org.apache.kafka..",
                        "org.eclipse.jgit..",
                        "io.fabric8..",
                        "io.micrometer..",
                        "io.agroal..",
                        "java.sql..",
                        "java.net.http..")
                .because(HOW_TO_FIX);
    }

    static ArchRule domainDoesNotUseAdapters() {
        return noClasses()
                .that()
                .resideInAPackage("..domain..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("..web..", "..messaging..", "..git..", "..kube..", "..store..", "..catalog..")
                .because(HOW_TO_FIX);
    }
}
