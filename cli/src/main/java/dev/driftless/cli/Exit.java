package dev.driftless.cli;

/** What the command line's exit codes mean, for scripts. */
final class Exit {

    private Exit() {}

    /** Done, and the news is good: succeeded, healthy, in sync, intact. */
    static final int OK = 0;

    /** Done, and the news is bad: a sync failed, not healthy, differences, a broken log. */
    static final int BAD_NEWS = 1;

    /** The command was wrong: unknown option, a commit that is not a SHA, a rollback to a commit never rendered. */
    static final int USAGE = 2;

    /** Could not ask: the stack is not running or not reachable, no token or a refused one, an unknown name. */
    static final int UNREACHABLE = 3;

    /** Waited for longer than {@code --timeout} without an outcome. */
    static final int TIMEOUT = 4;
}
