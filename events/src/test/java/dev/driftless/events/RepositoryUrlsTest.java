package dev.driftless.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RepositoryUrlsTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://github.com/acme/deploy",
                "https://github.com/acme/deploy.git",
                "https://GitHub.com/acme/deploy/",
                "https://token:x-oauth@github.com/acme/deploy.git",
                "git@github.com:acme/deploy.git",
                "ssh://git@github.com/acme/deploy.git",
                "ssh://git@github.com:22/acme/deploy",
                "https://github.com:443/acme/deploy"
            })
    void everyFormOfOneRepositoryNormalisesToTheSameUrl(String url) {
        assertThat(RepositoryUrls.normalise(url)).isEqualTo("https://github.com/acme/deploy");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8090/git/demo.git", "http://127.0.0.1:8090/git/demo"})
    void aLocalHttpServerKeepsItsSchemeAndPort(String url) {
        assertThat(RepositoryUrls.normalise(url)).isEqualTo("http://127.0.0.1:8090/git/demo");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "not a url", "/just/a/path"})
    void somethingThatIsNotARepositoryUrlIsRefused(String url) {
        assertThatThrownBy(() -> RepositoryUrls.normalise(url)).isInstanceOf(IllegalArgumentException.class);
    }
}
