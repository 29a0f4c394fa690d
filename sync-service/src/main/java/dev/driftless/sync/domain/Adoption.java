package dev.driftless.sync.domain;

import java.util.Map;
import java.util.Optional;

/**
 * Whether an application may apply over an object already in the cluster. An object another application applied
 * (its {@code driftless.dev/application} label) is never taken over ({@link Reason#OwnedByOtherApplication}); an
 * object no application manages (no such label: made by hand, by Helm, by another tool) is taken over only when the
 * application says so, for all its objects ({@code syncPolicy.adopt: true}) or for this one (annotation
 * {@value #ADOPT}{@code : "true"} in Git), else {@link Reason#AdoptionRefused}. An object the application's own
 * inventory lists is its own even if someone removed its label. Pure: decides, reads nothing.
 */
public final class Adoption {

    /** Annotation that lets an application take over an existing object no application manages. */
    public static final String ADOPT = "driftless.dev/adopt";

    private Adoption() {}

    /**
     * What an application claims of an object it is about to apply.
     *
     * @param application the application applying it
     * @param inventoried whether its inventory already lists the object (it applied it before)
     * @param adopt whether it may take the object over if it exists unmanaged
     */
    public record Claim(String application, boolean inventoried, boolean adopt) {

        /** An application re-applying what it applied before (self-heal): its own objects, nothing else. */
        public static Claim own(String application) {
            return new Claim(application, true, false);
        }
    }

    /** Why the object may not be applied. */
    public record Refusal(Reason reason, String message) {}

    /**
     * The refusal, if any, to apply an object over the one in the cluster.
     *
     * @param liveLabels the labels of the object in the cluster, or {@code null} when there is none
     */
    public static Optional<Refusal> refusal(Claim claim, ObjectRef ref, Map<String, String> liveLabels) {
        if (liveLabels == null) {
            return Optional.empty();
        }
        String owner = liveLabels.get(SyncPlan.APPLICATION);
        if (owner != null && !owner.isBlank()) {
            return owner.equals(claim.application())
                    ? Optional.empty()
                    : Optional.of(new Refusal(
                            Reason.OwnedByOtherApplication,
                            ref + " belongs to application " + owner + "; an object is managed by one application"
                                    + " only (remove it from one of them)"));
        }
        if (claim.inventoried() || claim.adopt()) {
            return Optional.empty();
        }
        return Optional.of(new Refusal(
                Reason.AdoptionRefused,
                ref + " exists and no application manages it; to take it over, set syncPolicy.adopt: true or"
                        + " annotate it in Git with " + ADOPT + ": \"true\""));
    }

    /** Whether a manifest asks to take over the object ({@value #ADOPT}{@code : "true"}). */
    @SuppressWarnings("unchecked")
    public static boolean asked(Map<String, Object> manifest) {
        return manifest.get("metadata") instanceof Map<?, ?> metadata
                && ((Map<String, Object>) metadata).get("annotations") instanceof Map<?, ?> annotations
                && "true".equals(String.valueOf(annotations.get(ADOPT)));
    }
}
