package dev.driftless.bench;

import dev.driftless.devstack.kafka.EventProbe;
import dev.driftless.events.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed GitHub pushes from 64 concurrent senders (or {@code DRIFTLESS_BENCH_SENDERS}) for 60 s, each sending its next
 * as soon as the last was answered: accepted per second, latency of each answer (broker acknowledgement included), and
 * every accepted delivery found on the commits topic exactly once. Fewer senders offer less load and show the latency
 * at a lower rate.
 */
final class Ingest implements Scenario {

    static final int SENDERS =
            Math.max(1, Math.min(512, Integer.parseInt(System.getenv().getOrDefault("DRIFTLESS_BENCH_SENDERS", "64"))));

    @Override
    public String name() {
        return "ingest";
    }

    @Override
    public String target() {
        return ">= 2,000 accepted/s, p99 <= 25 ms, each accepted delivery on the topic exactly once";
    }

    @Override
    public Result run(Harness h) throws Exception {
        Duration duration = Duration.ofSeconds(h.quick ? 6 : 60);
        URI hook = URI.create(h.env("DRIFTLESS_WEBHOOK_URL") + "/hooks/github");
        byte[] secret = h.env("DRIFTLESS_WEBHOOK_SECRET").getBytes(StandardCharsets.UTF_8);
        String run = UUID.randomUUID().toString().substring(0, 8);
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();

        boolean wholeStack = "full".equals(System.getenv("DRIFTLESS_BENCH_INGEST"));
        if (!wholeStack) {
            // the ingest path alone: webhook-service and the broker; the consumers of the topic run elsewhere in a
            // deployment, and here they would share the same two cores (DRIFTLESS_BENCH_INGEST=full keeps them)
            for (String consumer : List.of("render-service", "sync-service", "audit-service")) {
                h.progress("stopping %s: this scenario measures the ingest path alone", consumer);
                h.stack.stop(consumer);
            }
        }
        Duration warmUp = Duration.ofSeconds(h.quick ? 5 : 20);
        h.progress("warming up for %d s (the JIT compiles the hot path)", warmUp.toSeconds());
        send(http, hook, secret, "warmup-" + run, warmUp, new ConcurrentHashMap<>());

        h.progress("%d senders for %d s", SENDERS, duration.toSeconds());
        Map<String, Double> accepted = new ConcurrentHashMap<>();
        AtomicLong refused = new AtomicLong();
        long started = System.nanoTime();
        refused.addAndGet(send(http, hook, secret, run, duration, accepted));
        double seconds = (System.nanoTime() - started) / 1e9;

        Latencies latencies = new Latencies();
        accepted.values().forEach(latencies::add);
        String prefix = "https://bench.example/" + run + "/";
        Map<String, Integer> onTopic = new HashMap<>();
        try (EventProbe probe = new EventProbe(h.env("DRIFTLESS_KAFKA_BOOTSTRAP"))) {
            for (EventProbe.Received r :
                    probe.readToEnd(Topics.COMMITS, r -> r.key().startsWith(prefix))) {
                onTopic.merge(r.ce("deliveryid"), 1, Integer::sum);
            }
        }
        Set<String> deliveries = accepted.keySet();
        long lost = deliveries.stream().filter(d -> !onTopic.containsKey(d)).count();
        long duplicates = onTopic.values().stream().mapToLong(n -> n - 1L).sum();
        return Result.of(
                name(),
                h.quick,
                latencies,
                seconds,
                lost,
                duplicates,
                h.rssMb(),
                Map.of(
                        "senders",
                        SENDERS,
                        "refused",
                        refused.get(),
                        "services",
                        wholeStack ? "all four" : "webhook-service alone"));
    }

    /** Sends from {@link #SENDERS} threads until the time is up; returns how many were not accepted. */
    static long send(
            HttpClient http, URI hook, byte[] secret, String run, Duration duration, Map<String, Double> accepted)
            throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        long deadline = System.nanoTime() + duration.toNanos();
        List<Future<Long>> results = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            String repository = "https://bench.example/" + run + "/r" + s;
            results.add(senders.submit(() -> {
                long notAccepted = 0;
                for (long n = 0; System.nanoTime() < deadline; n++) {
                    String delivery = run + "-" + repository.hashCode() + "-" + n;
                    String after = sha(delivery);
                    String body = "{\"ref\":\"refs/heads/main\",\"before\":\"" + "0".repeat(40) + "\",\"after\":\""
                            + after + "\",\"repository\":{\"clone_url\":\"" + repository
                            + ".git\"},\"pusher\":{\"name\":\"bench\"},\"commits\":[]}";
                    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                    HttpRequest request = HttpRequest.newBuilder(hook)
                            .header("Content-Type", "application/json")
                            .header("X-GitHub-Event", "push")
                            .header("X-GitHub-Delivery", delivery)
                            .header("X-Hub-Signature-256", "sha256=" + hmac(secret, bytes))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                            .build();
                    long sent = System.nanoTime();
                    HttpResponse<Void> answer = http.send(request, HttpResponse.BodyHandlers.discarding());
                    double millis = (System.nanoTime() - sent) / 1e6;
                    if (answer.statusCode() == 202) {
                        accepted.put(delivery, millis);
                    } else {
                        notAccepted++;
                    }
                }
                return notAccepted;
            }));
        }
        long notAccepted = 0;
        for (Future<Long> result : results) {
            notAccepted += result.get();
        }
        senders.shutdown();
        return notAccepted;
    }

    static String sha(String seed) {
        try {
            return HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-1")
                            .digest(seed.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hmac(byte[] secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}
