package dev.driftless.webhook.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.events.CommitPushed;
import dev.driftless.webhook.ProviderSample;
import dev.driftless.webhook.ProviderSample.Push;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Per-repository secrets: the most specific rule decides which secret a repository's hooks must carry. */
class SecretPolicyTest {

    static final String ACME = "https://github.com/acme/deploy";
    static final String OTHER = "https://github.com/other/deploy";
    static final String LEGACY = "https://git.internal/legacy";

    static final SecretPolicy POLICY = new SecretPolicy(
            Optional.of("default-secret"),
            Map.of("gitlab", "gitlab-secret"),
            List.of(
                    rule("acme", "https://github.com/acme/*", null, "acme-secret"),
                    rule("acme-deploy", ACME, null, "deploy-secret"),
                    rule("acme-gitea", "https://github.com/acme/*", "gitea", "acme-gitea-secret"),
                    new RepositorySecret(
                            "legacy",
                            List.of(new RepositoryPattern(LEGACY)),
                            Optional.empty(),
                            Optional.empty(),
                            true)));

    static RepositorySecret rule(String name, String pattern, String provider, String secret) {
        return new RepositorySecret(
                name,
                List.of(new RepositoryPattern(pattern)),
                Optional.ofNullable(provider),
                Optional.of(secret),
                false);
    }

    static List<CommitPushed> accept(ProviderSample sample, String repository, String secret) {
        ProviderSample.Request request =
                sample.push(new Push(repository, "refs/heads/main", "a".repeat(40), "b".repeat(40), "d-1"), secret);
        HookRequest hook =
                new HookRequest(request.headers(), request.body().getBytes(StandardCharsets.UTF_8), Instant.now());
        ProviderHook provider = Providers.named(sample.provider).orElseThrow();
        SecretPolicy.Authentication authentication = POLICY.authenticate(provider, hook);
        HookEvent.Push push = (HookEvent.Push) provider.parse(hook, new ObjectMapper());
        return POLICY.authorize(sample.provider, authentication, push.commits());
    }

    static Reason refusal(ProviderSample sample, String repository, String secret) {
        try {
            accept(sample, repository, secret);
        } catch (WebhookRejected e) {
            return e.reason();
        }
        throw new AssertionError("accepted " + repository + " signed with " + secret);
    }

    @Test
    void anExactUrlBeatsAGlobAndAProviderRuleBeatsAnAnyProviderOne() {
        assertThat(accept(ProviderSample.GITHUB, ACME, "deploy-secret"))
                .singleElement()
                .satisfies(p -> assertThat(p.verified()).isTrue());
        assertThat(accept(ProviderSample.GITHUB, "https://github.com/acme/site", "acme-secret"))
                .hasSize(1);
        assertThat(accept(ProviderSample.GITEA, "https://github.com/acme/site", "acme-gitea-secret"))
                .hasSize(1);
        assertThat(refusal(ProviderSample.GITEA, "https://github.com/acme/site", "acme-secret"))
                .isEqualTo(Reason.SignatureInvalid);
    }

    @Test
    void aRepositoryWithItsOwnSecretRefusesTheDefaultAndAnotherRepositorysSecret() {
        assertThat(refusal(ProviderSample.GITHUB, ACME, "default-secret")).isEqualTo(Reason.SignatureInvalid);
        assertThat(refusal(ProviderSample.GITHUB, ACME, "acme-secret")).isEqualTo(Reason.SignatureInvalid);
        assertThat(refusal(ProviderSample.GITHUB, OTHER, "acme-secret")).isEqualTo(Reason.SignatureInvalid);
    }

    @Test
    void repositoriesWithoutARuleTakeTheProviderSecretThenTheDefault() {
        assertThat(accept(ProviderSample.GITHUB, OTHER, "default-secret")).hasSize(1);
        assertThat(accept(ProviderSample.GITLAB, OTHER, "gitlab-secret")).hasSize(1);
        assertThat(refusal(ProviderSample.GITLAB, OTHER, "default-secret")).isEqualTo(Reason.SignatureInvalid);
    }

    @Test
    void anUnsignedRepositoryIsAcceptedUnverifiedAndOnlyIt() {
        ProviderSample.Request unsigned = ProviderSample.GITHUB.push(
                new Push(LEGACY, "refs/heads/main", "a".repeat(40), "b".repeat(40), "d-2"), "x");
        HookRequest request = new HookRequest(
                Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery", "d-2"),
                unsigned.body().getBytes(StandardCharsets.UTF_8),
                Instant.now());
        ProviderHook github = Providers.named("github").orElseThrow();

        SecretPolicy.Authentication authentication = POLICY.authenticate(github, request);
        List<CommitPushed> pushes = POLICY.authorize(
                "github", authentication, ((HookEvent.Push) github.parse(request, new ObjectMapper())).commits());

        assertThat(authentication.secret()).isEmpty();
        assertThat(pushes).singleElement().satisfies(p -> assertThat(p.verified())
                .isFalse());
        CommitPushed forgedForAcme = new CommitPushed(
                ACME, "refs/heads/main", "a".repeat(40), "b".repeat(40), "u", "github", "d", null, Instant.now(), true);
        assertThatThrownBy(() -> POLICY.authorize("github", authentication, List.of(forgedForAcme)))
                .isInstanceOfSatisfying(
                        WebhookRejected.class, e -> assertThat(e.reason()).isEqualTo(Reason.SignatureInvalid));
    }

    @Test
    void withNoSecretAnywhereEverythingIsRefusedAsNotConfigured() {
        SecretPolicy none = new SecretPolicy(Optional.empty(), Map.of(), List.of());
        HookRequest request = new HookRequest(Map.of(), new byte[0], Instant.now());
        assertThatThrownBy(() -> none.authenticate(Providers.named("github").orElseThrow(), request))
                .isInstanceOfSatisfying(
                        WebhookRejected.class, e -> assertThat(e.reason()).isEqualTo(Reason.SecretNotConfigured));
    }

    @Test
    void aRuleMustNameRepositoriesAndHaveASecretUnlessUnsigned() {
        assertThatThrownBy(() -> new RepositorySecret("r", List.of(), Optional.empty(), Optional.of("s"), false))
                .hasMessageContaining("names no repositories");
        assertThatThrownBy(() -> new RepositorySecret(
                        "r", List.of(new RepositoryPattern(ACME)), Optional.empty(), Optional.empty(), false))
                .hasMessageContaining("has no secret");
        assertThatThrownBy(() -> new RepositorySecret(
                        "r", List.of(new RepositoryPattern(ACME)), Optional.empty(), Optional.of("s"), true))
                .hasMessageContaining("unsigned but has a secret");
    }
}
