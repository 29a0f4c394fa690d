package dev.driftless.render.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GitCredentialsTest {

    @Test
    void aCredentialCoversItsHostAndPathButNeverAnotherHost() {
        assertThat(GitCredentials.covers("https://git.example.com", "https://git.example.com/acme/x.git"))
                .isTrue();
        assertThat(GitCredentials.covers("https://git.example.com/acme/", "https://git.example.com/acme/x.git"))
                .isTrue();
        assertThat(GitCredentials.covers("https://git.example.com", "https://git.example.com:8443/acme/x.git"))
                .isTrue();
        assertThat(GitCredentials.covers("git@github.com", "git@github.com:acme/x.git"))
                .isTrue();
        assertThat(GitCredentials.covers("https://git.example.com", "https://git.example.com.evil.io/x.git"))
                .isFalse();
        assertThat(GitCredentials.covers("https://git.example.com", "https://git.example.com@evil.io/x.git"))
                .isFalse();
        assertThat(GitCredentials.covers("https://git.example.com/acme", "https://git.example.com/acme-evil/x.git"))
                .isFalse();
    }
}
