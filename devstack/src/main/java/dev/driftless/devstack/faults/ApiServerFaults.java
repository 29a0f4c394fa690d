package dev.driftless.devstack.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS proxy on 127.0.0.1 before a real Kubernetes API server, presenting the server's own certificate and key, so
 * that a benchmark can make the API answer as an overloaded or failing one does while the server itself stays real and
 * untouched: {@link #answer(int)} answers every request with that status (503, or 429 with {@code Retry-After} as API
 * Priority and Fairness does) and a Kubernetes {@code Status} body; {@link #stall()} accepts connections and never
 * answers, so clients time out; {@link #restore()} passes requests through again. Each change resets the connections
 * open through it (watches included), so clients meet the new behaviour at once. It stands in only for the fault: a
 * real API server cannot be made to answer 503 or 429 on demand. Requests pass as HTTP/1.1 (no ALPN is offered), with
 * the caller's own bearer token, so the server still authenticates and authorises each one.
 */
public final class ApiServerFaults implements AutoCloseable {

    private enum Mode {
        PASS,
        ANSWER,
        STALL
    }

    private static final int MAX_REQUEST_HEAD = 64 * 1024;

    private final ServerSocket server;
    private final SSLSocketFactory upstream;
    private final int upstreamPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "api-server-faults");
        t.setDaemon(true);
        return t;
    });
    private volatile Mode mode = Mode.PASS;
    private volatile int status;
    private volatile boolean closed;

    private ApiServerFaults(ServerSocket server, SSLSocketFactory upstream, int upstreamPort) {
        this.server = server;
        this.upstream = upstream;
        this.upstreamPort = upstreamPort;
        threads.execute(this::accept);
    }

    /**
     * Starts the proxy on a free port of 127.0.0.1 before the API server on {@code upstreamPort} of 127.0.0.1, whose
     * serving certificate and (PEM, PKCS#1 or PKCS#8) key are given; the certificate is also what the proxy trusts
     * upstream.
     */
    public static ApiServerFaults before(int upstreamPort, Path certificate, Path key) {
        try {
            KeyStore identity;
            try (InputStream cert = Files.newInputStream(certificate);
                    InputStream pem = Files.newInputStream(key)) {
                identity = io.fabric8.kubernetes.client.internal.CertUtils.createKeyStore(
                        cert, pem, "RSA", new char[0], null, new char[0]);
            }
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(identity, new char[0]);
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            try (InputStream cert = Files.newInputStream(certificate)) {
                int i = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(cert)) {
                    trust.setCertificateEntry("server-" + i++, c);
                }
            }
            TrustManagerFactory trusted = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trusted.init(trust);
            SSLContext serving = SSLContext.getInstance("TLS");
            serving.init(keys.getKeyManagers(), null, null);
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, trusted.getTrustManagers(), null);
            ServerSocket server =
                    serving.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
            return new ApiServerFaults(server, client.getSocketFactory(), upstreamPort);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the API server fault proxy", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the API server's certificate or key", e);
        }
    }

    /** The URL clients use instead of the API server's. */
    public String url() {
        return "https://127.0.0.1:" + server.getLocalPort();
    }

    /** From now on every request is answered {@code httpStatus} (503 or 429), until {@link #restore()}. */
    public void answer(int httpStatus) {
        if (httpStatus != 503 && httpStatus != 429 && httpStatus != 500 && httpStatus != 504) {
            throw new IllegalArgumentException("answers 429, 500, 503 or 504, not " + httpStatus);
        }
        status = httpStatus;
        switchTo(Mode.ANSWER);
    }

    /** From now on connections are accepted and never answered, until {@link #restore()}. */
    public void stall() {
        switchTo(Mode.STALL);
    }

    /** Passes requests through to the API server again. */
    public void restore() {
        switchTo(Mode.PASS);
    }

    private void switchTo(Mode next) {
        mode = next;
        open.forEach(Sockets::reset);
        open.clear();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                open.add(client);
                Mode now = mode;
                switch (now) {
                    case STALL -> {
                        // held open, never read: the client's handshake or request times out
                    }
                    case ANSWER -> threads.execute(() -> answer(client, status));
                    case PASS -> threads.execute(() -> pass(client));
                }
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pass(Socket client) {
        Socket server;
        try {
            server = upstream.createSocket("127.0.0.1", upstreamPort);
        } catch (IOException e) {
            open.remove(client);
            Sockets.reset(client);
            return;
        }
        open.add(server);
        threads.execute(() -> Sockets.pump(client, server, open));
        Sockets.pump(server, client, open);
    }

    /** Answers each request on the connection with the fault's status and closes it. */
    private void answer(Socket client, int code) {
        try {
            InputStream in = client.getInputStream();
            String head = readHead(in);
            if (head == null) {
                Sockets.reset(client); // the client went before asking anything
                return;
            }
            skipBody(in, head);
            String reason = code == 429 ? "TooManyRequests" : code == 503 ? "ServiceUnavailable" : "InternalError";
            String body = ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                            + "\"message\":\"%s (fault injected by the benchmark)\",\"reason\":\"%s\",\"code\":%d}")
                    .formatted(reason, reason, code);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            String response = "HTTP/1.1 " + code + " " + reason + "\r\n"
                    + "Content-Type: application/json\r\n"
                    + (code == 429 ? "Retry-After: 1\r\n" : "")
                    + "Content-Length: " + bytes.length + "\r\n"
                    + "Connection: close\r\n\r\n";
            OutputStream out = client.getOutputStream();
            out.write(response.getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            client.close();
        } catch (IOException e) {
            Sockets.reset(client);
        } finally {
            open.remove(client);
        }
    }

    /** The request line and headers, or {@code null} at the end of the stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int b; (b = in.read()) >= 0; ) {
            head.write(b);
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
            if (matched == end.length) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
            if (head.size() > MAX_REQUEST_HEAD) {
                throw new IOException("request head too large");
            }
        }
        return null;
    }

    private static void skipBody(InputStream in, String head) throws IOException {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                long length = Long.parseLong(
                        line.substring("content-length:".length()).trim());
                in.skipNBytes(Math.min(length, 64L * 1024 * 1024));
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        switchTo(Mode.PASS);
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        threads.shutdownNow();
    }
}
