package dev.driftless.bench;

import dev.driftless.devstack.git.GitFixture;
import dev.driftless.events.SyncReport;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A new user's first try: on a stack just started, as {@code ./driftless up} leaves it, the demo application is
 * synced from its seeded repository (no webhook yet); then its repository is cloned and pushed to once, and ten
 * times more, each push waiting for the one before to be applied. The first push meets code that has never run in
 * webhook-service and on render-service's push path; the later ones show what a push costs once it has. Latency runs
 * from {@code git push} returning to the sync report's {@code finishedAt}.
 */
final class FirstPush implements Scenario {

    static final int LATER_PUSHES = 10;

    @Override
    public String name() {
        return "first-push";
    }

    @Override
    public String target() {
        return "the first push after start -> applied like any later push (<= the later pushes' p99)";
    }

    @Override
    public Result run(Harness h) throws Exception {
        try (GitFixture repo = h.demo()) {
            String initial = repo.head();
            h.awaitSyncs("the demo's first sync", r -> initial.equals(r.commit()), 1, Duration.ofMinutes(2));

            Map<String, Instant> firstPushed = new LinkedHashMap<>();
            Map<String, Instant> firstApplied = new LinkedHashMap<>();
            push(h, repo, 1, firstPushed, firstApplied);
            Map<String, Instant> laterPushed = new LinkedHashMap<>();
            Map<String, Instant> laterApplied = new LinkedHashMap<>();
            for (int n = 2; n <= LATER_PUSHES + 1; n++) {
                push(h, repo, n, laterPushed, laterApplied);
            }

            Latencies later = new Latencies();
            laterApplied.forEach((commit, at) -> later.add(Harness.millisBetween(laterPushed.get(commit), at)));
            Latencies first = new Latencies();
            firstApplied.forEach((commit, at) -> first.add(Harness.millisBetween(firstPushed.get(commit), at)));
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("first_push_ms", firstApplied.isEmpty() ? -1 : Result.round(first.percentile(100)));
            // one sample: its p50 is the figure
            EndToEnd.stages(h, firstPushed, firstApplied).forEach((stage, ms) -> {
                if (stage.contains("_p50_")) {
                    extra.put("first_" + stage.replace("_p50_", "_"), ms);
                }
            });
            EndToEnd.stages(h, laterPushed, laterApplied).forEach((stage, ms) -> extra.put("later_" + stage, ms));
            return Result.of(
                    name(),
                    h.quick,
                    later,
                    0,
                    (LATER_PUSHES + 1L) - firstApplied.size() - laterApplied.size(),
                    0,
                    h.rssMb(),
                    extra);
        }
    }

    /** Pushes one change and waits for it to be applied; what it could not wait for is counted lost. */
    private static void push(
            Harness h, GitFixture repo, int n, Map<String, Instant> pushed, Map<String, Instant> applied) {
        String commit = repo.commitAndPush(
                        "change " + n,
                        Map.of(
                                "apps/demo/configmap.yaml",
                                "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: demo-config }\n"
                                        + "data: { message: \"push " + n + "\" }\n"))
                .name();
        pushed.put(commit, Instant.now());
        List<SyncReport> reports = h.awaitSyncs("push " + n, r -> commit.equals(r.commit()), 1, Duration.ofSeconds(30));
        applied.putAll(Harness.firstApplied(reports, SyncReport::commit));
    }
}
