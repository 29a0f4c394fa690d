package dev.driftless.webhook.domain;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The providers webhook-service accepts hooks from, by name. */
public final class Providers {

    private static final Map<String, ProviderHook> BY_NAME = List.of(
                    new GithubHook(),
                    new GitlabHook(),
                    new GiteaHook(),
                    new GogsHook(),
                    new BitbucketHook(),
                    new BitbucketServerHook(),
                    new AzureDevOpsHook(),
                    new GenericHook())
            .stream()
            .collect(Collectors.toUnmodifiableMap(ProviderHook::name, Function.identity()));

    private Providers() {}

    /** The provider with this name, if there is one. */
    public static Optional<ProviderHook> named(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** Every provider's name. */
    public static List<String> names() {
        return BY_NAME.keySet().stream().sorted().toList();
    }
}
