package dev.driftless.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./driftless bench [scenario…] [--quick]}: runs each scenario on a stack of its own, prints a table and writes
 * {@code target/bench/<scenario>.json}. Without scenarios, all of them; {@code --quick} runs each at a tenth of its
 * size. Exit status 1 when a scenario could not run.
 */
public final class Bench {

    static final List<Scenario> SCENARIOS = List.of(
            new Ingest(),
            new EndToEnd(),
            new Monorepo(),
            new ColdSync(),
            new Faults(),
            new AuditScale(),
            new FirstPush());

    private Bench() {}

    public static void main(String[] args) throws Exception {
        dev.driftless.devstack.Launcher.quietLogging();
        PrintStream out = System.out;
        boolean quick = false;
        List<Scenario> chosen = new ArrayList<>();
        Map<String, Scenario> byName = new LinkedHashMap<>();
        SCENARIOS.forEach(s -> byName.put(s.name(), s));
        for (String arg : args) {
            if (arg.equals("--quick")) {
                quick = true;
            } else if (byName.containsKey(arg)) {
                chosen.add(byName.get(arg));
            } else {
                System.err.println(
                        "driftless bench: no scenario " + arg + "; known: " + byName.keySet() + " and --quick");
                System.exit(2);
            }
        }
        if (chosen.isEmpty()) {
            chosen.addAll(SCENARIOS);
        }
        Path home = Path.of(System.getenv().getOrDefault("DRIFTLESS_HOME", "."))
                .toAbsolutePath()
                .normalize();
        Path reports = Files.createDirectories(home.resolve("target/bench"));
        ObjectMapper json = new ObjectMapper().findAndRegisterModules().enable(SerializationFeature.INDENT_OUTPUT);
        List<Result> results = new ArrayList<>();
        boolean failed = false;
        for (Scenario scenario : chosen) {
            out.printf("▸ %s%s — target: %s%n", scenario.name(), quick ? " (quick)" : "", scenario.target());
            try (Harness harness = Harness.start(home, quick, out, scenario)) {
                Result result = scenario.run(harness);
                results.add(result);
                Map<String, Object> report = result.json();
                report.put("cpu_s", harness.cpuSeconds());
                json.writeValue(reports.resolve(scenario.name() + ".json").toFile(), report);
                out.printf(
                        "  ✓ %s%n",
                        json.writer()
                                .withoutFeatures(SerializationFeature.INDENT_OUTPUT)
                                .writeValueAsString(report));
            } catch (Exception e) {
                failed = true;
                out.printf("  ✗ %s could not run: %s%n", scenario.name(), e);
            }
        }
        out.println();
        out.printf(
                "%-10s %8s %8s %10s %9s %9s %9s %9s %6s %5s  %s%n",
                "scenario",
                "count",
                "seconds",
                "per s",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "max ms",
                "lost",
                "dup",
                "rss MB");
        for (Result r : results) {
            out.printf(
                    "%-10s %8d %8.1f %10.1f %9.1f %9.1f %9.1f %9.1f %6d %5d  %s%n",
                    r.scenario(),
                    r.count(),
                    r.seconds(),
                    r.throughputPerS(),
                    r.p50Ms(),
                    r.p95Ms(),
                    r.p99Ms(),
                    r.maxMs(),
                    r.lost(),
                    r.duplicates(),
                    r.rssMb());
        }
        out.println("reports in " + reports);
        System.exit(failed ? 1 : 0);
    }
}
