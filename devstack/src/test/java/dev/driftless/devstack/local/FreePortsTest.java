package dev.driftless.devstack.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FreePortsTest {

    @Test
    void portsAreChosenOutsideTheRangeOutgoingConnectionsTakeTheirsFromNeverTwiceAndFree() throws Exception {
        int[] outside = FreePorts.outsideEphemeralRange(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = FreePorts.next();
            assertThat(port).isBetween(outside[0], outside[1] - 1);
            assertThat(ports.add(port)).as("handed out twice: %d", port).isTrue();
            try (ServerSocket socket = new ServerSocket(port)) {
                assertThat(socket.getLocalPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void theEphemeralRangeIsReadAsTheKernelWritesItAndAssumedWhenUnreadable(@TempDir Path dir) throws Exception {
        Path range = Files.writeString(dir.resolve("ip_local_port_range"), "40000\t60999\n");
        assertThat(FreePorts.outsideEphemeralRange(range)).containsExactly(FreePorts.LOWEST, 40_000);
        Path low = Files.writeString(dir.resolve("low"), "1024 40000\n");
        assertThat(FreePorts.outsideEphemeralRange(low)).containsExactly(40_001, 65_536);
        assertThat(FreePorts.outsideEphemeralRange(dir.resolve("missing"))).containsExactly(FreePorts.LOWEST, 32_768);
        assertThat(FreePorts.outsideEphemeralRange(Files.writeString(dir.resolve("garbled"), "x")))
                .containsExactly(FreePorts.LOWEST, 32_768);
    }
}
