package dev.driftless.bench;

/** One benchmark scenario: runs against its own stack and says what it measured. */
interface Scenario {

    /** Its name on the command line and in {@code target/bench/<name>.json}. */
    String name();

    /** What it does and its target, for the table. */
    String target();

    /** Runs it; with {@code harness.quick} at a tenth of its size. */
    Result run(Harness harness) throws Exception;
}
