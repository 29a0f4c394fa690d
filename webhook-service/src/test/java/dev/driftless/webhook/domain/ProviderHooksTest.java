package dev.driftless.webhook.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.events.CommitPushed;
import dev.driftless.webhook.Signing;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each provider's authentication and push payload, in the shapes the providers document. */
class ProviderHooksTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    static final String BEFORE = "95790bf891e76fee5e1747ab589903a6a1f80f22";
    static final String AFTER = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7";

    static HookRequest request(Map<String, String> headers, String body) {
        return new HookRequest(headers, body.getBytes(StandardCharsets.UTF_8), NOW);
    }

    static String hex(String body) {
        return HexFormat.of()
                .formatHex(HmacSignature.hmacSha256(
                        Signing.SECRET.getBytes(StandardCharsets.UTF_8), body.getBytes(StandardCharsets.UTF_8)));
    }

    static CommitPushed push(ProviderHook hook, HookRequest request) {
        hook.verify(request, Signing.SECRET);
        HookEvent event = hook.parse(request, JSON);
        assertThat(event).isInstanceOf(HookEvent.Push.class);
        return ((HookEvent.Push) event).commit();
    }

    // GitLab's "Push events" payload (abridged from its webhook documentation)
    static final String GITLAB_PUSH =
            """
            {"object_kind":"push","event_name":"push","before":"%s","after":"%s","ref":"refs/heads/master",
             "checkout_sha":"%s","user_id":4,"user_name":"John Smith","user_username":"jsmith",
             "project_id":15,"project":{"id":15,"name":"Diaspora","web_url":"http://example.com/mike/diaspora",
               "git_ssh_url":"git@example.com:mike/diaspora.git","git_http_url":"http://example.com/mike/diaspora.git",
               "path_with_namespace":"mike/diaspora","default_branch":"master"},
             "commits":[{"id":"%s","message":"fixed readme","added":["CHANGELOG"],"modified":["app/controller/application.rb"],"removed":[]}],
             "total_commits_count":1}
            """
                    .formatted(BEFORE, AFTER, AFTER, AFTER);

    @Test
    void gitlabChecksItsTokenAndReadsTheProjectAndPusher() {
        CommitPushed push = push(
                Providers.named("gitlab").orElseThrow(),
                request(
                        Map.of(
                                "X-Gitlab-Token",
                                Signing.SECRET,
                                "X-Gitlab-Event",
                                "Push Hook",
                                "X-Gitlab-Event-UUID",
                                "13792a34-cac6-4fda-95a8-c58e00a3954e"),
                        GITLAB_PUSH));

        assertThat(push.repository()).isEqualTo("http://example.com/mike/diaspora");
        assertThat(push.ref()).isEqualTo("refs/heads/master");
        assertThat(push.before()).isEqualTo(BEFORE);
        assertThat(push.after()).isEqualTo(AFTER);
        assertThat(push.pusher()).isEqualTo("jsmith");
        assertThat(push.provider()).isEqualTo("gitlab");
        assertThat(push.deliveryId()).isEqualTo("13792a34-cac6-4fda-95a8-c58e00a3954e");
        assertThat(push.changedPaths()).containsExactly("CHANGELOG", "app/controller/application.rb");
    }

    @Test
    void gitlabRefusesAWrongOrMissingTokenAndIgnoresOtherEvents() {
        ProviderHook gitlab = Providers.named("gitlab").orElseThrow();
        assertThatThrownBy(() -> gitlab.verify(request(Map.of("X-Gitlab-Token", "guess"), "{}"), Signing.SECRET))
                .isInstanceOfSatisfying(
                        WebhookRejected.class, e -> assertThat(e.reason()).isEqualTo(Reason.SignatureInvalid));
        assertThatThrownBy(() -> gitlab.verify(request(Map.of(), "{}"), Signing.SECRET))
                .hasMessageContaining("X-Gitlab-Token");
        assertThat(gitlab.parse(request(Map.of("X-Gitlab-Event", "Merge Request Hook"), "{}"), JSON))
                .isEqualTo(new HookEvent.Ignored("Merge Request Hook"));
    }

    @Test
    void aGitlabPushWithoutADeliveryIdGetsOneDerivedFromThePush() {
        CommitPushed push = push(
                Providers.named("gitlab").orElseThrow(),
                request(
                        Map.of("X-Gitlab-Token", Signing.SECRET, "X-Gitlab-Event", "Tag Push Hook"),
                        GITLAB_PUSH.replace("refs/heads/master", "refs/tags/v1.0.0")));

        assertThat(push.ref()).isEqualTo("refs/tags/v1.0.0");
        assertThat(push.deliveryId()).isEqualTo("derived:http://example.com/mike/diaspora@refs/tags/v1.0.0@" + AFTER);
    }

    // Gitea's push payload (abridged from its webhook documentation); Forgejo and Gogs send the same shape
    static final String GITEA_PUSH =
            """
            {"secret":"","ref":"refs/heads/develop","before":"%s","after":"%s",
             "compare_url":"http://localhost:3000/gitea/webhooks/compare/28e1879d029cb852e4844d9c718537df08844e03...bffeb74224043ba2feb48d137756c8a9331c449a",
             "commits":[{"id":"%s","message":"Webhooks Yay!","url":"http://localhost:3000/gitea/webhooks/commit/x",
                         "added":["docs/a.md"],"removed":[],"modified":["README.md"]}],
             "repository":{"id":140,"name":"webhooks","full_name":"gitea/webhooks","html_url":"http://localhost:3000/gitea/webhooks",
                           "ssh_url":"ssh://gitea@localhost:2222/gitea/webhooks.git","clone_url":"http://localhost:3000/gitea/webhooks.git"},
             "pusher":{"id":1,"login":"gitea","full_name":"Gitea","username":"gitea"},
             "sender":{"id":1,"login":"gitea","username":"gitea"}}
            """
                    .formatted(BEFORE, AFTER, AFTER);

    @ParameterizedTest
    @ValueSource(strings = {"X-Gitea-Signature", "X-Forgejo-Signature"})
    void giteaAndForgejoCheckTheirHexSignature(String header) {
        CommitPushed push = push(
                Providers.named("gitea").orElseThrow(),
                request(
                        Map.of(
                                header,
                                hex(GITEA_PUSH),
                                "X-Gitea-Event",
                                "push",
                                "X-Gitea-Delivery",
                                "f6266f16-1bf3-46a5-9ea4-602e06ead473"),
                        GITEA_PUSH));

        assertThat(push.repository()).isEqualTo("http://localhost:3000/gitea/webhooks");
        assertThat(push.ref()).isEqualTo("refs/heads/develop");
        assertThat(push.pusher()).isEqualTo("gitea");
        assertThat(push.provider()).isEqualTo("gitea");
        assertThat(push.deliveryId()).isEqualTo("f6266f16-1bf3-46a5-9ea4-602e06ead473");
        assertThat(push.changedPaths()).containsExactly("docs/a.md", "README.md");
    }

    @Test
    void gogsChecksItsOwnHeader() {
        ProviderHook gogs = Providers.named("gogs").orElseThrow();
        CommitPushed push = push(
                gogs,
                request(
                        Map.of("X-Gogs-Signature", hex(GITEA_PUSH), "X-Gogs-Event", "push", "X-Gogs-Delivery", "d1"),
                        GITEA_PUSH));

        assertThat(push.provider()).isEqualTo("gogs");
        assertThatThrownBy(() ->
                        gogs.verify(request(Map.of("X-Gitea-Signature", hex(GITEA_PUSH)), GITEA_PUSH), Signing.SECRET))
                .hasMessageContaining("X-Gogs-Signature");
    }

    @Test
    void aSignatureOverAnotherBodyIsRefusedForEveryHmacProvider() {
        for (String provider : new String[] {"gitea", "gogs"}) {
            String header = provider.equals("gitea") ? "X-Gitea-Signature" : "X-Gogs-Signature";
            assertThatThrownBy(() -> Providers.named(provider)
                            .orElseThrow()
                            .verify(request(Map.of(header, hex("{}")), GITEA_PUSH), Signing.SECRET))
                    .isInstanceOf(WebhookRejected.class)
                    .hasMessageContaining("does not match");
        }
    }

    @Test
    void githubStillReadsItsPushAndPing() {
        String body = Signing.push("https://GitHub.com/acme/deploy.git", "b".repeat(40));
        ProviderHook github = Providers.named("github").orElseThrow();
        CommitPushed push = push(
                github,
                request(
                        Map.of(
                                "X-Hub-Signature-256",
                                Signing.sign(body),
                                "X-GitHub-Event",
                                "push",
                                "X-GitHub-Delivery",
                                "delivery-1"),
                        body));

        assertThat(push.repository()).isEqualTo("https://github.com/acme/deploy");
        assertThat(push.pusher()).isEqualTo("alice");
        assertThat(push.changedPaths()).containsExactly("apps/demo/new.yaml", "apps/demo/cm.yaml");
        assertThat(github.parse(request(Map.of("X-GitHub-Event", "ping"), "{}"), JSON))
                .isInstanceOf(HookEvent.Ping.class);
        assertThatCode(() ->
                        github.verify(request(Map.of("x-hub-signature-256", Signing.sign(body)), body), Signing.SECRET))
                .as("header names are case-insensitive")
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{not json",
                "[]",
                "{}",
                "{\"ref\":\"main\",\"before\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"after\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}",
                "{\"ref\":\"refs/heads/main\",\"before\":\"x\",\"after\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}",
                "{\"ref\":\"refs/heads/main\",\"before\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"after\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\"repository\":{}}",
                "{\"ref\":42}"
            })
    void aBodyThatIsNotAPushIsMalformedForEveryProvider(String body) {
        Map<String, Map<String, String>> pushHeaders = Map.of(
                "github", Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery", "d"),
                "gitlab", Map.of("X-Gitlab-Event", "Push Hook"),
                "gitea", Map.of("X-Gitea-Event", "push"),
                "gogs", Map.of("X-Gogs-Event", "push"));
        pushHeaders.forEach((provider, headers) -> assertThatThrownBy(
                        () -> Providers.named(provider).orElseThrow().parse(request(headers, body), JSON))
                .as(provider)
                .isInstanceOfSatisfying(
                        WebhookRejected.class, e -> assertThat(e.reason()).isEqualTo(Reason.PayloadMalformed)));
    }
}
