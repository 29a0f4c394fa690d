package dev.driftless.devstack.git;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.ReceiveCommand;

/**
 * Sends a GitHub-format {@code push} webhook for every ref a push updated, signed with HMAC-SHA256 in
 * {@code X-Hub-Signature-256}, with {@code X-GitHub-Event: push} and a fresh {@code X-GitHub-Delivery} id, as GitHub
 * does. Deliveries go out in push order on one background thread, after the push has been answered; a delivery the
 * receiver refuses with 5xx or 429, or cannot take at all, is retried with backoff under the same delivery id.
 */
public final class PushWebhookSender implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PushWebhookSender.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ATTEMPTS = 5;
    private static final int LANES = 8;

    /** A delivery that was sent, with the status the receiver answered (or -1 when it could not be reached). */
    public record Delivery(String id, String repository, String ref, String after, int status, long sentAtMillis) {}

    private final URI target;
    private final byte[] secret;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /**
     * Deliveries go out in parallel, as a provider's do, but those of one repository in order: each repository is
     * served by one of these single-threaded lanes.
     */
    private final List<ExecutorService> lanes = java.util.stream.IntStream.range(0, LANES)
            .mapToObj(i -> Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "git-webhook-sender-" + i);
                t.setDaemon(true);
                return t;
            }))
            .toList();

    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final java.util.Set<String> dropNext = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile String baseUrl = "";

    /**
     * @param target the webhook URL, e.g. {@code http://127.0.0.1:8081/hooks/github}
     * @param secret the shared secret the signature is computed with
     */
    public PushWebhookSender(URI target, String secret) {
        this.target = target;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    void setBaseUrl(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    void onPush(String name, Repository repository, Collection<ReceiveCommand> commands) {
        for (ReceiveCommand command : commands) {
            if (command.getResult() != ReceiveCommand.Result.OK) {
                continue;
            }
            Map<String, Object> payload;
            try {
                payload = GithubPushPayload.of(repository, name, baseUrl + "/" + name + ".git", command);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot describe push to " + name + " " + command.getRefName(), e);
                continue;
            }
            String deliveryId = UUID.randomUUID().toString();
            if (dropNext.remove(name)) {
                LOG.info("push webhook " + deliveryId + " for " + name + " dropped on purpose (a fault)");
                deliveries.add(new Delivery(
                        deliveryId,
                        name,
                        command.getRefName(),
                        command.getNewId().name(),
                        0,
                        System.currentTimeMillis()));
                continue;
            }
            lanes.get(Math.floorMod(name.hashCode(), LANES)).execute(() -> deliver(deliveryId, name, command, payload));
        }
    }

    private void deliver(String deliveryId, String name, ReceiveCommand command, Map<String, Object> payload) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(payload);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot serialise push payload", e);
            return;
        }
        HttpRequest request = HttpRequest.newBuilder(target)
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("User-Agent", "GitHub-Hookshot/driftless-devstack")
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", deliveryId)
                .header("X-Hub-Signature-256", "sha256=" + sign(secret, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        int status = -1;
        long backoff = 200;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                status = http.send(request, HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                if (status < 500 && status != 429) {
                    break;
                }
            } catch (IOException e) {
                status = -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (attempt < ATTEMPTS) {
                try {
                    TimeUnit.MILLISECONDS.sleep(backoff);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff *= 2;
            }
        }
        if (status < 200 || status >= 300) {
            LOG.warning(
                    "push webhook " + deliveryId + " for " + name + " " + command.getRefName() + " answered " + status);
        }
        deliveries.add(new Delivery(
                deliveryId, name, command.getRefName(), command.getNewId().name(), status, System.currentTimeMillis()));
    }

    /**
     * The next push to {@code repository} sends no webhook at all (recorded as a delivery with status 0), as a
     * provider's lost or never-retried delivery: a fault for benchmarks and tests.
     */
    public void dropNext(String repository) {
        dropNext.add(repository);
    }

    /** Every delivery made so far, oldest first. */
    public List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** {@code hex(HMAC-SHA256(secret, body))}, as in GitHub's {@code X-Hub-Signature-256}. */
    public static String sign(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    @Override
    public void close() {
        lanes.forEach(ExecutorService::shutdown);
        try {
            for (ExecutorService lane : lanes) {
                lane.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
