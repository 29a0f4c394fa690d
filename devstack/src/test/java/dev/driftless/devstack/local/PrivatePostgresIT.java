package dev.driftless.devstack.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The fallback of {@code ./driftless up} when no PostgreSQL answers on 5432: a private server from the machine's own
 * PostgreSQL binaries, with its files under the state directory, that starts, survives a restart and stops.
 */
class PrivatePostgresIT {

    @Test
    void aPrivateServerStartsKeepsItsFilesAndStops() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/usr/lib/postgresql")), "PostgreSQL binaries are not installed");
        Path state = Files.createTempDirectory("driftless-pg");
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }

        Optional<PrivatePostgres> first = PrivatePostgres.start(state.resolve("postgres"), port);
        assertThat(first).isPresent();
        assertThat(PrivatePostgres.reachable("127.0.0.1", port)).isTrue();
        first.get().close();
        assertThat(PrivatePostgres.reachable("127.0.0.1", port)).isFalse();

        Optional<PrivatePostgres> again = PrivatePostgres.start(state.resolve("postgres"), port);
        assertThat(again).isPresent();
        assertThat(PrivatePostgres.reachable("127.0.0.1", port))
                .as("started again from its files")
                .isTrue();
        again.get().close();
        assertThat(state.resolve("postgres/PG_VERSION")).exists();
        try (var paths = Files.walk(state)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }
}
