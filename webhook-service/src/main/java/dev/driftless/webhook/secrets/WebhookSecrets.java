package dev.driftless.webhook.secrets;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.driftless.webhook.WebhookConfig;
import dev.driftless.webhook.domain.RepositoryPattern;
import dev.driftless.webhook.domain.RepositorySecret;
import dev.driftless.webhook.domain.SecretPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The current {@link SecretPolicy}: built from configuration and, when {@code driftless.webhook.secrets-file} is set,
 * from that file, which is re-read whenever its content changes (a rotated Kubernetes Secret takes effect within
 * {@code secrets-file-check}, no restart). A file that cannot be read or is invalid at startup stops the service with
 * the reason; later, the last good policy stays in force and the failure is logged and counted. Secret values are
 * never logged.
 */
@Startup
@ApplicationScoped
public class WebhookSecrets {

    private static final Logger LOG = Logger.getLogger(WebhookSecrets.class);
    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    @Inject
    WebhookConfig config;

    @Inject
    MeterRegistry metrics;

    private final AtomicReference<SecretPolicy> policy = new AtomicReference<>();
    private volatile byte[] fileContent;

    /** The shape of the secrets file: the configuration's own keys. */
    record SecretsFile(
            String secret,
            @JsonProperty("provider-secrets") Map<String, String> providerSecrets,
            @JsonProperty("repository-secrets") Map<String, Rule> repositorySecrets) {}

    /** One repository rule in the secrets file. */
    record Rule(List<String> repositories, String provider, String secret, Boolean unsigned) {}

    @PostConstruct
    void load() {
        byte[] content = config.secretsFile().map(WebhookSecrets::read).orElse(null);
        policy.set(build(content));
        fileContent = content;
        config.secretsFile()
                .ifPresent(file -> LOG.infof(
                        "webhook secrets: %d repository rules, reading %s every %s",
                        policy.get().repositoryRules(), file, config.secretsFileCheck()));
    }

    /** The policy requests are checked against now. */
    public SecretPolicy policy() {
        return policy.get();
    }

    /** Re-reads the secrets file and swaps the policy when its content changed. */
    @Scheduled(
            every = "${driftless.webhook.secrets-file-check:5s}",
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void reload() {
        Optional<Path> file = config.secretsFile();
        if (file.isEmpty()) {
            return;
        }
        try {
            byte[] content = read(file.get());
            if (Arrays.equals(content, fileContent)) {
                return;
            }
            SecretPolicy next = build(content);
            policy.set(next);
            fileContent = content;
            metrics.counter("driftless.webhook.secrets.reloads", "outcome", "reloaded")
                    .increment();
            LOG.infof("webhook secrets reloaded from %s: %d repository rules", file.get(), next.repositoryRules());
        } catch (RuntimeException e) {
            metrics.counter("driftless.webhook.secrets.reloads", "outcome", "failed")
                    .increment();
            LOG.warnf("webhook secrets: keeping the last good ones; %s", e.getMessage());
        }
    }

    private SecretPolicy build(byte[] fileContent) {
        Optional<String> secret = config.secret();
        Map<String, String> providerSecrets = new HashMap<>(config.providerSecrets());
        Map<String, RepositorySecret> rules = new LinkedHashMap<>();
        config.repositorySecrets().forEach((name, rule) -> rules.put(name, rule(name, rule)));
        if (fileContent != null) {
            SecretsFile file = parse(fileContent);
            if (file.secret() != null && !file.secret().isEmpty()) {
                secret = Optional.of(file.secret());
            }
            if (file.providerSecrets() != null) {
                providerSecrets.putAll(file.providerSecrets());
            }
            if (file.repositorySecrets() != null) {
                file.repositorySecrets().forEach((name, rule) -> rules.put(name, rule(name, rule)));
            }
        }
        return new SecretPolicy(secret, providerSecrets, new ArrayList<>(rules.values()));
    }

    private RepositorySecret rule(String name, WebhookConfig.RepositorySecretConfig rule) {
        return repositorySecret(name, rule.repositories(), rule.provider(), rule.secret(), rule.unsigned());
    }

    private RepositorySecret rule(String name, Rule rule) {
        if (rule == null) {
            throw new IllegalArgumentException("repository secret " + name + " is empty");
        }
        return repositorySecret(
                name,
                rule.repositories() == null ? List.of() : rule.repositories(),
                Optional.ofNullable(rule.provider()),
                Optional.ofNullable(rule.secret()),
                Boolean.TRUE.equals(rule.unsigned()));
    }

    private static RepositorySecret repositorySecret(
            String name,
            List<String> repositories,
            Optional<String> provider,
            Optional<String> secret,
            boolean unsigned) {
        return new RepositorySecret(
                name, repositories.stream().map(RepositoryPattern::new).toList(), provider, secret, unsigned);
    }

    private static SecretsFile parse(byte[] content) {
        try {
            SecretsFile file = YAML.readValue(content, SecretsFile.class);
            return file == null ? new SecretsFile(null, null, null) : file;
        } catch (IOException e) {
            // Jackson's message may quote the offending line, which may hold a secret: name only where it failed
            String where = e instanceof com.fasterxml.jackson.core.JsonProcessingException p && p.getLocation() != null
                    ? " at line " + p.getLocation().getLineNr()
                    : "";
            throw new IllegalArgumentException("the webhook secrets file is not valid" + where);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the webhook secrets file " + file + ": " + e, e);
        }
    }
}
