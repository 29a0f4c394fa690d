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
        Path file = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        int[] outside = FreePorts.outsideEphemeralRange(file);
        // read here on its own: the range the chosen ports are checked against is not the code's reading of it
        int[] kernel = Files.isReadable(file)
                ? java.util.Arrays.stream(Files.readAllLines(file).get(0).trim().split("\\s+"))
                        .mapToInt(Integer::parseInt)
                        .toArray()
                : new int[] {32_768, 60_999};
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = FreePorts.next();
            assertThat(port).isBetween(outside[0], outside[1] - 1);
            assertThat(port)
                    .as("outside the kernel's ephemeral range %d-%d", kernel[0], kernel[1])
                    .satisfiesAnyOf(p -> assertThat(p).isLessThan(kernel[0]), p -> assertThat(p)
                            .isGreaterThan(kernel[1]));
            assertThat(ports.add(port)).as("handed out twice: %d", port).isTrue();
            try (ServerSocket socket = new ServerSocket(port)) {
                assertThat(socket.getLocalPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void theEphemeralRangeIsReadAsTheKernelWritesItAndAssumedWhenUnreadable(@TempDir Path dir) throws Exception {
        Path range = Files.writeString(dir.resolve("ip_local_port_range"), "40000\t60999\n");
        assertThat(FreePorts.outsideEphemeralRange(range))
                .as("below the NodePorts")
                .containsExactly(FreePorts.LOWEST, 30_000);
        Path lowered = Files.writeString(dir.resolve("lowered"), "24000 60999\n");
        assertThat(FreePorts.outsideEphemeralRange(lowered)).containsExactly(FreePorts.LOWEST, 24_000);
        Path low = Files.writeString(dir.resolve("low"), "1024 40000\n");
        assertThat(FreePorts.outsideEphemeralRange(low)).containsExactly(40_001, 65_536);
        assertThat(FreePorts.outsideEphemeralRange(dir.resolve("missing"))).containsExactly(FreePorts.LOWEST, 30_000);
        assertThat(FreePorts.outsideEphemeralRange(Files.writeString(dir.resolve("garbled"), "x")))
                .containsExactly(FreePorts.LOWEST, 30_000);
    }
}
