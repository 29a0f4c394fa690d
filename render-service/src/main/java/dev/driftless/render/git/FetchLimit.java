package dev.driftless.render.git;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.Proxy;
import java.net.URL;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;
import org.eclipse.jgit.transport.http.HttpConnectionFactory2;
import org.eclipse.jgit.util.io.LimitedInputStream;

/**
 * The most bytes one HTTP answer of a Git server may bring render-service (a fetch's pack is one answer): JGit bounds
 * what it receives, not what it fetches, so every connection JGit opens over HTTP reads through a limit, and an answer
 * past it fails the fetch with {@link TooLarge}, before the rest is read or stored. Installed once in JGit's
 * {@code HttpTransport}, around the factory that was there.
 */
public final class FetchLimit implements HttpConnectionFactory2 {

    /** A Git server's answer over the limit. */
    public static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        private final long limit;

        TooLarge(long limit) {
            super("the repository sent more than " + limit + " bytes in one fetch");
            this.limit = limit;
        }

        /** The limit that was passed. */
        public long limit() {
            return limit;
        }
    }

    private final HttpConnectionFactory2 delegate;
    private final long limit;

    private FetchLimit(HttpConnectionFactory2 delegate, long limit) {
        this.delegate = delegate;
        this.limit = limit;
    }

    /** Installs the limit around JGit's connection factory (replacing a limit installed before). */
    public static void install(long limit) {
        HttpConnectionFactory current = org.eclipse.jgit.transport.HttpTransport.getConnectionFactory();
        if (current instanceof FetchLimit installed) {
            current = installed.delegate;
        }
        if (!(current instanceof HttpConnectionFactory2 factory)) {
            throw new IllegalStateException("JGit's HTTP connection factory is not one a fetch limit can wrap");
        }
        org.eclipse.jgit.transport.HttpTransport.setConnectionFactory(new FetchLimit(factory, limit));
    }

    /** The answer over the limit a failure comes from, if that is why it failed. */
    public static java.util.Optional<TooLarge> exceeded(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof TooLarge tooLarge) {
                return java.util.Optional.of(tooLarge);
            }
        }
        return java.util.Optional.empty();
    }

    @Override
    public HttpConnection create(URL url) throws IOException {
        return new Limited(delegate.create(url));
    }

    @Override
    public HttpConnection create(URL url, Proxy proxy) throws IOException {
        return new Limited(delegate.create(url, proxy));
    }

    @Override
    public GitSession newSession() {
        GitSession session = delegate.newSession();
        return new GitSession() {
            @Override
            public HttpConnection configure(HttpConnection connection, boolean sslVerify)
                    throws IOException, GeneralSecurityException {
                // the delegate's session configures its own kind of connection
                HttpConnection inner = connection instanceof Limited limited ? limited.inner : connection;
                session.configure(inner, sslVerify);
                return connection;
            }

            @Override
            public void close() {
                session.close();
            }
        };
    }

    /** A connection whose answer is read through the limit. */
    private final class Limited implements HttpConnection {
        private final HttpConnection inner;

        Limited(HttpConnection inner) {
            this.inner = inner;
        }

        /**
         * The answer through the limit, counted after decompression: a gzip answer is expanded here (and its
         * {@code Content-Encoding} hidden from JGit, which would expand it again), so a small compressed pack cannot
         * write past the limit.
         */
        @Override
        public InputStream getInputStream() throws IOException {
            InputStream in = inner.getInputStream();
            if (gzip()) {
                in = new java.util.zip.GZIPInputStream(in);
            }
            return new LimitedInputStream(in, limit) {
                @Override
                protected void limitExceeded() throws IOException {
                    throw new TooLarge(limit);
                }
            };
        }

        private boolean gzip() {
            String encoding = inner.getHeaderField("Content-Encoding");
            return encoding != null && (encoding.equalsIgnoreCase("gzip") || encoding.equalsIgnoreCase("x-gzip"));
        }

        @Override
        public int getResponseCode() throws IOException {
            return inner.getResponseCode();
        }

        @Override
        public URL getURL() {
            return inner.getURL();
        }

        @Override
        public String getResponseMessage() throws IOException {
            return inner.getResponseMessage();
        }

        @Override
        public Map<String, List<String>> getHeaderFields() {
            Map<String, List<String>> fields = new java.util.LinkedHashMap<>(inner.getHeaderFields());
            fields.keySet().removeIf(name -> "Content-Encoding".equalsIgnoreCase(name));
            return fields;
        }

        @Override
        public void setRequestProperty(String key, String value) {
            inner.setRequestProperty(key, value);
        }

        @Override
        public void setRequestMethod(String method) throws ProtocolException {
            inner.setRequestMethod(method);
        }

        @Override
        public void setUseCaches(boolean useCaches) {
            inner.setUseCaches(useCaches);
        }

        @Override
        public void setConnectTimeout(int timeout) {
            inner.setConnectTimeout(timeout);
        }

        @Override
        public void setReadTimeout(int timeout) {
            inner.setReadTimeout(timeout);
        }

        @Override
        public String getContentType() {
            return inner.getContentType();
        }

        @Override
        public String getHeaderField(String name) {
            return "Content-Encoding".equalsIgnoreCase(name) ? null : inner.getHeaderField(name);
        }

        @Override
        public List<String> getHeaderFields(String name) {
            return "Content-Encoding".equalsIgnoreCase(name) ? List.of() : inner.getHeaderFields(name);
        }

        @Override
        public int getContentLength() {
            return inner.getContentLength();
        }

        @Override
        public void setInstanceFollowRedirects(boolean follow) {
            inner.setInstanceFollowRedirects(follow);
        }

        @Override
        public void setDoOutput(boolean doOutput) {
            inner.setDoOutput(doOutput);
        }

        @Override
        public void setFixedLengthStreamingMode(int length) {
            inner.setFixedLengthStreamingMode(length);
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            return inner.getOutputStream();
        }

        @Override
        public void setChunkedStreamingMode(int chunkLength) {
            inner.setChunkedStreamingMode(chunkLength);
        }

        @Override
        public String getRequestMethod() {
            return inner.getRequestMethod();
        }

        @Override
        public boolean usingProxy() {
            return inner.usingProxy();
        }

        @Override
        public void connect() throws IOException {
            inner.connect();
        }

        @Override
        public void configure(KeyManager[] km, TrustManager[] tm, SecureRandom random)
                throws NoSuchAlgorithmException, KeyManagementException {
            inner.configure(km, tm, random);
        }

        @Override
        public void setHostnameVerifier(HostnameVerifier verifier)
                throws NoSuchAlgorithmException, KeyManagementException {
            inner.setHostnameVerifier(verifier);
        }
    }
}
