package dev.driftless.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A running Driftless, as the command line reaches it: audit-service's API (which answers for the other services
 * too) with a token. Where they come from, first found wins: the flags, the environment ({@code DRIFTLESS_AUDIT_URL},
 * {@code DRIFTLESS_API_TOKEN}), then the {@code env} file {@code ./driftless up} writes. Every failure to ask is a
 * {@link Failure} that says what to do.
 */
final class Stack {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern EXPORT = Pattern.compile("^export ([A-Z_]+)='(.*)'$");

    /** Could not ask the stack, or it refused: a message for people and the exit code. */
    static final class Failure extends RuntimeException {
        final int exitCode;

        Failure(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    private final URI url;
    private final String token;
    private final HttpClient http;

    Stack(URI url, String token) {
        this.url = url;
        this.token = token;
        this.http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    }

    /** The stack the flags, the environment or the env file name; fails with what to do when one is missing. */
    static Stack resolve(String urlFlag, String tokenFlag, Map<String, String> environment) {
        Map<String, String> file = envFile(environment);
        String url = first(urlFlag, environment.get("DRIFTLESS_AUDIT_URL"), file.get("DRIFTLESS_AUDIT_URL"));
        String token = first(tokenFlag, environment.get("DRIFTLESS_API_TOKEN"), file.get("DRIFTLESS_API_TOKEN"));
        if (url == null) {
            throw new Failure(
                    Exit.UNREACHABLE,
                    "no Driftless to talk to: start one with ./driftless up (it writes .driftless/env), or pass --url"
                            + " (audit-service's address) or set DRIFTLESS_AUDIT_URL");
        }
        if (token == null) {
            throw new Failure(
                    Exit.UNREACHABLE,
                    "no API token: ./driftless up writes one to .driftless/env; or pass --token or set"
                            + " DRIFTLESS_API_TOKEN");
        }
        URI parsed;
        try {
            parsed = URI.create(url.endsWith("/") ? url : url + "/");
        } catch (IllegalArgumentException e) {
            throw new Failure(Exit.USAGE, "the URL " + url + " is not valid: " + e.getMessage());
        }
        if (!("http".equals(parsed.getScheme()) || "https".equals(parsed.getScheme())) || parsed.getHost() == null) {
            throw new Failure(
                    Exit.USAGE, "the URL " + url + " is not an http(s) address such as http://127.0.0.1:8084");
        }
        return new Stack(parsed, token);
    }

    /** The variables of the env file: {@code $DRIFTLESS_STATE_DIR/env}, else {@code .driftless/env} here or above. */
    static Map<String, String> envFile(Map<String, String> environment) {
        Path file = null;
        if (environment.get("DRIFTLESS_STATE_DIR") != null) {
            file = Path.of(environment.get("DRIFTLESS_STATE_DIR"), "env");
        } else {
            for (Path dir = Path.of(environment.getOrDefault("DRIFTLESS_HOME", ""))
                            .toAbsolutePath();
                    dir != null;
                    dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve(".driftless/env"))) {
                    file = dir.resolve(".driftless/env");
                    break;
                }
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        if (file == null || !Files.isReadable(file)) {
            return values;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                Matcher m = EXPORT.matcher(line.trim());
                if (m.matches()) {
                    values.put(m.group(1), m.group(2).replace("'\\''", "'"));
                }
            }
        } catch (IOException e) {
            throw new Failure(Exit.UNREACHABLE, "cannot read " + file + ": " + e.getMessage());
        }
        return values;
    }

    private static String first(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }

    URI url() {
        return url;
    }

    /** A path segment, encoded. */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code GET path}: the JSON answer; a refusal or an error is a {@link Failure}. */
    JsonNode get(String path) {
        return send(request(path).GET().build(), path);
    }

    /** {@code POST path} with a JSON body. */
    JsonNode post(String path, Object body) {
        try {
            return send(
                    request(path)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                            .build(),
                    path);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Follows {@code /api/changes/stream}: each entry the token may see goes to {@code entry} until it answers
     * {@code false}; {@code opened} runs once the stream is open (so nothing done then can be missed).
     */
    void follow(Runnable opened, Predicate<JsonNode> entry) {
        HttpRequest request = HttpRequest.newBuilder(url.resolve("api/changes/stream"))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream")
                .GET()
                .build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(Exit.UNREACHABLE, "interrupted");
        }
        if (response.statusCode() != 200) {
            try (InputStream body = response.body()) {
                throw refused(response.statusCode(), body.readAllBytes(), "api/changes/stream");
            } catch (IOException e) {
                throw unreachable(e);
            }
        }
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            opened.run();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("data:")) {
                    if (!entry.test(JSON.readTree(line.substring(5).trim()))) {
                        return;
                    }
                }
            }
            throw new Failure(Exit.UNREACHABLE, "the stack closed the change feed (stopped or restarted?)");
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(url.resolve(path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
    }

    private JsonNode send(HttpRequest request, String path) {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(Exit.UNREACHABLE, "interrupted");
        }
        if (response.statusCode() / 100 != 2) {
            throw refused(response.statusCode(), response.body(), path);
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new Failure(Exit.UNREACHABLE, url + " answered something that is not JSON: is it audit-service?");
        }
    }

    private Failure unreachable(IOException e) {
        String why = e instanceof ConnectException || e instanceof HttpConnectTimeoutException
                ? "nothing answers there"
                : e.toString();
        return new Failure(
                Exit.UNREACHABLE,
                "cannot reach Driftless at " + url + " (" + why + "): is it running? Start it with ./driftless up, or"
                        + " pass --url");
    }

    private Failure refused(int status, byte[] body, String path) {
        String reason = "HTTP " + status;
        String message = "";
        try {
            JsonNode error = JSON.readTree(body);
            reason = error.path("reason").asText(reason);
            message = error.path("message").asText("");
        } catch (IOException | RuntimeException e) {
            // not JSON: the status says enough
        }
        String hint =
                switch (status) {
                    case 401 -> " (the token was not accepted: check DRIFTLESS_API_TOKEN or --token)";
                    case 403 ->
                        message.contains("may only read")
                                ? " (this needs a write token: DRIFTLESS_API_TOKEN in .driftless/env, not the read one)"
                                : "";
                    case 404 -> " (./driftless apps lists the applications)";
                    case 503 -> " (retry in a moment)";
                    default -> "";
                };
        return new Failure(
                status == 400 || status == 409 ? Exit.USAGE : Exit.UNREACHABLE,
                reason + ": " + (message.isEmpty() ? path : message) + hint);
    }
}
