package dev.driftless.bench;

import dev.driftless.devstack.git.GitFixture;
import dev.driftless.events.Topics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Faults under a steady stream of pushes, with two replicas of each service (as production's overlay runs them; a
 * balancer spreads the Git server's webhooks over webhook-service's two): twenty applications (five with
 * {@code --quick}), each its own repository and its own reconcile interval of 10 s, take two pushes a second while, in
 * turn, one replica of each service is killed with {@code kill -9} (the stack restarts it, as Kubernetes would), a
 * replica of sync-service is stopped and restarted gracefully (its partitions move to the other and back), the broker
 * is stopped for ten seconds and started again, PostgreSQL is taken from audit-service for 30 s (a {@code TcpProxy}
 * between them, cut: what a database stop looks like to the service, while other users of the machine's PostgreSQL
 * keep it), the Kubernetes API answers sync-service 503 for 20 s, then 429 for 20 s, then nothing at all for 20 s (an
 * {@code ApiServerFaults} proxy before the real API server), and a push's webhook is dropped on the floor. A sampler
 * reads every application's ConfigMap in the cluster every half second throughout. Reported: per fault, the seconds
 * from the fault's end to a push made then being in the cluster and its sync in the audit log
 * ({@code max_recovery_s_*}); at the end, applications not at their newest commit once the load stops
 * ({@code lost}), ConfigMaps seen going back to an older push ({@code regressions}), consumer groups still behind
 * their topics a minute later ({@code stuck_consumers}) and records on the dead-letter topic ({@code deadlettered}).
 * Kills and the broker restart also lose webhooks (the Git server's sender gives up after five tries); the
 * applications' own reconcile interval is what brings those pushes in, as it does the dropped one.
 */
final class Faults implements Scenario {

    static final int PUSHES_PER_SECOND = 2;

    @Override
    public String name() {
        return "faults";
    }

    @Override
    public String target() {
        return "lost 0, regressions 0, stuck_consumers 0, deadlettered 0; every fault recovered";
    }

    @Override
    public boolean databaseBehindProxy() {
        return true;
    }

    @Override
    public int replicas() {
        return 2;
    }

    @Override
    public boolean apiServerFaults() {
        return true;
    }

    @Override
    public Result run(Harness h) throws Exception {
        int applications = h.quick ? 5 : 20;
        List<GitFixture> repos = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> first = new ArrayList<>();
        for (int i = 0; i < applications; i++) {
            String name = "faults-%02d".formatted(i);
            GitFixture repo = h.repository(name);
            repos.add(repo);
            names.add(name);
            first.add(repo.commitAndPush("first", Map.of("app/cm.yaml", EndToEnd.configMap("0")))
                    .name());
            h.declare(name, h.stack.git().repositoryUrl(name), "app", name, "interval: 10s");
        }
        // the probe: an application of its own, pushed once after each fault, so no later push supersedes its commit
        GitFixture probe = h.repository("faults-probe");
        first.add(probe.commitAndPush("first", Map.of("app/cm.yaml", EndToEnd.configMap("0")))
                .name());
        h.declare("faults-probe", h.stack.git().repositoryUrl("faults-probe"), "app", "faults-probe", "interval: 10s");
        java.util.Set<String> initial = java.util.Set.copyOf(first);
        h.awaitSyncs("initial sync", r -> initial.contains(r.commit()), applications + 1, Duration.ofMinutes(3));
        Map<String, AtomicInteger> probeNewest = Map.of("faults-probe", new AtomicInteger());
        long deadLettersBefore = h.records(Topics.DEADLETTER, r -> true).size();

        Map<String, AtomicInteger> newest = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> highest = new ConcurrentHashMap<>();
        names.forEach(n -> {
            newest.put(n, new AtomicInteger());
            highest.put(n, new AtomicInteger());
        });
        AtomicLong regressions = new AtomicLong();
        AtomicInteger seq = new AtomicInteger();
        List<String> regressionLines = java.util.Collections.synchronizedList(new ArrayList<>());
        ScheduledExecutorService load = Executors.newScheduledThreadPool(2);
        try (KubernetesClient cluster = h.stack.clusterAdmin()) {
            // the sampler: an application's ConfigMap never goes back to an older push than one it showed
            load.scheduleWithFixedDelay(
                    () -> names.forEach(name -> {
                        int seen = valueIn(cluster, name);
                        int before = highest.get(name).getAndAccumulate(seen, Math::max);
                        if (seen >= 0 && seen < before) {
                            regressions.incrementAndGet();
                            regressionLines.add(name + " went from " + before + " back to " + seen);
                        }
                    }),
                    0,
                    500,
                    TimeUnit.MILLISECONDS);
            // the load: pushes round-robin, each application's own in order
            load.scheduleAtFixedRate(
                    () -> {
                        int n = seq.incrementAndGet();
                        int app = n % applications;
                        push(repos.get(app), names.get(app), n, newest);
                    },
                    0,
                    1000 / PUSHES_PER_SECOND,
                    TimeUnit.MILLISECONDS);

            Map<String, Object> recovery = new LinkedHashMap<>();
            for (String service : List.of("webhook-service", "render-service", "sync-service", "audit-service")) {
                h.progress("kill -9 %s (one of its two replicas)", service);
                long pid = h.stack.pids().get(service);
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                recovery.put(
                        "max_recovery_s_kill_" + service.replace("-service", ""),
                        recover(h, cluster, probe, seq, probeNewest));
            }
            h.progress("sync-service-2 stopped gracefully and restarted: its partitions move to the other and back");
            ProcessHandle.of(h.stack.pids().get("sync-service-2")).ifPresent(ProcessHandle::destroy);
            recovery.put("max_recovery_s_replica_restart", recover(h, cluster, probe, seq, probeNewest));
            h.progress("broker stopped for 10 s");
            h.stack.kafka().stop();
            Harness.pause(Duration.ofSeconds(10));
            h.stack.kafka().startAgain();
            recovery.put("max_recovery_s_broker_restart", recover(h, cluster, probe, seq, probeNewest));
            h.progress("PostgreSQL taken from audit-service for 30 s");
            h.database.cut();
            Harness.pause(Duration.ofSeconds(30));
            h.database.restore();
            recovery.put("max_recovery_s_database_outage", recover(h, cluster, probe, seq, probeNewest));
            var api = h.stack.apiServerFaults();
            for (int status : List.of(503, 429)) {
                h.progress("the Kubernetes API answers sync-service %d for 20 s", status);
                api.answer(status);
                Harness.pause(Duration.ofSeconds(20));
                api.restore();
                recovery.put("max_recovery_s_api_" + status, recover(h, cluster, probe, seq, probeNewest));
            }
            h.progress("the Kubernetes API answers sync-service nothing for 20 s (requests time out)");
            api.stall();
            Harness.pause(Duration.ofSeconds(20));
            api.restore();
            recovery.put("max_recovery_s_api_timeout", recover(h, cluster, probe, seq, probeNewest));
            h.progress("a push whose webhook is dropped on the floor (the reconcile interval must find it)");
            h.stack.webhooks().dropNext("faults-probe");
            recovery.put("max_recovery_s_webhook_dropped", recover(h, cluster, probe, seq, probeNewest));

            load.shutdownNow();
            load.awaitTermination(30, TimeUnit.SECONDS);
            h.progress("load stopped after %d pushes; waiting for every application to reach its newest", seq.get());
            long lost = awaitConverged(h, cluster, names, newest, Duration.ofMinutes(3));
            int stuck = stuckConsumers(h, Duration.ofSeconds(60));
            long deadLettered = h.records(Topics.DEADLETTER, r -> true).size() - deadLettersBefore;
            // every push webhook-service acknowledged (202: after the broker's acknowledgement) is in the audit log,
            // once
            List<String> accepted = h.stack.webhooks().deliveries().stream()
                    .filter(d -> d.status() == 202)
                    .map(dev.driftless.devstack.git.PushWebhookSender.Delivery::id)
                    .toList();
            // (once: the audit log is keyed by event id, and a push's event id is its delivery's)
            long notAudited = h.deliveriesNotAudited(accepted, Duration.ofSeconds(60));
            h.progress("%d pushes answered 202: %d not in the audit log", accepted.size(), notAudited);
            regressionLines.stream().limit(10).forEach(line -> h.progress("regression: %s", line));

            Map<String, Object> extra = new LinkedHashMap<>(recovery);
            extra.put("pushes", seq.get());
            extra.put("regressions", regressions.get());
            extra.put("stuck_consumers", stuck);
            extra.put("deadlettered", deadLettered);
            extra.put("accepted_pushes", accepted.size());
            extra.put("accepted_not_audited", notAudited);
            return Result.of(name(), h.quick, new Latencies(), 0, lost, 0, h.rssMb(), extra);
        } finally {
            load.shutdownNow();
        }
    }

    /** One push to one application, remembered as its newest; its commit, or {@code null} if the push failed. */
    private static String push(GitFixture repo, String name, int n, Map<String, AtomicInteger> newest) {
        synchronized (repo) {
            try {
                String commit = repo.commitAndPush(
                                "change " + n, Map.of("app/cm.yaml", EndToEnd.configMap(Integer.toString(n))))
                        .name();
                newest.get(name).accumulateAndGet(n, Math::max);
                return commit;
            } catch (RuntimeException e) {
                // the Git server is part of the stack and never taken away; a failed push is not the system's loss
                return null;
            }
        }
    }

    /**
     * Seconds from now until a push made now to the probe application is in the cluster and its sync in the audit
     * log (the stack recovered end to end), at most three minutes; -1 if it did not.
     */
    private static double recover(
            Harness h,
            KubernetesClient cluster,
            GitFixture probe,
            AtomicInteger seq,
            Map<String, AtomicInteger> newest) {
        long started = System.nanoTime();
        int n = seq.incrementAndGet();
        String commit = push(probe, "faults-probe", n, newest);
        long deadline = started + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline && valueIn(cluster, "faults-probe") < n) {
            Harness.pause(Duration.ofMillis(250));
        }
        boolean applied = valueIn(cluster, "faults-probe") >= n;
        boolean audited = commit != null
                && applied
                && !h.audited(List.of(commit), Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))
                        .isEmpty();
        if (!applied || !audited) {
            h.progress("not recovered within 3 minutes (applied: %s, in the audit log: %s)", applied, audited);
            return -1;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        h.progress("recovered in %.1f s (applied and in the audit log)", seconds);
        return Result.round(seconds);
    }

    /** How many applications are not at their newest push when the time is up. */
    private static long awaitConverged(
            Harness h,
            KubernetesClient cluster,
            List<String> names,
            Map<String, AtomicInteger> newest,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long behind;
        do {
            behind = names.stream()
                    .filter(name -> valueIn(cluster, name) != newest.get(name).get())
                    .count();
            if (behind == 0) {
                break;
            }
            Harness.pause(Duration.ofSeconds(1));
        } while (System.nanoTime() < deadline);
        h.progress("%d of %d applications not at their newest push", behind, names.size());
        return behind;
    }

    /** Consumer groups of the services still behind the end of their topics when the time is up. */
    private static int stuckConsumers(Harness h, Duration timeout) throws Exception {
        List<String> groups = List.of("render-service", "sync-service", "audit-service");
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, h.env("DRIFTLESS_KAFKA_BOOTSTRAP")))) {
            long deadline = System.nanoTime() + timeout.toNanos();
            List<String> behind;
            do {
                behind = new ArrayList<>();
                for (String group : groups) {
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS);
                    Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
                    committed.keySet().forEach(p -> latest.put(p, OffsetSpec.latest()));
                    var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
                    for (var entry : committed.entrySet()) {
                        if (entry.getValue() != null
                                && entry.getValue().offset()
                                        < ends.get(entry.getKey()).offset()) {
                            behind.add(group);
                            break;
                        }
                    }
                }
                if (behind.isEmpty()) {
                    break;
                }
                Harness.pause(Duration.ofSeconds(1));
            } while (System.nanoTime() < deadline);
            if (!behind.isEmpty()) {
                h.progress("consumer groups still behind: %s", behind);
            }
            return behind.size();
        }
    }

    /** The push number an application's ConfigMap shows now, or -1 when it cannot be read. */
    private static int valueIn(KubernetesClient cluster, String name) {
        try {
            ConfigMap cm =
                    cluster.configMaps().inNamespace(name).withName("bench").get();
            return cm == null || cm.getData() == null
                    ? -1
                    : Integer.parseInt(cm.getData().getOrDefault("value", "-1"));
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
