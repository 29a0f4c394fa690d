package dev.driftless.webhook.domain;

import dev.driftless.events.CommitPushed;

/** What a verified webhook asks of us: a push to publish, a ping to answer, or an event kind we ignore. */
public sealed interface HookEvent {

    /** A push of one ref. */
    record Push(CommitPushed commit) implements HookEvent {}

    /** The provider checking the hook works (GitHub's ping, for one). */
    record Ping() implements HookEvent {}

    /** An event kind Driftless does not act on. */
    record Ignored(String event) implements HookEvent {}
}
