package dev.driftless.events;

/**
 * Where and how a rendered bundle is synced: the application's destination and sync policy, carried with each
 * render so sync-service needs no catalog of its own.
 *
 * @param cluster destination cluster name ({@code default} is the cluster sync-service is configured for)
 * @param namespace destination namespace for namespaced objects that name none
 * @param prune delete objects that left Git
 * @param selfHeal re-apply when the cluster drifts from Git
 * @param allowEmpty accept an empty bundle (and so prune everything)
 * @param createNamespace create the destination namespace when it is missing
 */
public record Target(
        String cluster,
        String namespace,
        boolean prune,
        boolean selfHeal,
        boolean allowEmpty,
        boolean createNamespace) {}
