package dev.driftless.webhook.domain;

import dev.driftless.events.CommitPushed;
import java.util.List;

/** What a verified webhook asks of us: pushes to publish, a ping to answer, or an event kind we ignore. */
public sealed interface HookEvent {

    /** A push of one or more refs (Bitbucket and Azure DevOps report several in one request): one event each. */
    record Push(List<CommitPushed> commits) implements HookEvent {
        public Push {
            commits = List.copyOf(commits);
        }

        public Push(CommitPushed commit) {
            this(List.of(commit));
        }
    }

    /** The provider checking the hook works (GitHub's ping, for one). */
    record Ping() implements HookEvent {}

    /** An event kind Driftless does not act on. */
    record Ignored(String event) implements HookEvent {}
}
