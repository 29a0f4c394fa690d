package dev.driftless.sync;

import dev.driftless.events.SyncReport.ResourceResult;
import dev.driftless.sync.domain.Hooks;
import dev.driftless.sync.domain.Hooks.DeletePolicy;
import dev.driftless.sync.domain.ObjectRef;
import dev.driftless.sync.domain.Reason;
import dev.driftless.sync.domain.SyncPlan;
import dev.driftless.sync.kube.Cluster;
import dev.driftless.sync.kube.ClusterFailure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Runs the sync hooks of one phase, one after the other in their order: the previous run deleted first
 * ({@link DeletePolicy#BeforeHookCreation}), the hook created as the application's deployer, followed until it
 * succeeds, fails or passes the deadline, then deleted as its policy says. The first hook that does not succeed ends
 * the phase. Each hook's outcome, and where its logs are, goes into the sync report.
 */
@ApplicationScoped
public class HookRunner {

    private static final Logger LOG = Logger.getLogger(HookRunner.class);
    private static final Duration POLL = Duration.ofMillis(200);

    /**
     * Runs the hooks of a phase.
     *
     * @param results where each hook's outcome is added
     * @return what failed, or empty when every hook of the phase succeeded (or it has none)
     */
    public Optional<String> run(
            Cluster cluster, SyncPlan plan, Hooks.Phase phase, Duration deadline, List<ResourceResult> results) {
        for (SyncPlan.HookObject hook : plan.hooks(phase)) {
            Optional<String> failure = runOne(cluster, plan.application(), hook, phase, deadline, results);
            if (failure.isPresent()) {
                return failure;
            }
        }
        return Optional.empty();
    }

    private Optional<String> runOne(
            Cluster cluster,
            String application,
            SyncPlan.HookObject hook,
            Hooks.Phase phase,
            Duration deadline,
            List<ResourceResult> results) {
        ObjectRef ref = hook.ref();
        java.util.Set<DeletePolicy> policies = hook.hook().deletePolicies();
        ObjectRef created = ref;
        try {
            if (policies.contains(DeletePolicy.BeforeHookCreation)) {
                deletePrevious(cluster, application, hook, deadline);
            }
            created = cluster.createHook(ref, hook.manifest());
            LOG.infof("%s: %s hook %s created", application, phase, created);
            Ended ended = await(cluster, created, deadline);
            boolean succeeded = ended.outcome() == Hooks.Outcome.Succeeded;
            if (policies.contains(succeeded ? DeletePolicy.HookSucceeded : DeletePolicy.HookFailed)) {
                cluster.deleteHook(created, application);
            }
            String logs = logs(created);
            if (succeeded) {
                results.add(result(created, "completed", null, phase + " hook succeeded" + logs, phase));
                return Optional.empty();
            }
            String message = phase + " hook " + created + " " + ended.why() + logs;
            results.add(result(created, "failed", Reason.HookFailed.name(), message, phase));
            return Optional.of(message);
        } catch (ClusterFailure e) {
            String message = phase + " hook " + created + " could not run: " + e.reason() + ": " + e.getMessage();
            results.add(result(created, "failed", Reason.HookFailed.name(), message, phase));
            return Optional.of(message);
        }
    }

    /**
     * Deletes the previous run of a hook: the object of its name, waited for until it is gone (so the new one can take
     * the name), or every earlier object of its {@code generateName}.
     */
    private static void deletePrevious(Cluster cluster, String application, SyncPlan.HookObject hook, Duration deadline)
            throws ClusterFailure {
        if (hook.generatedName()) {
            for (ObjectRef run : cluster.hookRuns(hook.ref(), application)) {
                cluster.deleteHook(run, application);
            }
            return;
        }
        if (!cluster.deleteHook(hook.ref(), application)) {
            return;
        }
        Instant giveUp = Instant.now().plus(deadline);
        while (cluster.get(hook.ref()).isPresent()) {
            if (Instant.now().isAfter(giveUp)) {
                throw new ClusterFailure(
                        Reason.HookFailed, "the previous run of " + hook.ref() + " was not gone within " + deadline);
            }
            pause();
        }
    }

    /** How a hook's run ended, and why, for people. */
    private record Ended(Hooks.Outcome outcome, String why) {}

    private static Ended await(Cluster cluster, ObjectRef created, Duration deadline) throws ClusterFailure {
        Instant giveUp = Instant.now().plus(deadline);
        while (true) {
            Optional<Map<String, Object>> live = cluster.get(created);
            if (live.isEmpty()) {
                return new Ended(Hooks.Outcome.Failed, "was deleted before it finished");
            }
            Hooks.Outcome outcome = Hooks.outcome(live.get());
            if (outcome == Hooks.Outcome.Succeeded) {
                return new Ended(outcome, "succeeded");
            }
            if (outcome == Hooks.Outcome.Failed) {
                return new Ended(
                        outcome,
                        "failed: "
                                + dev.driftless.sync.domain.Health.of(live.get())
                                        .reason());
            }
            if (Instant.now().isAfter(giveUp)) {
                return new Ended(Hooks.Outcome.Failed, "did not finish within " + deadline);
            }
            pause();
        }
    }

    /** Where a hook's logs are read, for the kinds that have logs. */
    private static String logs(ObjectRef ref) {
        String resource =
                switch (ref.kind()) {
                    case "Job" -> "job/";
                    case "Pod" -> "pod/";
                    default -> null;
                };
        return resource == null ? "" : "; logs: kubectl logs -n " + ref.namespace() + " " + resource + ref.name();
    }

    private static ResourceResult result(
            ObjectRef ref, String action, String reason, String message, Hooks.Phase phase) {
        return new ResourceResult(
                ref.apiVersion(), ref.kind(), ref.namespace(), ref.name(), action, reason, message, phase.name());
    }

    private static void pause() throws ClusterFailure {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterFailure(Reason.HookFailed, "interrupted while the hook ran (the service is stopping)");
        }
    }
}
