package dev.driftless.bench;

import dev.driftless.devstack.git.GitFixture;
import dev.driftless.events.SyncReport;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A thousand applications of four objects each (a Deployment scaled to 0, a ServiceAccount, a Service, an Ingress:
 * the shape of Flux's benchmark) registered at once: how long until every one is applied, per application from
 * registration to its sync report's {@code finishedAt}, and until every one is healthy, per application from
 * registration to its {@code health.changed} to Healthy (on the real control plane the controllers roll the
 * Deployments out and the simulated kubelet gives each Ingress an address; on the sandbox its status simulator does both
 * 200 ms after an apply).
 */
final class ColdSync implements Scenario {

    @Override
    public String name() {
        return "cold-sync";
    }

    @Override
    public String target() {
        return "1,000 applications x 4 objects all applied and healthy <= 60 s; 10,000 <= 5 min, every service <= 300"
                + " MB resident (DRIFTLESS_BENCH_APPS)";
    }

    static String objects(String name) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: { name: %1$s }
                spec:
                  replicas: 0
                  selector: { matchLabels: { app: %1$s } }
                  template:
                    metadata: { labels: { app: %1$s } }
                    spec: { serviceAccountName: %1$s, containers: [ { name: app, image: "nginx:1.27" } ] }
                ---
                apiVersion: v1
                kind: ServiceAccount
                metadata: { name: %1$s }
                ---
                apiVersion: v1
                kind: Service
                metadata: { name: %1$s }
                spec: { selector: { app: %1$s }, ports: [ { port: 80 } ] }
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: { name: %1$s }
                spec:
                  rules:
                  - host: %1$s.example.com
                    http:
                      paths:
                      - path: /
                        pathType: Prefix
                        backend: { service: { name: %1$s, port: { number: 80 } } }
                """
                .formatted(name);
    }

    /**
     * How many applications: {@code DRIFTLESS_BENCH_APPS} (1 to 20,000) to measure the curve at 1k, 3k, 10k, else
     * 1,000 (100 with {@code --quick}).
     *
     * @throws IllegalArgumentException for a count that is not a number in range
     */
    static int applications(boolean quick, String wanted) {
        if (wanted == null || wanted.isBlank()) {
            return quick ? 100 : 1000;
        }
        int count;
        try {
            count = Integer.parseInt(wanted.strip().replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("DRIFTLESS_BENCH_APPS must be a number of applications, not " + wanted);
        }
        if (count < 1 || count > 20_000) {
            throw new IllegalArgumentException("DRIFTLESS_BENCH_APPS must be 1 to 20,000, not " + count);
        }
        return count;
    }

    /**
     * How long to watch the fleet once it is healthy, with nothing changing, for what following it costs:
     * {@code DRIFTLESS_BENCH_IDLE_S} seconds (0 to 3,600; 0 skips it), else 60 (10 with {@code --quick}).
     *
     * @throws IllegalArgumentException for a value that is not a number of seconds in range
     */
    static Duration idleWindow(boolean quick, String wanted) {
        if (wanted == null || wanted.isBlank()) {
            return Duration.ofSeconds(quick ? 10 : 60);
        }
        int seconds;
        try {
            seconds = Integer.parseInt(wanted.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("DRIFTLESS_BENCH_IDLE_S must be a number of seconds, not " + wanted);
        }
        if (seconds < 0 || seconds > 3600) {
            throw new IllegalArgumentException("DRIFTLESS_BENCH_IDLE_S must be 0 to 3,600 seconds, not " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }

    /** CPU seconds a minute each process used over {@code window} with every application healthy and nothing new. */
    private static Map<String, Double> idleCpu(Harness h, Duration window) throws InterruptedException {
        h.progress("all healthy; measuring what following them costs, nothing changing, for %d s", window.toSeconds());
        Map<String, Double> before = h.cpuSeconds();
        Thread.sleep(window.toMillis()); // the measuring window itself, not a wait for something to happen
        Map<String, Double> after = h.cpuSeconds();
        Map<String, Double> perMinute = new LinkedHashMap<>();
        after.forEach((process, used) -> {
            Double earlier = before.get(process);
            if (earlier != null && earlier >= 0 && used >= 0) {
                perMinute.put(process, Result.round((used - earlier) * 60.0 / window.toSeconds()));
            }
        });
        return perMinute;
    }

    /** Ten minutes for 1,000 applications, and as much more again per thousand beyond. */
    static Duration deadline(int applications) {
        return Duration.ofMinutes(Math.max(10, 10L * ((applications + 999) / 1000)));
    }

    @Override
    public Result run(Harness h) throws Exception {
        int applications = applications(h.quick, System.getenv("DRIFTLESS_BENCH_APPS"));
        String url = h.stack.git().repositoryUrl("fleet");
        try (GitFixture repo = h.repository("fleet")) {
            Map<String, String> files = new HashMap<>();
            for (int i = 0; i < applications; i++) {
                files.put("apps/app-%05d/objects.yaml".formatted(i), objects("app-%05d".formatted(i)));
            }
            String commit = repo.commitAndPush("a fleet", files).name();
            Instant registered = Instant.now();
            for (int i = 0; i < applications; i++) {
                h.declare("app-%05d".formatted(i), url, "apps/app-%05d".formatted(i), "cold");
            }
            h.progress("%d applications registered", applications);
            List<SyncReport> applied =
                    h.awaitSyncs("cold sync", r -> commit.equals(r.commit()), applications, deadline(applications));
            Latencies appliedLatencies = new Latencies();
            Map<String, Instant> byApplication = Harness.firstApplied(applied, SyncReport::application);
            byApplication.values().forEach(at -> appliedLatencies.add(Harness.millisBetween(registered, at)));
            Map<String, Instant> healthy = h.awaitHealthy("cold sync", commit, applications, deadline(applications));
            Latencies latencies = new Latencies();
            healthy.values().forEach(at -> latencies.add(Harness.millisBetween(registered, at)));
            double seconds = latencies.percentile(100) / 1000;
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("applications", applications);
            extra.put("objects", applications * 4);
            extra.put("all_applied_s", appliedLatencies.percentile(100) / 1000);
            extra.put("healthy", healthy.size());
            Duration idle = idleWindow(h.quick, System.getenv("DRIFTLESS_BENCH_IDLE_S"));
            if (!idle.isZero()) {
                long fetchedBefore = h.stack.git().fetches("fleet");
                extra.put("idle_cpu_s_per_min", idleCpu(h, idle));
                extra.put(
                        "idle_fetches_per_min",
                        Result.round((h.stack.git().fetches("fleet") - fetchedBefore) * 60.0 / idle.toSeconds()));
            }
            extra.put(
                    "note",
                    "latencies are registration to Healthy (health.changed): real controllers roll the Deployments out"
                            + " (sandbox: its status simulator, 200 ms after an apply); Ingress addresses come from the"
                            + " simulated kubelet");
            return Result.of(
                    name(),
                    h.quick,
                    latencies,
                    seconds,
                    applications - healthy.size(),
                    applied.size() - byApplication.size(),
                    h.rssMb(),
                    extra);
        }
    }
}
