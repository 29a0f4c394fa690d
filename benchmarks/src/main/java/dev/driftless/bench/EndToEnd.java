package dev.driftless.bench;

import dev.driftless.devstack.git.GitFixture;
import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.events.CommitPushed;
import dev.driftless.events.EventCodec;
import dev.driftless.events.EventType;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Fifty applications, each in its own repository; twenty {@code git push}es a second for 60 s, each changing one
 * application. Latency runs from the moment {@code git push} returned to the sync report's own {@code finishedAt}
 * (applied in the cluster), and separately to the audit log's {@code recorded_at} of that sync. The headline
 * percentiles take every push; {@code steady_*} those made after the first third of the load, when the services'
 * code is compiled, as it is in services that have been running a while.
 */
final class EndToEnd implements Scenario {

    static final int APPLICATIONS = 50;
    /** The offered rate: 20 as the issue sets it, or {@code DRIFTLESS_BENCH_RATE} to find what the machine sustains. */
    static final int PUSHES_PER_SECOND = Integer.parseInt(System.getenv().getOrDefault("DRIFTLESS_BENCH_RATE", "20"));

    @Override
    public String name() {
        return "e2e";
    }

    @Override
    public String target() {
        return "push -> applied p50 <= 150 ms, p99 <= 500 ms; push -> audit p99 <= 1 s; nothing lost";
    }

    static String configMap(String value) {
        return configMap("bench", value);
    }

    static String configMap(String name, String value) {
        return """
                apiVersion: v1
                kind: ConfigMap
                metadata: { name: %s }
                data: { value: "%s" }
                """
                .formatted(name, value);
    }

    /**
     * Where the time of an applied push went, from the events' own timestamps: push returned → webhook received
     * ({@code commit.pushed}'s {@code receivedAt}), → rendered ({@code renderedAt}), → applied.
     */
    static Map<String, Object> stages(Harness h, Map<String, Instant> pushed, Map<String, Instant> applied) {
        Map<String, Instant> received = new HashMap<>();
        for (EventProbe.Received r : h.records(Topics.COMMITS, r -> pushed.containsKey(r.ce("commit")))) {
            received.putIfAbsent(
                    r.ce("commit"),
                    EventCodec.decode(CommitPushed.class, r.value()).receivedAt());
        }
        Map<String, Instant> rendered = new HashMap<>();
        for (EventProbe.Received r : h.records(
                Topics.RENDERS,
                r -> pushed.containsKey(r.ce("commit"))
                        && EventType.RENDER_SUCCEEDED.type().equals(r.ce("type")))) {
            rendered.putIfAbsent(
                    r.ce("commit"),
                    EventCodec.decode(RenderSucceeded.class, r.value()).renderedAt());
        }
        Latencies toWebhook = new Latencies();
        Latencies toRender = new Latencies();
        Latencies toSync = new Latencies();
        applied.forEach((commit, at) -> {
            if (received.containsKey(commit) && rendered.containsKey(commit)) {
                toWebhook.add(Harness.millisBetween(pushed.get(commit), received.get(commit)));
                toRender.add(Harness.millisBetween(received.get(commit), rendered.get(commit)));
                toSync.add(Harness.millisBetween(rendered.get(commit), at));
            }
        });
        Map<String, Object> stages = new LinkedHashMap<>();
        stages.put("stage_push_to_webhook_p50_ms", Result.round(toWebhook.percentile(50)));
        stages.put("stage_webhook_to_rendered_p50_ms", Result.round(toRender.percentile(50)));
        stages.put("stage_rendered_to_applied_p50_ms", Result.round(toSync.percentile(50)));
        stages.put("stage_push_to_webhook_p99_ms", Result.round(toWebhook.percentile(99)));
        stages.put("stage_webhook_to_rendered_p99_ms", Result.round(toRender.percentile(99)));
        stages.put("stage_rendered_to_applied_p99_ms", Result.round(toSync.percentile(99)));
        return stages;
    }

    @Override
    public Result run(Harness h) throws Exception {
        Duration duration = Duration.ofSeconds(h.quick ? 6 : 60);
        List<GitFixture> repos = new ArrayList<>();
        List<String> firstCommits = new ArrayList<>();
        for (int i = 0; i < APPLICATIONS; i++) {
            String name = "e2e-%02d".formatted(i);
            GitFixture repo = h.repository(name);
            repos.add(repo);
            firstCommits.add(repo.commitAndPush("first", Map.of("app/cm.yaml", configMap("0")))
                    .name());
            h.declare(name, h.stack.git().repositoryUrl(name), "app", name);
        }
        Set<String> initial = Set.copyOf(firstCommits);
        h.awaitSyncs("initial sync", r -> initial.contains(r.commit()), APPLICATIONS, Duration.ofMinutes(3));

        h.progress("%d pushes/s for %d s", PUSHES_PER_SECOND, duration.toSeconds());
        Map<String, Instant> pushed = new ConcurrentHashMap<>();
        Map<String, int[]> appAndSeq = new ConcurrentHashMap<>();
        ExecutorService pushers = Executors.newFixedThreadPool(8);
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        int total = (int) (duration.toSeconds() * PUSHES_PER_SECOND);
        long started = System.nanoTime();
        // the first third of the load meets services whose code is still being compiled: reported apart as well
        Instant steadyFrom = Instant.now().plus(duration.dividedBy(3));
        for (int n = 0; n < total; n++) {
            int seq = n;
            int app = n % APPLICATIONS;
            GitFixture repo = repos.get(app);
            clock.schedule(
                    () -> pushers.submit(() -> {
                        synchronized (repo) {
                            String commit = repo.commitAndPush(
                                            "change " + seq, Map.of("app/cm.yaml", configMap(Integer.toString(seq))))
                                    .name();
                            pushed.put(commit, Instant.now());
                            appAndSeq.put(commit, new int[] {app, seq});
                        }
                    }),
                    n * 1000L / PUSHES_PER_SECOND,
                    TimeUnit.MILLISECONDS);
        }
        clock.shutdown();
        clock.awaitTermination(duration.toSeconds() + 30, TimeUnit.SECONDS);
        pushers.shutdown();
        pushers.awaitTermination(2, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - started) / 1e9;

        List<SyncReport> applied =
                h.awaitSyncs("pushes", r -> pushed.containsKey(r.commit()), pushed.size(), Duration.ofMinutes(2));
        Latencies toCluster = new Latencies();
        Map<String, Instant> firstApplied = Harness.firstApplied(applied, SyncReport::commit);
        firstApplied.forEach((commit, at) -> toCluster.add(Harness.millisBetween(pushed.get(commit), at)));
        Latencies steady = new Latencies();
        firstApplied.forEach((commit, at) -> {
            if (!pushed.get(commit).isBefore(steadyFrom)) {
                steady.add(Harness.millisBetween(pushed.get(commit), at));
            }
        });
        Latencies toAudit = new Latencies();
        Latencies steadyAudit = new Latencies();
        h.audited(pushed.keySet(), Duration.ofMinutes(1)).forEach((commit, at) -> {
            toAudit.add(Harness.millisBetween(pushed.get(commit), at));
            if (!pushed.get(commit).isBefore(steadyFrom)) {
                steadyAudit.add(Harness.millisBetween(pushed.get(commit), at));
            }
        });
        repos.forEach(GitFixture::close);
        // a push not applied because a newer push of the same application was (the head wins) is coalesced, not lost
        long coalesced = pushed.keySet().stream()
                .filter(commit -> !firstApplied.containsKey(commit))
                .filter(commit -> firstApplied.keySet().stream()
                        .map(appAndSeq::get)
                        .anyMatch(other -> other[0] == appAndSeq.get(commit)[0]
                                && other[1] > appAndSeq.get(commit)[1]))
                .count();

        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("applications", APPLICATIONS);
        extra.putAll(stages(h, pushed, firstApplied));
        extra.put("pushes_per_s_offered", PUSHES_PER_SECOND);
        extra.put("pushes", pushed.size());
        extra.put("coalesced", coalesced);
        extra.put("audit_count", toAudit.count());
        extra.put("audit_p50_ms", Result.round(toAudit.percentile(50)));
        extra.put("audit_p99_ms", Result.round(toAudit.percentile(99)));
        extra.put("audit_max_ms", Result.round(toAudit.percentile(100)));
        // pushes made after the first third of the load: the services warmed up, as long-running ones are
        extra.put("steady_count", steady.count());
        extra.put("steady_p50_ms", Result.round(steady.percentile(50)));
        extra.put("steady_p99_ms", Result.round(steady.percentile(99)));
        extra.put("steady_max_ms", Result.round(steady.percentile(100)));
        extra.put("steady_audit_p99_ms", Result.round(steadyAudit.percentile(99)));
        return Result.of(
                name(),
                h.quick,
                toCluster,
                seconds,
                pushed.size() - firstApplied.size() - coalesced,
                applied.size() - firstApplied.size(),
                h.rssMb(),
                extra);
    }
}
