package dev.driftless.sync.domain;

import java.util.Optional;

/** Whether a kind is namespaced, as the destination API server's discovery says; never from a list of kind names. */
@FunctionalInterface
public interface KindScopes {

    /** The scope a kind has. */
    enum Scope {
        /** Objects of the kind live in a namespace. */
        NAMESPACED,
        /** Objects of the kind have no namespace. */
        CLUSTER
    }

    /**
     * The scope of a kind of an {@code apiVersion}, or empty when the API server does not serve it (yet: a
     * CustomResourceDefinition in the same bundle may define it).
     */
    Optional<Scope> of(String apiVersion, String kind);
}
