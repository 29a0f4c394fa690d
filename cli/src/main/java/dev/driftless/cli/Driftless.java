package dev.driftless.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code driftless}: the command line of a running Driftless. Each command asks audit-service's API (which asks the
 * other services where it must) with a token; human tables by default, {@code -o json} for scripts, and exit codes
 * that mean something ({@link Exit}).
 */
@Command(
        name = "driftless",
        mixinStandardHelpOptions = true,
        version = "driftless 0.1.0",
        description = "The applications, traces and actions of a running Driftless.",
        subcommands = {
            Commands.Apps.class,
            Commands.App.class,
            Commands.Trace.class,
            Commands.Diff.class,
            Commands.Sync.class,
            Commands.Rollback.class,
            Commands.History.class,
            Commands.Verify.class,
            Commands.Tail.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "Where the stack is: --url/--token, else DRIFTLESS_AUDIT_URL/DRIFTLESS_API_TOKEN, else the .driftless/env"
                    + " file ./driftless up writes.",
            "Exit codes: 0 good news, 1 bad news (failed, not healthy, differences, broken), 2 usage, 3 could not ask"
                    + " (not running, token, unknown name), 4 timed out."
        })
public final class Driftless implements Callable<Integer> {

    /** Options every command takes. */
    static final class Connection {
        @Option(
                names = "--url",
                description = "audit-service's address, e.g. http://127.0.0.1:8084 (default: DRIFTLESS_AUDIT_URL or"
                        + " .driftless/env)")
        String url;

        @Option(
                names = "--token",
                description = "an API token (default: DRIFTLESS_API_TOKEN or .driftless/env); a read token sees, a"
                        + " write token may also sync and roll back")
        String token;

        @Option(
                names = {"-o", "--output"},
                description = "table (default) or json",
                defaultValue = "table")
        Output output;
    }

    /** How answers are written. */
    enum Output {
        table,
        json
    }

    final Map<String, String> environment;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    Driftless(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return Exit.USAGE;
    }

    /** Runs one command line with this environment, writing to {@code out} and {@code err}; the exit code. */
    public static int run(String[] args, Map<String, String> environment, PrintWriter out, PrintWriter err) {
        CommandLine line = new CommandLine(new Driftless(environment));
        line.setOut(out);
        line.setErr(err);
        line.setCaseInsensitiveEnumValuesAllowed(true);
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof Stack.Failure failure) {
                cmd.getErr().println("driftless: " + failure.getMessage());
                return failure.exitCode;
            }
            // not bad news about an application (1): the command could not ask
            cmd.getErr().println("driftless: " + e);
            return Exit.UNREACHABLE;
        });
        int code = line.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    public static void main(String[] args) {
        System.exit(run(
                args,
                System.getenv(),
                new PrintWriter(System.out, true, java.nio.charset.StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, java.nio.charset.StandardCharsets.UTF_8)));
    }
}
