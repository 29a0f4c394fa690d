package dev.driftless.bench;

import dev.driftless.devstack.git.GitFixture;
import dev.driftless.events.EventType;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One repository with a thousand applications: a hundred pushes each touching one application (exactly one render
 * each, latency push → applied), then one push changing a Kustomize base a hundred of them share (all applied, how
 * long).
 */
final class Monorepo implements Scenario {

    @Override
    public String name() {
        return "monorepo";
    }

    @Override
    public String target() {
        return "one render per single-app push; single-app push -> applied p99 <= 500 ms; shared-base push: all 100 applied"
                + " <= 5 s";
    }

    private static boolean onPath(String command) {
        return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(dir -> java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, command)));
    }

    static String path(int app) {
        return "apps/app-%04d".formatted(app);
    }

    @Override
    public Result run(Harness h) throws Exception {
        if (!onPath("kustomize") && !onPath("kubectl")) {
            throw new IllegalStateException("the shared base is a Kustomize base, which render-service renders with"
                    + " kustomize or kubectl: install one of them (apt-get install kubectl, or a kustomize binary)");
        }
        int applications = h.quick ? 100 : 1000;
        int singlePushes = h.quick ? 10 : 100;
        int shared = h.quick ? 10 : 100;
        String url = h.stack.git().repositoryUrl("monorepo");
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("applications", applications);
        try (GitFixture repo = h.repository("monorepo")) {
            Map<String, String> files = new HashMap<>();
            for (int i = 0; i < applications; i++) {
                files.put(path(i) + "/cm.yaml", EndToEnd.configMap("0"));
            }
            // every (applications / shared)-th application is a Kustomize overlay of one base
            files.put("base/kustomization.yaml", "resources: [ shared.yaml ]\n");
            files.put("base/shared.yaml", EndToEnd.configMap("shared", "0"));
            for (int i = 0; i < shared; i++) {
                files.put(
                        path(i * (applications / shared)) + "/kustomization.yaml",
                        "resources: [ ../../base, cm.yaml ]\n");
            }
            String first = repo.commitAndPush("a thousand applications", files).name();
            Instant declared = Instant.now();
            for (int i = 0; i < applications; i++) {
                h.declare("app-%04d".formatted(i), url, path(i), "mono-%04d".formatted(i));
            }
            List<SyncReport> initial =
                    h.awaitSyncs("initial sync", r -> first.equals(r.commit()), applications, Duration.ofMinutes(10));
            extra.put("initial_sync_all_applied_s", Result.round(Harness.lastFinishedAfter(declared, initial) / 1000));

            h.progress("%d pushes, each changing one application", singlePushes);
            Map<String, Instant> pushed = new LinkedHashMap<>();
            long started = System.nanoTime();
            for (int n = 0; n < singlePushes; n++) {
                int app = (n * 37) % applications;
                String commit = repo.commitAndPush(
                                "change " + n, Map.of(path(app) + "/cm.yaml", EndToEnd.configMap("v" + n)))
                        .name();
                pushed.put(commit, Instant.now());
                Harness.pause(Duration.ofMillis(200));
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            List<SyncReport> applied = h.awaitSyncs(
                    "single-application pushes",
                    r -> pushed.containsKey(r.commit()),
                    pushed.size(),
                    Duration.ofMinutes(2));
            Latencies latencies = new Latencies();
            Map<String, Instant> firstApplied = Harness.firstApplied(applied, SyncReport::commit);
            firstApplied.forEach((commit, at) -> latencies.add(Harness.millisBetween(pushed.get(commit), at)));
            Map<String, Long> rendersPerPush = h
                    .records(
                            Topics.RENDERS,
                            r -> pushed.containsKey(r.ce("commit"))
                                    && EventType.RENDER_SUCCEEDED.type().equals(r.ce("type")))
                    .stream()
                    .collect(Collectors.groupingBy(r -> r.ce("commit"), Collectors.counting()));
            extra.put("single_pushes", pushed.size());
            extra.put(
                    "renders_for_single_pushes",
                    rendersPerPush.values().stream().mapToLong(Long::longValue).sum());
            extra.put(
                    "max_renders_per_single_push",
                    rendersPerPush.values().stream()
                            .mapToLong(Long::longValue)
                            .max()
                            .orElse(0));

            h.progress("one push changing the Kustomize base %d applications share", shared);
            String sharedCommit = repo.commitAndPush(
                            "change the shared base",
                            Map.of("base/shared.yaml", EndToEnd.configMap("shared", "changed")))
                    .name();
            Instant sharedPushed = Instant.now();
            List<SyncReport> sharedApplied =
                    h.awaitSyncs("shared push", r -> sharedCommit.equals(r.commit()), shared, Duration.ofMinutes(2));
            extra.put("shared_push_applications", shared);
            extra.put(
                    "shared_push_applied",
                    Set.copyOf(sharedApplied.stream()
                                    .map(SyncReport::application)
                                    .toList())
                            .size());
            extra.put(
                    "shared_push_all_applied_ms", Result.round(Harness.lastFinishedAfter(sharedPushed, sharedApplied)));
            extra.put(
                    "renders_for_shared_push",
                    h.records(
                                    Topics.RENDERS,
                                    r -> sharedCommit.equals(r.ce("commit"))
                                            && EventType.RENDER_SUCCEEDED.type().equals(r.ce("type")))
                            .size());
            extra.put(
                    "note",
                    "the shared change is one file in a Kustomize base that 100 overlays use; each is rendered with"
                            + " kubectl kustomize");
            return Result.of(
                    name(),
                    h.quick,
                    latencies,
                    seconds,
                    pushed.size() - firstApplied.size(),
                    applied.size() - firstApplied.size(),
                    h.rssMb(),
                    extra);
        }
    }
}
