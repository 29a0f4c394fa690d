package dev.driftless.sync.domain;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Sync hooks, read from an object's annotations: Driftless's own ({@value #HOOK}, {@value #DELETE_POLICY}), Argo CD's
 * ({@value #ARGO_HOOK}, {@value #ARGO_DELETE_POLICY}) and Helm's ({@value #HELM_HOOK}, {@value #HELM_WEIGHT},
 * {@value #HELM_DELETE_POLICY}), understood as those tools do. A hook is created anew in its phase of a sync and run to
 * its end (a Job to completion, a Pod to success, anything else until healthy); it is never part of the application's
 * inventory, so never pruned, watched for drift or self-healed.
 */
public final class Hooks {

    /** Driftless's hook annotation: comma-separated phases, or {@code Skip}. */
    public static final String HOOK = "driftless.dev/hook";
    /** Driftless's delete-policy annotation: comma-separated {@link DeletePolicy} names. */
    public static final String DELETE_POLICY = "driftless.dev/hook-delete-policy";
    /** Argo CD's hook annotation (same values as {@value #HOOK}). */
    public static final String ARGO_HOOK = "argocd.argoproj.io/hook";
    /** Argo CD's delete-policy annotation. */
    public static final String ARGO_DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy";
    /** Argo CD's sync-wave annotation, read as {@link SyncPlan#SYNC_WAVE}. */
    public static final String ARGO_SYNC_WAVE = "argocd.argoproj.io/sync-wave";
    /** Helm's hook annotation: {@code pre-install}, {@code post-upgrade}, …, comma-separated. */
    public static final String HELM_HOOK = "helm.sh/hook";
    /** Helm's hook weight: lower runs first. */
    public static final String HELM_WEIGHT = "helm.sh/hook-weight";
    /** Helm's delete-policy annotation: {@code before-hook-creation}, {@code hook-succeeded}, {@code hook-failed}. */
    public static final String HELM_DELETE_POLICY = "helm.sh/hook-delete-policy";
    /** Label every hook object carries (with the application's label), so hooks are found and never taken as drift. */
    public static final String HOOK_LABEL = "driftless.dev/hook";
    /** Annotation of a hook named by {@code generateName}: that prefix, to find earlier runs of the same hook. */
    public static final String GENERATE_NAME = "driftless.dev/hook-generate-name";

    /** When in a sync a hook runs. */
    public enum Phase {
        /** Before anything is applied; a failure stops the sync with nothing applied. */
        PreSync,
        /** Once every object is applied. */
        Sync,
        /** Once every object is applied and healthy, and the Sync hooks succeeded. */
        PostSync,
        /** When a Sync or PostSync hook, or applying, failed. */
        SyncFail
    }

    /** When a hook object is deleted. Without any, {@link #BeforeHookCreation}. */
    public enum DeletePolicy {
        /** The previous run's object is deleted before the hook is created again. */
        BeforeHookCreation,
        /** Deleted once it succeeded. */
        HookSucceeded,
        /** Deleted once it failed. */
        HookFailed
    }

    /** How a sync treats an object: applied as usual, run as a hook, or left out. */
    public sealed interface Role {}

    /** An ordinary object. */
    public record Ordinary() implements Role {}

    /** A hook object. */
    public record Hook(Set<Phase> phases, Set<DeletePolicy> deletePolicies, int weight) implements Role {}

    /** An object a sync neither applies nor runs (Argo CD's {@code Skip}, Helm's delete, rollback and test hooks). */
    public record Skipped(String why) implements Role {}

    private Hooks() {}

    /**
     * The role an object's annotations give it. Driftless's annotation wins over Argo CD's, which wins over Helm's
     * (as Argo CD reads a chart). Helm's {@code pre-install}/{@code pre-upgrade} are PreSync, {@code post-install}/
     * {@code post-upgrade} PostSync; its delete, rollback and test hooks are not run by a sync; {@code crd-install} is
     * an ordinary object.
     *
     * @throws IllegalArgumentException for a phase, policy or weight no tool defines
     */
    public static Role roleOf(Map<String, ?> annotations) {
        if (annotations == null) {
            return new Ordinary();
        }
        Optional<String> own = text(annotations, HOOK).or(() -> text(annotations, ARGO_HOOK));
        Set<Phase> phases = EnumSet.noneOf(Phase.class);
        if (own.isPresent()) {
            for (String value : split(own.get())) {
                if (value.equals("Skip")) {
                    return new Skipped("marked Skip");
                }
                if (value.equals("PostDelete")) {
                    return new Skipped("a PostDelete hook is not run by a sync");
                }
                try {
                    phases.add(Phase.valueOf(value));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            "hook phase " + value + " is none of PreSync, Sync, PostSync, SyncFail, Skip");
                }
            }
        } else {
            Optional<String> helm = text(annotations, HELM_HOOK);
            if (helm.isEmpty()) {
                return new Ordinary();
            }
            boolean skipped = false;
            for (String value : split(helm.get())) {
                switch (value) {
                    case "pre-install", "pre-upgrade" -> phases.add(Phase.PreSync);
                    case "post-install", "post-upgrade" -> phases.add(Phase.PostSync);
                    case "crd-install" -> {
                        return new Ordinary();
                    }
                    case "pre-delete",
                            "post-delete",
                            "pre-rollback",
                            "post-rollback",
                            "test",
                            "test-success",
                            "test-failure" -> skipped = true;
                    default -> throw new IllegalArgumentException(HELM_HOOK + " " + value + " is no Helm hook");
                }
            }
            if (phases.isEmpty() && skipped) {
                return new Skipped("Helm hook " + helm.get().trim() + " is not run by a sync");
            }
        }
        if (phases.isEmpty()) {
            throw new IllegalArgumentException("a hook annotation names no phase");
        }
        return new Hook(Set.copyOf(phases), deletePolicies(annotations), weight(annotations));
    }

    /** The sync wave of an ordinary object, or the weight of a hook: Driftless's, else Argo CD's, else Helm's. */
    public static int weight(Map<String, ?> annotations) {
        Optional<String> value = text(annotations, SyncPlan.SYNC_WAVE)
                .or(() -> text(annotations, ARGO_SYNC_WAVE))
                .or(() -> text(annotations, HELM_WEIGHT));
        if (value.isEmpty()) {
            return 0;
        }
        try {
            return Integer.parseInt(value.get().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a sync wave or hook weight must be an integer, not " + value.get());
        }
    }

    private static Set<DeletePolicy> deletePolicies(Map<String, ?> annotations) {
        Optional<String> own = text(annotations, DELETE_POLICY).or(() -> text(annotations, ARGO_DELETE_POLICY));
        Set<DeletePolicy> policies = EnumSet.noneOf(DeletePolicy.class);
        if (own.isPresent()) {
            for (String value : split(own.get())) {
                try {
                    policies.add(DeletePolicy.valueOf(value));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("hook delete policy " + value
                            + " is none of BeforeHookCreation, HookSucceeded, HookFailed");
                }
            }
        } else {
            for (String value : split(text(annotations, HELM_DELETE_POLICY).orElse(""))) {
                policies.add(
                        switch (value.toLowerCase(Locale.ROOT)) {
                            case "before-hook-creation" -> DeletePolicy.BeforeHookCreation;
                            case "hook-succeeded" -> DeletePolicy.HookSucceeded;
                            case "hook-failed" -> DeletePolicy.HookFailed;
                            default ->
                                throw new IllegalArgumentException(
                                        HELM_DELETE_POLICY + " " + value + " is no Helm delete policy");
                        });
            }
        }
        return policies.isEmpty() ? Set.of(DeletePolicy.BeforeHookCreation) : Set.copyOf(policies);
    }

    /** Where a hook's run stands, read from the object. */
    public enum Outcome {
        /** Still running. */
        Running,
        /** Ran to success. */
        Succeeded,
        /** Failed. */
        Failed
    }

    /**
     * How far a hook object got: a Job by its Complete and Failed conditions, a Pod by its phase (a Pod that runs,
     * even ready, has not finished), anything else by its health.
     */
    public static Outcome outcome(Map<String, Object> object) {
        String kind = String.valueOf(object.get("kind"));
        if (kind.equals("Pod")) {
            Object status = object.get("status");
            Object phase = status instanceof Map<?, ?> map ? map.get("phase") : null;
            return "Succeeded".equals(phase)
                    ? Outcome.Succeeded
                    : "Failed".equals(phase) ? Outcome.Failed : Outcome.Running;
        }
        Health health = Health.of(object);
        return switch (health.state()) {
            case Healthy -> Outcome.Succeeded;
            case Degraded -> Outcome.Failed;
            default -> Outcome.Running;
        };
    }

    private static Optional<String> text(Map<String, ?> annotations, String key) {
        Object value = annotations.get(key);
        return value == null || String.valueOf(value).isBlank() ? Optional.empty() : Optional.of(String.valueOf(value));
    }

    private static List<String> split(String value) {
        return java.util.Arrays.stream(value.split(","))
                .map(String::trim)
                .filter(v -> !v.isEmpty())
                .toList();
    }
}
