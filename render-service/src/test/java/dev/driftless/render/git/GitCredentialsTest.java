package dev.driftless.render.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GitCredentialsTest {

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @CsvSource({
        "https://git.example.com, https://git.example.com/acme/x.git, true",
        "https://git.example.com/acme/, https://git.example.com/acme/x.git, true",
        "https://git.example.com, https://git.example.com:443/acme/x.git, true",
        "https://GIT.example.com, https://git.example.com/acme/x.git, true",
        "git@github.com, git@github.com:acme/x.git, true",
        "git@github.com:acme/, git@github.com:acme/x.git, true",
        "ssh://git@github.com/acme/, ssh://git@github.com/acme/x.git, true",
        "ssh://, ssh://git@git.example.com/acme/x.git, true",
        "ssh://, https://git.example.com/acme/x.git, false",
        "https://git.example.com/private/allowed-, https://git.example.com/private/allowed-x.git, true",
        "https://git.example.com, https://git.example.com:8443/acme/x.git, false",
        "https://git.example.com, http://git.example.com/acme/x.git, false",
        "https://git.example.com, https://git.example.com.evil.io/x.git, false",
        "https://git.example.com, https://git.example.com@evil.io/x.git, false",
        "https://git.example.com, https://git.example.com:x@evil.io/x.git, false",
        "https://git.example.com, https://user:token@git.example.com/acme/x.git, false",
        "https://git.example.com/acme, https://git.example.com/acme-evil/x.git, false",
        "https://git.example.com/acme/, https://git.example.com/acme/../evil/x.git, false",
        "https://git.example.com/acme/, https://git.example.com/acme/./x.git, false",
        "git@github.com:acme/, git@github.com:acme-evil/x.git, false",
        "git@github.com, deploy@github.com:acme/x.git, false",
        "git@github.com, git@github.com.evil.io:acme/x.git, false"
    })
    void aCredentialCoversItsHostAndPathButNeverAnotherHost(String prefix, String url, boolean covered) {
        assertThat(GitCredentials.covers(prefix, url)).isEqualTo(covered);
    }
}
