package dev.driftless.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The commands of {@link Driftless}, each one request or a few to audit-service's API. */
final class Commands {

    private Commands() {}

    /** What every command has: where the stack is, how to write, and where. */
    abstract static class Base implements Callable<Integer> {
        @Mixin
        Driftless.Connection connection;

        @ParentCommand
        Driftless root;

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        Stack stack() {
            return Stack.resolve(connection.url, connection.token, root.environment);
        }

        boolean json() {
            return connection.output == Driftless.Output.json;
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        void printJson(JsonNode node) {
            try {
                out().println(Stack.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Command(
            name = "apps",
            mixinStandardHelpOptions = true,
            description = "Every application: sync, health, drift, commit.")
    static final class Apps extends Base {
        @Override
        public Integer call() {
            Stack stack = stack();
            JsonNode states = stack.get("api/applications").path("applications");
            Map<String, JsonNode> catalog = new HashMap<>();
            try {
                stack.get("api/catalog")
                        .path("applications")
                        .forEach(a -> catalog.put(a.path("name").asText(), a));
            } catch (Stack.Failure e) {
                err().println("driftless: projects and destinations not shown: " + e.getMessage());
            }
            ArrayNode merged = Stack.JSON.createArrayNode();
            for (JsonNode state : states) {
                ObjectNode row = state.deepCopy();
                JsonNode entry = catalog.remove(state.path("name").asText());
                if (entry != null) {
                    row.set("project", entry.path("target").path("project").path("name"));
                    row.set("destination", entry.path("target"));
                }
                merged.add(row);
            }
            for (JsonNode entry : catalog.values()) { // in the catalog, not synced yet
                ObjectNode row = Stack.JSON.createObjectNode();
                row.put("name", entry.path("name").asText());
                row.put("syncStatus", "Unknown");
                row.put("health", "Unknown");
                row.put("drift", "Unknown");
                row.set("project", entry.path("target").path("project").path("name"));
                row.set("destination", entry.path("target"));
                merged.add(row);
            }
            if (json()) {
                printJson(Stack.JSON.createObjectNode().set("applications", merged));
                return Exit.OK;
            }
            List<List<String>> rows = new ArrayList<>();
            Instant now = Instant.now();
            for (JsonNode a : merged) {
                JsonNode target = a.path("destination");
                rows.add(List.of(
                        a.path("name").asText(),
                        Render.text(a, "project"),
                        target.isMissingNode()
                                ? "-"
                                : target.path("cluster").asText("default") + "/"
                                        + target.path("namespace").asText(""),
                        Render.text(a, "syncStatus"),
                        Render.text(a, "health"),
                        Render.text(a, "drift"),
                        Render.shortSha(a.path("currentCommit").asText("")),
                        a.has("lastChange")
                                ? Render.word(a.path("lastChange").path("type").asText()) + " "
                                        + Render.age(
                                                a.path("lastChange").path("at").asText(null), now)
                                : "-"));
            }
            rows.sort((x, y) -> x.get(0).compareTo(y.get(0)));
            out().print(Render.table(
                    List.of("name", "project", "destination", "sync", "health", "drift", "commit", "last change"),
                    rows));
            return Exit.OK;
        }
    }

    @Command(
            name = "app",
            mixinStandardHelpOptions = true,
            description = "One application: its state, objects and last syncs.")
    static final class App extends Base {
        @Parameters(paramLabel = "NAME", description = "the application")
        String name;

        @Override
        public Integer call() {
            Stack stack = stack();
            JsonNode view = stack.get("api/applications/" + Stack.segment(name));
            JsonNode status = null;
            String statusProblem = null;
            try {
                status = stack.get("api/applications/" + Stack.segment(name) + "/status");
            } catch (Stack.Failure e) {
                statusProblem = e.getMessage();
            }
            List<JsonNode> syncs = new ArrayList<>();
            for (JsonNode item : stack.get("api/changes?summary=true&limit=100&application=" + Stack.segment(name))
                    .path("items")) {
                if (Render.word(item.path("type").asText()).startsWith("sync.") && syncs.size() < 5) {
                    syncs.add(item);
                }
            }
            if (json()) {
                ObjectNode all = Stack.JSON.createObjectNode();
                all.set("application", view);
                all.set("status", status);
                all.set("lastSyncs", Stack.JSON.valueToTree(syncs));
                printJson(all);
                return Exit.OK;
            }
            JsonNode state = view.path("state");
            Instant now = Instant.now();
            PrintWriter out = out();
            out.printf(
                    "%s: %s, %s, %s at %s%n",
                    name,
                    Render.text(state, "syncStatus"),
                    Render.text(state, "health"),
                    Render.text(state, "drift"),
                    Render.shortSha(state.path("currentCommit").asText("")));
            JsonNode entry = catalogEntry(stack, name);
            JsonNode summary = entry.path("lastRender").path("commitSummary");
            if (entry.path("lastRender")
                            .path("commit")
                            .asText("")
                            .equals(state.path("currentCommit").asText())
                    && summary.isObject()) {
                out.printf(
                        "  \"%s\" by %s, %s ago%n",
                        summary.path("subject").asText(),
                        summary.path("author").asText(),
                        Render.age(summary.path("committedAt").asText(null), now));
            }
            if (entry.hasNonNull("pinnedTo")) {
                out.printf(
                        "  pinned by a rollback to %s until its next push or a sync%n",
                        Render.shortSha(entry.get("pinnedTo").asText()));
            }
            if (entry.path("target").path("suspended").asBoolean(false)) {
                out.println("  suspended (spec.suspend): nothing is rendered, applied or healed until it is resumed");
            }
            if (!entry.path("target").path("automated").asBoolean(true)) {
                out.printf("  syncs by hand (syncPolicy.automated: false): driftless sync %s applies its head%n", name);
            }
            if (state.hasNonNull("lastFailure")) {
                JsonNode f = state.get("lastFailure");
                out.printf(
                        "last failure: %s %s (%s ago)%n",
                        Render.text(f, "reason"),
                        f.path("message").asText(""),
                        Render.age(f.path("at").asText(null), now));
            }
            out.println();
            if (status != null && status.hasNonNull("waiting")) {
                out.printf(
                        "waiting: %s, rendered %s ago, %s%n",
                        Render.shortSha(status.path("waiting").path("commit").asText()),
                        Render.age(status.path("waiting").path("renderedAt").asText(null), now),
                        status.path("waiting").path("reason").asText("waits"));
            }
            if (status == null) {
                out.println("objects: " + statusProblem);
            } else {
                JsonNode health = status.path("health").path("objects");
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode r : status.path("lastSync").path("resources")) {
                    String key =
                            r.path("kind").asText() + "/" + r.path("namespace").asText("") + "/"
                                    + r.path("name").asText();
                    rows.add(List.of(
                            r.path("kind").asText(),
                            Render.text(r, "namespace"),
                            r.path("name").asText(),
                            Render.text(r, "action"),
                            health.path(key).path("state").asText("-")));
                }
                out.print(Render.table(List.of("kind", "namespace", "name", "last action", "health"), rows));
            }
            out.println();
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode s : syncs) {
                rows.add(List.of(
                        Render.age(s.path("time").asText(null), now),
                        Render.word(s.path("type").asText()),
                        Render.shortSha(s.path("commit").asText("")),
                        Render.text(s, "actor"),
                        Render.text(s, "reason")));
            }
            out.print(Render.table(List.of("ago", "last syncs", "commit", "actor", "reason"), rows));
            return Exit.OK;
        }
    }

    /** The application's entry in the catalog, or a missing node when the catalog cannot be read. */
    static JsonNode catalogEntry(Stack stack, String name) {
        try {
            for (JsonNode a : stack.get("api/catalog").path("applications")) {
                if (name.equals(a.path("name").asText())) {
                    return a;
                }
            }
        } catch (Stack.Failure e) {
            // the state alone is still worth showing
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    @Command(
            name = "trace",
            mixinStandardHelpOptions = true,
            description = "A commit's story: push, webhook, render, sync, healthy, per application.")
    static final class Trace extends Base {
        @Parameters(paramLabel = "SHA", description = "the commit, 7 to 64 hexadecimal characters")
        String sha;

        @Override
        public Integer call() {
            JsonNode trace = stack().get("api/commits/" + Stack.segment(sha));
            boolean failed = false;
            for (JsonNode a : trace.path("applications")) {
                failed |= "Failed".equals(a.path("render").path("status").asText())
                        || "Failed".equals(a.path("sync").path("status").asText());
            }
            if (json()) {
                printJson(trace);
                return failed ? Exit.BAD_NEWS : Exit.OK;
            }
            PrintWriter out = out();
            out.printf(
                    "commit %s  %s%n",
                    trace.path("commit").asText(), trace.path("repository").asText(""));
            if (trace.path("deliveries").isEmpty()) {
                out.println("pushed: no webhook recorded (a poll, a resync or a rollback)");
            }
            for (JsonNode d : trace.path("deliveries")) {
                out.printf(
                        "pushed by %s via %s at %s (delivery %s%s)%n",
                        Render.text(d, "pusher"),
                        Render.text(d, "provider"),
                        Render.text(d, "receivedAt"),
                        Render.text(d, "deliveryId"),
                        d.hasNonNull("traceId") ? ", trace " + d.get("traceId").asText() : "");
            }
            out.println();
            List<List<String>> rows = new ArrayList<>();
            List<String> failures = new ArrayList<>();
            for (JsonNode a : trace.path("applications")) {
                JsonNode render = a.path("render");
                JsonNode sync = a.path("sync");
                rows.add(List.of(
                        a.path("name").asText(),
                        render.path("status").asText("Pending") + " " + Render.millis(render.get("durationMs")),
                        sync.isMissingNode()
                                ? "Pending"
                                : sync.path("status").asText() + " " + Render.millis(sync.get("durationMs")),
                        sync.path("health").asText("Unknown"),
                        Render.millis(a.get("leadTimeMs")),
                        Render.millis(a.get("leadTimeToHealthyMs"))));
                for (JsonNode stage : List.of(render, sync)) {
                    if ("Failed".equals(stage.path("status").asText())) {
                        failures.add(a.path("name").asText() + ": " + Render.text(stage, "reason") + ": "
                                + stage.path("message").asText(""));
                    }
                }
            }
            out.print(Render.table(
                    List.of("application", "render", "sync", "health", "push→synced", "push→healthy"), rows));
            failures.forEach(f -> out.println("  " + f));
            return failed ? Exit.BAD_NEWS : Exit.OK;
        }
    }

    @Command(
            name = "diff",
            mixinStandardHelpOptions = true,
            description = "What in the cluster differs from Git now (exit 1 when anything does).")
    static final class Diff extends Base {
        @Parameters(paramLabel = "NAME", description = "the application")
        String name;

        @Override
        public Integer call() {
            JsonNode diff = stack().get("api/applications/" + Stack.segment(name) + "/diff");
            boolean inSync = diff.path("inSync").asBoolean(false);
            if (json()) {
                printJson(diff);
            } else if (inSync) {
                out().println(name + ": the cluster matches Git");
            } else {
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode d : diff.path("differences")) {
                    rows.add(List.of(
                            d.path("resource").asText(),
                            d.path("path").asText("").isEmpty()
                                    ? "(whole object)"
                                    : d.path("path").asText(),
                            d.hasNonNull("live") ? d.get("live").toString() : "absent",
                            d.hasNonNull("desired") ? d.get("desired").toString() : "absent"));
                }
                out().print(Render.table(List.of("object", "field", "in the cluster", "in git"), rows));
            }
            return inSync ? Exit.OK : Exit.BAD_NEWS;
        }
    }

    /** What {@code sync} and {@code rollback} share: asking, then (with {@code --wait}) following to the outcome. */
    abstract static class Act extends Base {
        @Option(
                names = "--wait",
                description = "wait until it is applied and healthy; exit 1 unless Succeeded and Healthy")
        boolean await;

        @Option(
                names = "--timeout",
                defaultValue = "5m",
                description = "how long --wait waits (default ${DEFAULT-VALUE}): 90s, 5m, 1h")
        String timeout;

        @Option(names = "--reason", description = "why, recorded in the change log with your token's name")
        String reason;

        int act(Stack stack, String application, String commit, String path, Map<String, Object> body) {
            if (!await) {
                JsonNode answer = stack.post(path, body);
                report(answer);
                return Exit.OK;
            }
            Duration limit = duration(timeout);
            SyncWait wait = new SyncWait(application, commit);
            AtomicReference<SyncWait.Outcome> outcome = new AtomicReference<>();
            ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "driftless-wait");
                t.setDaemon(true);
                return t;
            });
            Future<?> following = thread.submit(() -> {
                stack.follow(() -> report(stack.post(path, body)), entry -> {
                    wait.progress(entry).ifPresent(line -> err().println("  " + line));
                    Optional<SyncWait.Outcome> decided = wait.next(entry);
                    decided.ifPresent(outcome::set);
                    return decided.isEmpty() && !wait.synced();
                });
                // synced: its health, from sync-service, which reports a health only when it changes (a resync of
                // a Healthy commit stays Healthy without a word)
                while (outcome.get() == null) {
                    JsonNode health = stack.get("api/applications/" + Stack.segment(application) + "/status")
                            .path("health");
                    // only a look taken after this sync counts (until then the health of the commit before stands)
                    boolean looked = health.hasNonNull("checkedAt")
                            && health.hasNonNull("syncedAt")
                            && !Instant.parse(health.get("checkedAt").asText())
                                    .isBefore(
                                            Instant.parse(health.get("syncedAt").asText()));
                    if (looked) {
                        wait.health(
                                        health.path("commit").asText(null),
                                        health.path("health").path("state").asText(""))
                                .ifPresent(outcome::set);
                    }
                    if (outcome.get() == null) {
                        Thread.sleep(1000);
                    }
                }
                return null;
            });
            try {
                following.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                err().println("driftless: no outcome within " + timeout
                        + "; it may still be under way (./driftless app " + application + ")");
                return Exit.TIMEOUT;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Stack.Failure failure) {
                    throw failure;
                }
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Exit.TIMEOUT;
            } finally {
                thread.shutdownNow();
            }
            SyncWait.Outcome done = outcome.get();
            if (json()) {
                printJson(Stack.JSON.valueToTree(Map.of("exitCode", done.exitCode(), "message", done.message())));
            } else {
                out().println(done.message());
            }
            return done.exitCode();
        }

        private void report(JsonNode answer) {
            if (json() && !await) {
                printJson(answer);
            } else {
                err().printf(
                                "%s accepted (%s), requested by %s%n",
                                spec.name(),
                                answer.path("id").asText(),
                                answer.path("actor").asText());
            }
        }

        Map<String, Object> body(String commit) {
            Map<String, Object> body = new LinkedHashMap<>();
            if (commit != null) {
                body.put("commit", commit);
            }
            body.put("reason", reason == null ? "from the command line" : reason);
            return body;
        }

        static Duration duration(String text) {
            try {
                String t = text.trim().toLowerCase(java.util.Locale.ROOT);
                long n = Long.parseLong(t.substring(0, t.length() - 1));
                return switch (t.charAt(t.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> throw new NumberFormatException(text);
                };
            } catch (RuntimeException e) {
                throw new Stack.Failure(Exit.USAGE, "--timeout " + text + " is not a duration such as 90s, 5m or 1h");
            }
        }
    }

    @Command(
            name = "sync",
            mixinStandardHelpOptions = true,
            description = "Render and apply an application from the head of its branch now.")
    static final class Sync extends Act {
        @Parameters(paramLabel = "NAME", description = "the application")
        String name;

        @Override
        public Integer call() {
            return act(stack(), name, null, "api/applications/" + Stack.segment(name) + "/resync", body(null));
        }
    }

    @Command(
            name = "rollback",
            mixinStandardHelpOptions = true,
            description = "Render and apply an application at a commit it ran before.")
    static final class Rollback extends Act {
        @Parameters(index = "0", paramLabel = "NAME", description = "the application")
        String name;

        @Parameters(index = "1", paramLabel = "SHA", description = "the commit, full or abbreviated")
        String sha;

        @Override
        public Integer call() {
            if (!sha.matches("[0-9a-fA-F]{7,64}")) {
                throw new Stack.Failure(Exit.USAGE, sha + " is not a commit SHA (7 to 64 hexadecimal characters)");
            }
            Stack stack = stack();
            String commit = sha.length() >= 40
                    ? sha.toLowerCase(java.util.Locale.ROOT)
                    : stack.get("api/commits/" + Stack.segment(sha))
                            .path("commit")
                            .asText();
            return act(stack, name, commit, "api/applications/" + Stack.segment(name) + "/rollback", body(commit));
        }
    }

    @Command(
            name = "history",
            mixinStandardHelpOptions = true,
            description = "An application's history, newest first: pushes, renders, syncs, drift, health, commands.")
    static final class History extends Base {
        @Parameters(paramLabel = "NAME", description = "the application")
        String name;

        @Option(names = "--limit", defaultValue = "20", description = "how many entries (default ${DEFAULT-VALUE})")
        int limit;

        @Option(names = "--all", description = "every entry, page after page")
        boolean all;

        @Override
        public Integer call() {
            if (limit < 1) {
                throw new Stack.Failure(Exit.USAGE, "--limit is at least 1");
            }
            Stack stack = stack();
            ArrayNode items = Stack.JSON.createArrayNode();
            String cursor = null;
            do {
                int page = all ? 500 : Math.min(500, limit - items.size());
                JsonNode answer = stack.get("api/changes?summary=true&pushes=true&limit=" + page + "&application="
                        + Stack.segment(name) + (cursor == null ? "" : "&cursor=" + cursor));
                answer.path("items").forEach(items::add);
                cursor = answer.path("nextCursor").isTextual()
                        ? answer.get("nextCursor").asText()
                        : null;
            } while (cursor != null && (all || items.size() < limit));
            if (items.isEmpty()) {
                throw new Stack.Failure(
                        Exit.UNREACHABLE,
                        "the change log has nothing of " + name + " (./driftless apps lists the applications)");
            }
            if (json()) {
                printJson(items);
                return Exit.OK;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode e : items) {
                JsonNode data = e.path("event").path("data");
                String took = data.hasNonNull("startedAt") && data.hasNonNull("finishedAt")
                        ? Render.millis(Stack.JSON
                                .getNodeFactory()
                                .numberNode(Duration.between(
                                                Instant.parse(
                                                        data.get("startedAt").asText()),
                                                Instant.parse(
                                                        data.get("finishedAt").asText()))
                                        .toMillis()))
                        : "-";
                String message = data.path("message")
                        .asText(
                                data.has("current")
                                        ? "health " + data.get("current").asText()
                                        : "");
                rows.add(List.of(
                        Render.text(e, "time"),
                        Render.word(e.path("type").asText()),
                        Render.shortSha(e.path("commit").asText("")),
                        Render.text(e, "actor"),
                        took,
                        Render.text(e, "reason"),
                        message.length() > 80 ? message.substring(0, 77) + "..." : message));
            }
            out().print(Render.table(List.of("time", "event", "commit", "actor", "took", "reason", "message"), rows));
            return Exit.OK;
        }
    }

    @Command(
            name = "verify",
            mixinStandardHelpOptions = true,
            description =
                    "Whether the change log verifies: every hash chain and the latest signed checkpoint (exit 1 when broken). For a check without the service, against a checkpoint kept elsewhere: ./driftless verify --checkpoints FILE --public-key FILE.")
    static final class Verify extends Base {
        @Override
        public Integer call() {
            JsonNode v = stack().get("api/verify");
            boolean intact = v.path("intact").asBoolean(false);
            if (json()) {
                printJson(v);
            } else if (intact) {
                out().printf(
                                "intact: %d chains verified at %s against the checkpoint of %s%n",
                                v.path("chains").asInt(), Render.text(v, "verifiedAt"), Render.text(v, "checkpoint"));
            } else {
                out().println("BROKEN:");
                for (JsonNode b : v.path("broken")) {
                    out().printf(
                                    "  %s %s at entry %s: %s%n",
                                    Render.text(b, "chain"),
                                    Render.text(b, "reason"),
                                    Render.text(b, "seq"),
                                    Render.text(b, "problem"));
                }
            }
            return intact ? Exit.OK : Exit.BAD_NEWS;
        }
    }

    @Command(name = "tail", mixinStandardHelpOptions = true, description = "Follow the change log live (Ctrl-C stops).")
    static final class Tail extends Base {
        @Option(names = "--app", description = "only this application's entries")
        String application;

        @Option(names = "--count", description = "stop after this many entries (default: never)")
        Integer count;

        @Override
        public Integer call() {
            int[] seen = {0};
            stack().follow(() -> err().println("following the change log (Ctrl-C stops)…"), entry -> {
                if ("heartbeat".equals(entry.path("type").asText())
                        || (application != null
                                && !application.equals(entry.path("application").asText()))) {
                    return true;
                }
                if (json()) {
                    out().println(entry.toString());
                } else {
                    JsonNode data = entry.path("event").path("data");
                    out().printf(
                                    "%s  %-22s %-16s %-8s %s%s%s%n",
                                    Render.text(entry, "time"),
                                    Render.word(entry.path("type").asText()),
                                    entry.path("application").asText("-"),
                                    Render.shortSha(entry.path("commit").asText("")),
                                    Render.text(entry, "actor"),
                                    entry.hasNonNull("reason")
                                            ? " " + entry.get("reason").asText()
                                            : "",
                                    data.hasNonNull("current")
                                            ? " " + data.get("current").asText()
                                            : "");
                }
                out().flush();
                seen[0]++;
                return count == null || seen[0] < count;
            });
            return Exit.OK;
        }
    }
}
