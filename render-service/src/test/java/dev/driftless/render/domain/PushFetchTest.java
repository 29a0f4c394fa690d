package dev.driftless.render.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PushFetchTest {

    static final String MAIN = "refs/heads/main";

    @Test
    void aPushAnEarlierFetchBroughtSharesIt() {
        // c1 → c2 was pushed, and a fetch since brought c3 on top of it
        assertThat(PushFetch.alreadyFetched(MAIN, "c1", "c2", "c3", true)).isTrue();
        assertThat(PushFetch.alreadyFetched(MAIN, "c1", "c2", "c2", false)).isTrue();
    }

    @Test
    void aPushTheMirrorDoesNotHaveYetFetches() {
        assertThat(PushFetch.alreadyFetched(MAIN, "c1", "c2", "c1", false)).isFalse();
        assertThat(PushFetch.alreadyFetched(MAIN, "c1", "c2", null, false)).isFalse();
        assertThat(PushFetch.alreadyFetched(MAIN, "c1", "c2", "x9", false))
                .as("the mirror's ref went elsewhere (a force push since)")
                .isFalse();
    }

    @Test
    void aPushThatMovedTheBranchBackAlwaysFetches() {
        // c3 → c1 by force: the mirror at c3 has c1 in its history, but it is from before this push
        assertThat(PushFetch.alreadyFetched(MAIN, "c3", "c1", "c3", true)).isFalse();
    }

    @Test
    void aTagIsFetchedUnlessTheMirrorHasItWherePushed() {
        assertThat(PushFetch.alreadyFetched("refs/tags/v1", "0", "c2", "c3", true))
                .isFalse();
        assertThat(PushFetch.alreadyFetched("refs/tags/v1", "0", "c2", "c2", false))
                .isTrue();
    }
}
