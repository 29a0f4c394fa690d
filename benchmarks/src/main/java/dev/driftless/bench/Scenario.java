package dev.driftless.bench;

/** One benchmark scenario: runs against its own stack and says what it measured. */
interface Scenario {

    /** Its name on the command line and in {@code target/bench/<name>.json}. */
    String name();

    /** What it does and its target, for the table. */
    String target();

    /**
     * Whether the stack's audit-service reaches PostgreSQL through a {@link dev.driftless.devstack.faults.TcpProxy}
     * ({@link Harness#database}), so the scenario can take the database away from it.
     */
    default boolean databaseBehindProxy() {
        return false;
    }

    /** How many processes of each service its stack runs (production's overlay runs two). */
    default int replicas() {
        return 1;
    }

    /**
     * Whether sync-service reaches the control plane through a {@link dev.driftless.devstack.faults.ApiServerFaults}
     * proxy, so the scenario can make the API answer 503 or 429 or time out.
     */
    default boolean apiServerFaults() {
        return false;
    }

    /** Runs it; with {@code harness.quick} at a tenth of its size. */
    Result run(Harness harness) throws Exception;
}
