package dev.driftless.devstack.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;

/** What the fault proxies share: copying one side of a connection to the other, and closing as a broken path does. */
final class Sockets {

    private Sockets() {}

    /**
     * Copies what {@code from} receives to {@code to} until either side goes (or a proxy resets it), then resets both
     * and forgets them in {@code open}.
     */
    static void pump(Socket from, Socket to, Set<Socket> open) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the other side went, or the proxy cut it: both are closed below
        } finally {
            open.remove(from);
            open.remove(to);
            reset(from);
            reset(to);
        }
    }

    /** Closes with a TCP reset rather than a clean close, as a dead server or a broken path looks to a client. */
    static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException e) {
            // already closed
        }
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
