package dev.driftless.webhook;

import dev.driftless.webhook.domain.HmacSignature;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One webhook request per provider in the shape its documentation gives: a push of one ref (branch, tag, created or
 * deleted), the provider's event and delivery headers, its authentication, and its ping where it has one.
 */
public enum ProviderSample {
    GITHUB("github") {
        @Override
        public String body(Push p) {
            return """
                    {"ref":"%s","before":"%s","after":"%s","created":%s,"deleted":%s,
                     "repository":{"name":"deploy","clone_url":"%s.git","html_url":"%s"},
                     "pusher":{"name":"alice","email":"alice@example.com"},
                     "commits":[{"id":"%s","added":[],"removed":[],"modified":["apps/a/cm.yaml"]}]}
                    """
                    .formatted(p.ref, p.before, p.after, p.creates(), p.deletes(), p.repository, p.repository, p.after);
        }

        @Override
        public Map<String, String> events(Push p) {
            return Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery", p.delivery);
        }

        @Override
        public Map<String, String> authentication(String secret, String body) {
            return Map.of("X-Hub-Signature-256", "sha256=" + hex(secret, body));
        }

        @Override
        public Optional<Request> ping(String secret) {
            String body = "{\"zen\":\"Keep it logically awesome.\",\"hook_id\":1}";
            return Optional.of(request(body, Map.of("X-GitHub-Event", "ping", "X-GitHub-Delivery", "ping-1"), secret));
        }
    },
    GITLAB("gitlab") {
        @Override
        public String body(Push p) {
            return """
                    {"object_kind":"%s","before":"%s","after":"%s","ref":"%s","checkout_sha":"%s",
                     "user_username":"jsmith","user_name":"John Smith",
                     "project":{"id":15,"web_url":"%s","git_http_url":"%s.git","path_with_namespace":"acme/deploy"},
                     "commits":[],"total_commits_count":0}
                    """
                    .formatted(
                            p.tag() ? "tag_push" : "push",
                            p.before,
                            p.after,
                            p.ref,
                            p.after,
                            p.repository,
                            p.repository);
        }

        @Override
        public Map<String, String> events(Push p) {
            return Map.of("X-Gitlab-Event", p.tag() ? "Tag Push Hook" : "Push Hook", "X-Gitlab-Event-UUID", p.delivery);
        }

        @Override
        public Map<String, String> authentication(String secret, String body) {
            return Map.of("X-Gitlab-Token", secret);
        }
    },
    GITEA("gitea") {
        @Override
        public Map<String, String> events(Push p) {
            return Map.of("X-Gitea-Event", "push", "X-Gitea-Delivery", p.delivery);
        }

        @Override
        public Map<String, String> authentication(String secret, String body) {
            return Map.of("X-Gitea-Signature", hex(secret, body));
        }
    },
    GOGS("gogs") {
        @Override
        public Map<String, String> events(Push p) {
            return Map.of("X-Gogs-Event", "push", "X-Gogs-Delivery", p.delivery);
        }

        @Override
        public Map<String, String> authentication(String secret, String body) {
            return Map.of("X-Gogs-Signature", hex(secret, body));
        }
    },
    BITBUCKET("bitbucket") {
        @Override
        public String body(Push p) {
            String kind = p.tag() ? "tag" : "branch";
            String name = p.ref.replaceFirst("^refs/(heads|tags)/", "");
            String side = "{\"type\":\"%s\",\"name\":\"%s\",\"target\":{\"hash\":\"%s\"}}";
            return """
                    {"actor":{"display_name":"Emma","nickname":"emma"},
                     "repository":{"full_name":"acme/deploy","links":{"html":{"href":"%s"}}},
                     "push":{"changes":[{"old":%s,"new":%s,"created":%s,"closed":%s}]}}
                    """
                    .formatted(
                            p.repository,
                            p.creates() ? "null" : side.formatted(kind, name, p.before),
                            p.deletes() ? "null" : side.formatted(kind, name, p.after),
                            p.creates(),
                            p.deletes());
        }

        @Override
        public Map<String, String> events(Push p) {
            return Map.of("X-Event-Key", "repo:push", "X-Request-UUID", p.delivery);
        }

        @Override
        public Map<String, String> authentication(String secret, String body) {
            return Map.of("X-Hub-Signature", "sha256=" + hex(secret, body));
        }

        @Override
        public Optional<Request> ping(String secret) {
            return Optional.of(request("{}", Map.of("X-Event-Key", "diagnostics:ping"), secret));
        }
    },
    BITBUCKET_SERVER("bitbucket-server") {
        @Override
        public String body(Push p) {
            return """
                    {"eventKey":"repo:refs_changed","date":"2026-11-25T09:58:11+0000",
                     "actor":{"name":"admin","displayName":"Administrator"},
                     "repository":{"slug":"deploy","project":{"key":"ACME"},
                       "links":{"clone":[{"href":"%s.git","name":"http"}]}},
                     "changes":[{"ref":{"id":"%s","type":"%s"},"refId":"%s","fromHash":"%s","toHash":"%s","type":"%s"}]}
                    """
                    .formatted(
                            p.repository,
                            p.ref,
                            p.tag() ? "TAG" : "BRANCH",
                            p.ref,
                            p.before,
                            p.after,
                            p.creates() ? "ADD" : p.deletes() ? "DELETE" : "UPDATE");
        }

        @Override
        public Map<String, String> events(Push p) {
            return Map.of("X-Event-Key", "repo:refs_changed", "X-Request-Id", p.delivery);
        }

        @Override
        public Map<String, String> authentication(String secret, String body) {
            return BITBUCKET.authentication(secret, body);
        }

        @Override
        public Optional<Request> ping(String secret) {
            return BITBUCKET.ping(secret);
        }
    },
    AZURE_DEVOPS("azure-devops") {
        @Override
        public String body(Push p) {
            return """
                    {"id":"%s","eventType":"git.push","publisherId":"tfs",
                     "resource":{"refUpdates":[{"name":"%s","oldObjectId":"%s","newObjectId":"%s"}],
                       "repository":{"name":"deploy","remoteUrl":"%s"},
                       "pushedBy":{"displayName":"Jamal Hartnett","uniqueName":"jamal@example.com"},"pushId":14}}
                    """
                    .formatted(p.delivery, p.ref, p.before, p.after, p.repository);
        }

        @Override
        public Map<String, String> authentication(String secret, String body) {
            return Map.of(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString(("driftless:" + secret).getBytes(StandardCharsets.UTF_8)));
        }
    },
    GENERIC("generic") {
        @Override
        public String body(Push p) {
            return """
                    {"repository":"%s","ref":"%s","before":"%s","after":"%s","pusher":"ci","deliveryId":"%s"}
                    """
                    .formatted(p.repository, p.ref, p.before, p.after, p.delivery);
        }

        @Override
        public Map<String, String> authentication(String secret, String body) {
            return Map.of("X-Signature", "sha256=" + hex(secret, body));
        }
    };

    /** Git's "no commit". */
    public static final String ZERO = "0".repeat(40);

    /** The path segment of {@code POST /hooks/{provider}}. */
    public final String provider;

    ProviderSample(String provider) {
        this.provider = provider;
    }

    /** The provider's push payload for one ref; GitHub's shape unless the provider has its own. */
    public String body(Push p) {
        return """
                {"ref":"%s","before":"%s","after":"%s",
                 "repository":{"name":"deploy","clone_url":"%s.git","html_url":"%s"},
                 "pusher":{"login":"gitea","username":"gitea"},
                 "commits":[]}
                """
                .formatted(p.ref, p.before, p.after, p.repository, p.repository);
    }

    /** The headers naming the event and delivery of a push (none where the body carries them). */
    public Map<String, String> events(Push p) {
        return Map.of();
    }

    /** The headers authenticating a body with the secret, as the provider computes them. */
    public abstract Map<String, String> authentication(String secret, String body);

    /** The provider's ping, where it sends one (others test a hook with a sample push). */
    public Optional<Request> ping(String secret) {
        return Optional.empty();
    }

    /** The provider's push of one ref, authenticated with the secret. */
    public Request push(Push push, String secret) {
        return request(body(push), events(push), secret);
    }

    /** A body with event headers, authenticated with the secret. */
    public Request request(String body, Map<String, String> events, String secret) {
        Map<String, String> headers = new LinkedHashMap<>(events);
        headers.putAll(authentication(secret, body));
        return new Request(body, headers);
    }

    /** One ref of a repository moving; forty zeros in {@code before} create it, in {@code after} delete it. */
    public record Push(String repository, String ref, String before, String after, String delivery) {
        boolean creates() {
            return before.equals(ZERO);
        }

        boolean deletes() {
            return after.equals(ZERO);
        }

        boolean tag() {
            return ref.startsWith("refs/tags/");
        }
    }

    /** A webhook request: body and headers. */
    public record Request(String body, Map<String, String> headers) {
        /** The same headers over another body (so a signature no longer matches it). */
        public Request withBody(String other) {
            return new Request(other, headers);
        }
    }

    /** Hex HMAC-SHA256 of the body under the secret. */
    public static String hex(String secret, String body) {
        return HexFormat.of()
                .formatHex(HmacSignature.hmacSha256(
                        secret.getBytes(StandardCharsets.UTF_8), body.getBytes(StandardCharsets.UTF_8)));
    }
}
