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
        return ((HookEvent.Push) event).commits().get(0);
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
        // provider -> its signature header, and whether the hex digest carries a "sha256=" prefix
        Map<String, Map.Entry<String, Boolean>> hmac = Map.of(
                "github", Map.entry("X-Hub-Signature-256", true),
                "bitbucket", Map.entry("X-Hub-Signature", true),
                "bitbucket-server", Map.entry("X-Hub-Signature", true),
                "generic", Map.entry("X-Signature", true),
                "gitea", Map.entry("X-Gitea-Signature", false),
                "gogs", Map.entry("X-Gogs-Signature", false));
        assertThat(hmac.keySet())
                .as("every provider but GitLab (token) and Azure DevOps (basic auth) signs with HMAC")
                .containsExactlyInAnyOrderElementsOf(Providers.names().stream()
                        .filter(p -> !p.equals("gitlab") && !p.equals("azure-devops"))
                        .toList());
        hmac.forEach((provider, signature) -> {
            ProviderHook hook = Providers.named(provider).orElseThrow();
            String prefix = signature.getValue() ? "sha256=" : "";
            String header = signature.getKey();
            assertThatThrownBy(
                            () -> hook.verify(request(Map.of(header, prefix + hex("{}")), GITEA_PUSH), Signing.SECRET))
                    .as(provider)
                    .isInstanceOf(WebhookRejected.class)
                    .hasMessageContaining("does not match");
            // the same header over the body sent is accepted: the refusal above is about the body, not the format
            hook.verify(request(Map.of(header, prefix + hex(GITEA_PUSH)), GITEA_PUSH), Signing.SECRET);
        });
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
                "gogs", Map.of("X-Gogs-Event", "push"),
                "bitbucket", Map.of("X-Event-Key", "repo:push", "X-Request-UUID", "d"),
                "bitbucket-server", Map.of("X-Event-Key", "repo:refs_changed", "X-Request-Id", "d"),
                "azure-devops", Map.of(), // the event type is in the body
                "generic", Map.of());
        assertThat(pushHeaders.keySet()).as("every provider").containsExactlyInAnyOrderElementsOf(Providers.names());
        pushHeaders.forEach((provider, headers) -> assertThatThrownBy(
                        () -> Providers.named(provider).orElseThrow().parse(request(headers, body), JSON))
                .as(provider)
                .isInstanceOfSatisfying(
                        WebhookRejected.class, e -> assertThat(e.reason()).isEqualTo(Reason.PayloadMalformed)));
    }

    // Bitbucket Cloud's repo:push payload (abridged from its event payload documentation)
    static final String BITBUCKET_PUSH =
            """
            {"actor":{"display_name":"Emma","nickname":"emma"},
             "repository":{"full_name":"team/deploy","links":{"html":{"href":"https://bitbucket.org/team/deploy"}}},
             "push":{"changes":[
               {"old":{"type":"branch","name":"main","target":{"hash":"%s"}},
                "new":{"type":"branch","name":"main","target":{"hash":"%s"}},"created":false,"closed":false},
               {"old":null,"new":{"type":"tag","name":"v1.0.0","target":{"hash":"%s"}},"created":true,"closed":false},
               {"old":{"type":"branch","name":"old-feature","target":{"hash":"%s"}},"new":null,"created":false,"closed":true}]}}
            """
                    .formatted(BEFORE, AFTER, AFTER, BEFORE);

    @Test
    void bitbucketCloudReportsEachChangedRefIncludingCreatedTagsAndDeletedBranches() {
        ProviderHook bitbucket = Providers.named("bitbucket").orElseThrow();
        HookRequest request = request(
                Map.of(
                        "X-Hub-Signature",
                        "sha256=" + hex(BITBUCKET_PUSH),
                        "X-Event-Key",
                        "repo:push",
                        "X-Request-UUID",
                        "a1b2"),
                BITBUCKET_PUSH);
        bitbucket.verify(request, Signing.SECRET);

        HookEvent.Push push = (HookEvent.Push) bitbucket.parse(request, JSON);

        assertThat(push.commits())
                .extracting(CommitPushed::ref)
                .containsExactly("refs/heads/main", "refs/tags/v1.0.0", "refs/heads/old-feature");
        assertThat(push.commits().get(0).repository()).isEqualTo("https://bitbucket.org/team/deploy");
        assertThat(push.commits().get(0).pusher()).isEqualTo("emma");
        assertThat(push.commits().get(1).before()).isEqualTo(CommitPushed.ZERO_SHA);
        assertThat(push.commits().get(2).deletesRef()).isTrue();
        assertThat(bitbucket.parse(request(Map.of("X-Event-Key", "diagnostics:ping"), "{}"), JSON))
                .isInstanceOf(HookEvent.Ping.class);
    }

    // Bitbucket Server's repo:refs_changed payload (abridged from its event payload documentation)
    static final String BITBUCKET_SERVER_PUSH =
            """
            {"eventKey":"repo:refs_changed","date":"2017-09-19T09:58:11+1000","actor":{"name":"admin","displayName":"Administrator"},
             "repository":{"slug":"repository","project":{"key":"PROJ"},
               "links":{"clone":[{"href":"ssh://git@bitbucket.example.com:7999/proj/repository.git","name":"ssh"},
                                 {"href":"https://bitbucket.example.com/scm/proj/repository.git","name":"http"}]}},
             "changes":[{"ref":{"id":"refs/heads/master","displayId":"master","type":"BRANCH"},"refId":"refs/heads/master",
                         "fromHash":"%s","toHash":"%s","type":"UPDATE"}]}
            """
                    .formatted(BEFORE, AFTER);

    @Test
    void bitbucketServerReadsRefsChangedAndPrefersTheHttpCloneUrl() {
        CommitPushed push = push(
                Providers.named("bitbucket-server").orElseThrow(),
                request(
                        Map.of(
                                "X-Hub-Signature",
                                "sha256=" + hex(BITBUCKET_SERVER_PUSH),
                                "X-Event-Key",
                                "repo:refs_changed",
                                "X-Request-Id",
                                "r-1"),
                        BITBUCKET_SERVER_PUSH));

        assertThat(push.repository()).isEqualTo("https://bitbucket.example.com/scm/proj/repository");
        assertThat(push.ref()).isEqualTo("refs/heads/master");
        assertThat(push.pusher()).isEqualTo("admin");
        assertThat(push.deliveryId()).isEqualTo("r-1");
    }

    // Azure DevOps' git.push service hook payload (abridged from its events documentation)
    static final String AZURE_PUSH =
            """
            {"id":"03c164c2-8912-4d5e-8009-3707d5f83734","eventType":"git.push","publisherId":"tfs",
             "resource":{"refUpdates":[{"name":"refs/heads/master","oldObjectId":"%s","newObjectId":"%s"}],
               "repository":{"name":"Fabrikam-Fiber-Git",
                 "remoteUrl":"https://dev.azure.com/fabrikam-fiber-inc/DefaultCollection/_git/Fabrikam-Fiber-Git"},
               "pushedBy":{"displayName":"Jamal Hartnett","uniqueName":"fabrikamfiber4@hotmail.com"},"pushId":14}}
            """
                    .formatted(BEFORE, AFTER);

    @Test
    void azureDevOpsChecksBasicCredentialsAndReadsRefUpdates() {
        ProviderHook azure = Providers.named("azure-devops").orElseThrow();
        String basic = "Basic "
                + java.util.Base64.getEncoder()
                        .encodeToString(("driftless:" + Signing.SECRET).getBytes(StandardCharsets.UTF_8));

        CommitPushed push = push(azure, request(Map.of("Authorization", basic), AZURE_PUSH));

        assertThat(push.repository())
                .isEqualTo("https://dev.azure.com/fabrikam-fiber-inc/DefaultCollection/_git/Fabrikam-Fiber-Git");
        assertThat(push.pusher()).isEqualTo("fabrikamfiber4@hotmail.com");
        assertThat(push.deliveryId()).isEqualTo("03c164c2-8912-4d5e-8009-3707d5f83734");
        String wrong = "Basic "
                + java.util.Base64.getEncoder().encodeToString("driftless:guess".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> azure.verify(request(Map.of("Authorization", wrong), AZURE_PUSH), Signing.SECRET))
                .isInstanceOf(WebhookRejected.class);
        assertThatThrownBy(() -> azure.verify(request(Map.of(), AZURE_PUSH), Signing.SECRET))
                .isInstanceOf(WebhookRejected.class);
    }

    @Test
    void theGenericHookTakesItsSmallDocumentedShape() {
        String body =
                """
                {"repository":"git@git.example.com:team/deploy.git","ref":"refs/heads/main","before":"%s","after":"%s",
                 "pusher":"ci","changedPaths":["apps/a/x.yaml"]}
                """
                        .formatted(BEFORE, AFTER);

        CommitPushed push = push(
                Providers.named("generic").orElseThrow(), request(Map.of("X-Signature", "sha256=" + hex(body)), body));

        assertThat(push.repository()).isEqualTo("https://git.example.com/team/deploy");
        assertThat(push.changedPaths()).containsExactly("apps/a/x.yaml");
        assertThat(push.deliveryId()).startsWith("derived:");
    }

    static Map<String, String> signedByGitlab(String key, String body, Instant at) {
        String id = "msg_2mZ1";
        String signed = id + "." + at.getEpochSecond() + "." + body;
        String signature = java.util.Base64.getEncoder()
                .encodeToString(HmacSignature.hmacSha256(
                        key.getBytes(StandardCharsets.UTF_8), signed.getBytes(StandardCharsets.UTF_8)));
        return Map.of(
                "X-Gitlab-Event",
                "Push Hook",
                "webhook-id",
                id,
                "webhook-timestamp",
                Long.toString(at.getEpochSecond()),
                "webhook-signature",
                "v1,bm90IHRoaXMgb25l v1," + signature);
    }

    @Test
    void gitlabsSigningTokenIsCheckedOverIdTimestampAndBodyWithinATolerance() {
        ProviderHook gitlab = Providers.named("gitlab").orElseThrow();
        HookRequest signed = request(signedByGitlab(Signing.SECRET, GITLAB_PUSH, NOW.minusSeconds(60)), GITLAB_PUSH);

        CommitPushed push = push(gitlab, signed);

        assertThat(push.deliveryId()).isEqualTo("msg_2mZ1");
        assertThatThrownBy(() -> gitlab.verify(
                        request(signedByGitlab(Signing.SECRET, GITLAB_PUSH, NOW.minusSeconds(600)), GITLAB_PUSH),
                        Signing.SECRET))
                .as("a captured request replayed ten minutes later")
                .hasMessageContaining("tolerance");
        assertThatThrownBy(() ->
                        gitlab.verify(request(signedByGitlab("guess", GITLAB_PUSH, NOW), GITLAB_PUSH), Signing.SECRET))
                .hasMessageContaining("webhook-signature does not match");
        assertThatThrownBy(() -> gitlab.verify(
                        request(
                                signedByGitlab(Signing.SECRET, GITLAB_PUSH, NOW),
                                GITLAB_PUSH.replace("master", "evil")),
                        Signing.SECRET))
                .isInstanceOf(WebhookRejected.class);
    }

    @Test
    void aGitlabRequestWithBothTokenAndSignatureNeedsBothRightAndAWhsecKeyIsDecoded() {
        ProviderHook gitlab = Providers.named("gitlab").orElseThrow();
        Map<String, String> both = new java.util.HashMap<>(signedByGitlab(Signing.SECRET, GITLAB_PUSH, NOW));
        both.put("X-Gitlab-Token", "guess");
        assertThatThrownBy(() -> gitlab.verify(request(both, GITLAB_PUSH), Signing.SECRET))
                .hasMessageContaining("X-Gitlab-Token");

        String key =
                "whsec_" + java.util.Base64.getEncoder().encodeToString("raw-key".getBytes(StandardCharsets.UTF_8));
        assertThatCode(() -> gitlab.verify(request(signedByGitlab("raw-key", GITLAB_PUSH, NOW), GITLAB_PUSH), key))
                .doesNotThrowAnyException();
    }
}
