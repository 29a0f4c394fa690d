package dev.driftless.devstack.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for the local parts to listen on, chosen outside the kernel's ephemeral range.
 *
 * <p>A port the kernel hands out for {@code bind(0)} comes from the same range as the local end of every outgoing
 * connection, so between choosing it and the part binding it (for a service, tens of seconds later) a connection
 * to the broker or the API server could take it, and the part failed to start with "port in use" (a benchmark run
 * did). Outside that range no outgoing connection ever lands; each port is still checked free, and none is handed out
 * twice by this process.
 */
public final class FreePorts {

    /** Where the chosen ports begin: above the registered ports most local servers use. */
    static final int LOWEST = 16_384;

    private static final int HIGHEST = 65_535;
    private static final int NODE_PORTS_START = 30_000;
    private static final int FALLBACK_EPHEMERAL_START = 32_768;
    private static final int FALLBACK_EPHEMERAL_END = 60_999;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int ATTEMPTS = 200;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /** Read once: the kernel's range does not move under a running stack. */
    private static final int[] OUTSIDE = outsideEphemeralRange(EPHEMERAL_RANGE);

    private FreePorts() {}

    /** A port no one listens on now, outside the ephemeral range, not handed out before by this process. */
    public static int next() {
        int[] outside = OUTSIDE;
        if (outside[1] - outside[0] < ATTEMPTS) {
            return anyFree(); // a range that leaves no room on either side: the kernel's choice it is
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(outside[0], outside[1]);
            if (!HANDED_OUT.contains(port) && bindable(port) && HANDED_OUT.add(port)) {
                return port;
            }
        }
        return anyFree();
    }

    /**
     * The ports {@code [from, to)} to choose among: below the kernel's ephemeral range as {@code file} gives it
     * (from {@link #LOWEST}, and below 30000, where Kubernetes' NodePorts begin), or above it where a range set low
     * leaves more room there; {@code 32768 60999} is assumed if the file cannot be read.
     */
    static int[] outsideEphemeralRange(Path file) {
        int start = FALLBACK_EPHEMERAL_START;
        int end = FALLBACK_EPHEMERAL_END;
        try {
            // Files.readString trusts the size a file reports, and /proc files report 0 (a sandbox's kernel gave
            // one byte): read lines, as for any stream.
            String[] range = Files.readAllLines(file).get(0).trim().split("\\s+");
            start = Integer.parseInt(range[0]);
            end = Integer.parseInt(range[1]);
        } catch (IOException | RuntimeException e) {
            // unreadable or garbled: the kernel's default range
        }
        // and below Kubernetes' NodePorts: a local cluster's kube-proxy takes connections to them without a socket
        // bound, so a port there would look free and lead elsewhere
        int belowTop = Math.min(start, NODE_PORTS_START);
        int below = belowTop - LOWEST;
        int above = HIGHEST + 1 - (end + 1);
        return below >= above ? new int[] {LOWEST, belowTop} : new int[] {end + 1, HIGHEST + 1};
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int anyFree() {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try (ServerSocket socket = new ServerSocket(0)) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free port", e);
            }
        }
        throw new IllegalStateException("no free port not handed out before in " + ATTEMPTS + " tries");
    }
}
