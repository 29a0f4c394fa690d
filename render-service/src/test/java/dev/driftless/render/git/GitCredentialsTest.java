package dev.driftless.render.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GitCredentialsTest {

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @CsvSource({
        "https://git.example.com, https://git.example.com/acme/x.git, true",
        "https://git.example.com/acme/, https://git.example.com/acme/x.git, true",
        "https://git.example.com, https://git.example.com:8443/acme/x.git, true",
        "git@github.com, git@github.com:acme/x.git, true",
        "https://git.example.com, https://git.example.com.evil.io/x.git, false",
        "https://git.example.com, https://git.example.com@evil.io/x.git, false",
        "https://git.example.com/acme, https://git.example.com/acme-evil/x.git, false"
    })
    void aCredentialCoversItsHostAndPathButNeverAnotherHost(String prefix, String url, boolean covered) {
        assertThat(GitCredentials.covers(prefix, url)).isEqualTo(covered);
    }
}
