package dev.driftless.sync.domain;

import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToIntFunction;

/**
 * Which applications a replica of sync-service owns: those whose key falls in a partition of {@code driftless.renders}
 * it consumes. When partitions move (a replica starts, stops or dies), the replica lets go of every application it
 * follows but no longer owns, once a sync of it that runs has ended (no watching, healing or health reporting: the
 * new owner does that), and
 * adopts every application it now owns and has an inventory in a cluster but does not follow, by asking for it to be
 * rendered and synced again (the sync rebuilds its drift watch, health and desired state). Pure: decides, does
 * nothing.
 */
public final class Ownership {

    private Ownership() {}

    /**
     * What to do after partitions moved.
     *
     * @param release followed applications this replica no longer owns
     * @param adopt applications this replica owns, with an inventory, that it neither follows nor already asked for
     */
    public record Plan(Set<String> release, Set<String> adopt) {}

    /**
     * @param followed applications this replica follows (synced since it started)
     * @param inventoried applications with an inventory in a cluster this replica syncs to
     * @param requested applications whose resync this replica already asked for
     * @param owned the partitions of {@code driftless.renders} this replica consumes
     * @param partitionOf the partition an application's key falls in
     */
    public static Plan plan(
            Set<String> followed,
            Set<String> inventoried,
            Set<String> requested,
            Set<Integer> owned,
            ToIntFunction<String> partitionOf) {
        Set<String> release = new TreeSet<>();
        for (String application : followed) {
            if (!owned.contains(partitionOf.applyAsInt(application))) {
                release.add(application);
            }
        }
        Set<String> adopt = new TreeSet<>();
        for (String application : inventoried) {
            if (!followed.contains(application)
                    && !requested.contains(application)
                    && owned.contains(partitionOf.applyAsInt(application))) {
                adopt.add(application);
            }
        }
        return new Plan(release, adopt);
    }
}
