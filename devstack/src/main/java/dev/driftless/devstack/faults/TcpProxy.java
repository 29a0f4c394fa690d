package dev.driftless.devstack.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP forwarder on 127.0.0.1 between a service and a real part (PostgreSQL, a Kubernetes API server), so that a test
 * can take the part away and give it back: {@link #cut()} resets every open connection and refuses new ones, as a
 * crashed server or a broken network does; {@link #restore()} lets connections through again. The part itself stays
 * real and untouched; this stands in only for the fault, which the real part cannot be made to show on demand without
 * taking it from every other test that shares it.
 */
public final class TcpProxy implements AutoCloseable {

    private final List<InetSocketAddress> targets;
    private final AtomicInteger next = new AtomicInteger();
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tcp-proxy");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private volatile boolean closed;

    private TcpProxy(List<InetSocketAddress> targets) throws IOException {
        this.targets = List.copyOf(targets);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    /** Starts forwarding a free port on 127.0.0.1 to {@code host:port}. */
    public static TcpProxy to(String host, int port) {
        try {
            return new TcpProxy(List.of(new InetSocketAddress(host, port)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a proxy port", e);
        }
    }

    /**
     * Starts a balancer on a free port of 127.0.0.1 that hands each new connection to the next of {@code ports} on
     * 127.0.0.1 in turn, skipping one that refuses it, as a Kubernetes Service spreads connections over the pods that
     * are up.
     */
    public static TcpProxy across(List<Integer> ports) {
        try {
            return new TcpProxy(ports.stream()
                    .map(port -> new InetSocketAddress("127.0.0.1", port))
                    .toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a proxy port", e);
        }
    }

    /** The port clients connect to instead of the part's. */
    public int port() {
        return server.getLocalPort();
    }

    /** Resets every open connection and refuses (accepts and at once resets) new ones until {@link #restore()}. */
    public void cut() {
        cut = true;
        open.forEach(Sockets::reset);
        open.clear();
    }

    /** Lets connections through again. */
    public void restore() {
        cut = false;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                if (cut) {
                    Sockets.reset(client);
                    continue;
                }
                Socket upstream = connectToNext();
                if (upstream == null) {
                    Sockets.reset(client);
                    continue;
                }
                open.add(client);
                open.add(upstream);
                if (cut) {
                    // cut while this connection was being made: it goes as the others went
                    open.remove(client);
                    open.remove(upstream);
                    Sockets.reset(client);
                    Sockets.reset(upstream);
                    continue;
                }
                threads.execute(() -> Sockets.pump(client, upstream, open));
                threads.execute(() -> Sockets.pump(upstream, client, open));
            } catch (IOException e) {
                if (!closed) {
                    continue;
                }
                return;
            }
        }
    }

    /** A connection to the next target that takes one, trying each once; {@code null} if none does. */
    private Socket connectToNext() {
        for (int tried = 0; tried < targets.size(); tried++) {
            InetSocketAddress target = targets.get(Math.floorMod(next.getAndIncrement(), targets.size()));
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 5_000);
                return upstream;
            } catch (IOException e) {
                Sockets.reset(upstream);
            }
        }
        return null;
    }

    @Override
    public void close() {
        closed = true;
        cut();
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        threads.shutdownNow();
    }
}
