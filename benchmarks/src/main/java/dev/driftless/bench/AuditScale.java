package dev.driftless.bench;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.events.Envelope;
import dev.driftless.events.EventType;
import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.SyncReport;
import dev.driftless.events.Target;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit log at production size: 2,000 renders of 500 kB (random, so nothing compresses them away) for one
 * application, and 1,000 applications with a render and a sync each, published to the broker as render-service and
 * sync-service would; once audit-service recorded them, {@code GET /api/applications/{name}} of the big application,
 * the list, and a rollback of it are each timed several times, and audit-service's resident memory read.
 */
final class AuditScale implements Scenario {

    static final int BUNDLE_BYTES = 500_000;
    static final int CALLS = 5;

    @Override
    public String name() {
        return "audit";
    }

    @Override
    public String target() {
        return "2,000 renders x 500 kB + 1,000 applications: the application view, the list and a rollback each < 1 s;"
                + " audit-service <= 300 MB resident";
    }

    @Override
    public Result run(Harness h) throws Exception {
        int renders = h.quick ? 200 : 2000;
        int applications = h.quick ? 100 : 1000;
        SecureRandom random = new SecureRandom();
        Target target = new Target("default", "big", true, true, false, true);
        String firstCommit = null;
        try (EventProbe probe = new EventProbe(h.env("DRIFTLESS_KAFKA_BOOTSTRAP"))) {
            for (int i = 0; i < renders; i++) {
                byte[] noise = new byte[BUNDLE_BYTES * 3 / 4];
                random.nextBytes(noise);
                String commit = "%040x".formatted(i + 1);
                firstCommit = firstCommit == null ? commit : firstCommit;
                Map<String, Object> configMap = Map.of(
                        "apiVersion",
                        "v1",
                        "kind",
                        "ConfigMap",
                        "metadata",
                        Map.of("name", "blob", "namespace", "big"),
                        "data",
                        Map.of("blob", Base64.getEncoder().encodeToString(noise)));
                publish(probe, "big", commit, List.of(configMap), target);
                if ((i + 1) % 200 == 0) {
                    h.progress("%d of %d renders of %d kB published", i + 1, renders, BUNDLE_BYTES / 1000);
                }
            }
            for (int a = 0; a < applications; a++) {
                String app = "app-%04d".formatted(a);
                publish(probe, app, "%040x".formatted(1_000_000 + a), List.of(), target);
            }
        }
        long expected = 2L * renders + 2L * applications;
        Instant giveUp = Instant.now().plus(Duration.ofMinutes(20));
        long recorded = 0;
        while (Instant.now().isBefore(giveUp)) {
            recorded = h.auditRows("true");
            if (recorded >= expected) {
                break;
            }
            h.progress("%d of %d events recorded", recorded, expected);
            Thread.sleep(5_000);
        }

        HttpClient http = HttpClient.newHttpClient();
        String audit = h.env("DRIFTLESS_AUDIT_URL");
        String token = h.env("DRIFTLESS_API_TOKEN");
        Map<String, Latencies> calls = new LinkedHashMap<>();
        Latencies all = new Latencies();
        Map<String, HttpRequest> requests = new LinkedHashMap<>();
        requests.put("application", get(audit + "/api/applications/big", token));
        requests.put("list", get(audit + "/api/applications", token));
        requests.put(
                "rollback",
                HttpRequest.newBuilder(URI.create(audit + "/api/applications/big/rollback"))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"commit\":\"" + firstCommit + "\"}"))
                        .build());
        List<String> failures = new ArrayList<>();
        for (var request : requests.entrySet()) {
            Latencies latencies = new Latencies();
            for (int i = 0; i < CALLS; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> response = http.send(request.getValue(), HttpResponse.BodyHandlers.ofString());
                double ms = (System.nanoTime() - t0) / 1e6;
                if (response.statusCode() >= 300) {
                    failures.add(request.getKey() + " " + response.statusCode());
                }
                latencies.add(ms);
                all.add(ms);
            }
            calls.put(request.getKey(), latencies);
            h.progress(
                    "%s: median %.0f ms, max %.0f ms",
                    request.getKey(), latencies.percentile(50), latencies.percentile(100));
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("renders", renders);
        extra.put("bundle_kb", BUNDLE_BYTES / 1000);
        extra.put("applications", applications + 1);
        extra.put("recorded", recorded);
        calls.forEach((name, l) -> {
            extra.put(name + "_median_ms", l.percentile(50));
            extra.put(name + "_max_ms", l.percentile(100));
        });
        extra.put("failed_calls", failures);
        return Result.of(
                name(),
                h.quick,
                all,
                all.percentile(100) / 1000,
                Math.max(0, expected - recorded),
                0,
                h.rssMb(),
                extra);
    }

    private static HttpRequest get(String url, String token) {
        return HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .GET()
                .build();
    }

    /** A render and its successful sync, as render-service and sync-service publish them. */
    private static void publish(
            EventProbe probe, String app, String commit, List<Map<String, Object>> manifests, Target target) {
        Instant now = Instant.now();
        RenderSucceeded render = new RenderSucceeded(
                app,
                "https://git.example.com/" + app,
                "refs/heads/main",
                commit,
                "apps/" + app,
                "sha256:" + "0".repeat(64),
                manifests,
                target,
                "bench",
                now,
                1);
        probe.send(
                new Envelope(
                        EventType.RENDER_SUCCEEDED,
                        "r-" + app + "-" + commit,
                        app,
                        now,
                        Map.of("commit", commit, "application", app)),
                render,
                app,
                "urn:bench");
        probe.send(
                new Envelope(
                        EventType.SYNC_SUCCEEDED,
                        "s-" + app + "-" + commit,
                        app,
                        now,
                        Map.of("commit", commit, "application", app)),
                new SyncReport(app, commit, render.digest(), "Succeeded", null, null, List.of(), "bench", now, now),
                app,
                "urn:bench");
    }
}
