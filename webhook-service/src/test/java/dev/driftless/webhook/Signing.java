package dev.driftless.webhook;

import dev.driftless.webhook.domain.HmacSignature;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Signs test bodies as GitHub would. */
public final class Signing {
    public static final String SECRET = "test-secret";

    private Signing() {}

    public static String sign(String body) {
        return sign(SECRET, body);
    }

    public static String sign(String secret, String body) {
        return "sha256="
                + HexFormat.of()
                        .formatHex(HmacSignature.hmacSha256(
                                secret.getBytes(StandardCharsets.UTF_8), body.getBytes(StandardCharsets.UTF_8)));
    }

    public static String push(String repository, String after) {
        return """
                {"ref":"refs/heads/main","before":"%s","after":"%s","created":false,"deleted":false,
                 "repository":{"name":"demo","clone_url":"%s"},
                 "pusher":{"name":"alice","email":"alice@example.com"},
                 "commits":[{"id":"%s","added":["apps/demo/new.yaml"],"removed":[],"modified":["apps/demo/cm.yaml"]}]}
                """
                .formatted("a".repeat(40), after, repository, after);
    }
}
