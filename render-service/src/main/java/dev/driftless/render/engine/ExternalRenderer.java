package dev.driftless.render.engine;

import dev.driftless.render.domain.Reason;
import dev.driftless.render.domain.RenderFailure;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external renderer (kustomize, helm) in a working directory with a bounded output and time: the process and its
 * children are killed when the time is up ({@link Reason#RenderTimedOut}), output beyond the limit fails the render
 * ({@link Reason#BundleTooLarge}), a non-zero exit fails it with the tool's own error
 * ({@link Reason#RenderToolFailed}). The environment is emptied but for {@code PATH}, so no credential of this service
 * leaks to the tool, and the {@code git} a tool may run for a remote base reads no configuration at all: {@code HOME}
 * is a directory that does not exist (never the workspace, which holds the repository's files: a committed
 * {@code .gitconfig} there could turn a clone into a command), global and system configuration are off, and only
 * the https and ssh protocols are allowed (no {@code ext::} or {@code file}).
 */
final class ExternalRenderer {

    private ExternalRenderer() {}

    /** The first of these commands found on the {@code PATH}, as an absolute path. */
    static Optional<Path> onPath(String... commands) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String command : commands) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, command);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate.toAbsolutePath());
                }
            }
        }
        return Optional.empty();
    }

    static byte[] run(List<String> command, Path workDir, Duration timeout, int maxOutputBytes) throws RenderFailure {
        return run(command, workDir, timeout, maxOutputBytes, new byte[0]);
    }

    /** Runs a command with {@code stdin} as its standard input. */
    static byte[] run(List<String> command, Path workDir, Duration timeout, int maxOutputBytes, byte[] stdin)
            throws RenderFailure {
        return run(command, workDir, timeout, maxOutputBytes, stdin, Map.of());
    }

    /** Runs a command with {@code stdin} as its standard input and these variables added to its environment. */
    static byte[] run(
            List<String> command,
            Path workDir,
            Duration timeout,
            int maxOutputBytes,
            byte[] stdin,
            Map<String, String> environment)
            throws RenderFailure {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        Map<String, String> env = builder.environment();
        String path = env.get("PATH");
        env.clear();
        env.putAll(environment);
        env.put("PATH", path == null ? "/usr/local/bin:/usr/bin:/bin" : path);
        env.put("HOME", "/nonexistent");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_ALLOW_PROTOCOL", "https:ssh");
        env.put("GIT_TERMINAL_PROMPT", "0");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new RenderFailure(Reason.RendererUnavailable, "cannot run " + command.get(0) + ": " + e.getMessage());
        }
        try {
            try (var in = process.getOutputStream()) {
                in.write(stdin);
            }
            CompletableFuture<byte[]> stdout = drain(process.getInputStream(), maxOutputBytes + 1);
            CompletableFuture<byte[]> stderr = drain(process.getErrorStream(), 16 * 1024);
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw new RenderFailure(
                        Reason.RenderTimedOut,
                        String.join(" ", command.subList(0, Math.min(2, command.size()))) + " took longer than "
                                + timeout.toSeconds() + " s and was stopped");
            }
            byte[] out = stdout.get(10, TimeUnit.SECONDS);
            if (process.exitValue() != 0) {
                String error = new String(stderr.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8)
                        .strip()
                        .replace(workDir.toString() + "/", "");
                throw new RenderFailure(
                        Reason.RenderToolFailed,
                        command.get(0).substring(command.get(0).lastIndexOf('/') + 1) + " failed: "
                                + (error.isEmpty() ? "exit code " + process.exitValue() : error));
            }
            if (out.length > maxOutputBytes) {
                throw new RenderFailure(
                        Reason.BundleTooLarge, "the rendered output is larger than " + maxOutputBytes + " bytes");
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(process);
            throw new RenderFailure(Reason.RenderTimedOut, "interrupted while rendering");
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            kill(process);
            throw new RenderFailure(Reason.RenderError, "cannot read the output of " + command.get(0), e);
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Reads a stream to its end on another thread, keeping at most {@code limit} bytes (the rest is discarded). */
    private static CompletableFuture<byte[]> drain(InputStream in, int limit) {
        return CompletableFuture.supplyAsync(
                () -> {
                    ByteArrayOutputStream kept = new ByteArrayOutputStream();
                    byte[] buffer = new byte[16 * 1024];
                    try (in) {
                        int read;
                        while ((read = in.read(buffer)) >= 0) {
                            int room = limit - kept.size();
                            if (room > 0) {
                                kept.write(buffer, 0, Math.min(room, read));
                            }
                        }
                    } catch (IOException e) {
                        // the process was killed; what was read is what there is
                    }
                    return kept.toByteArray();
                },
                runnable -> {
                    Thread thread = new Thread(runnable, "render-output");
                    thread.setDaemon(true);
                    thread.start();
                });
    }

    static List<String> with(List<String> command, String argument) {
        List<String> all = new ArrayList<>(command);
        all.add(argument);
        return all;
    }
}
