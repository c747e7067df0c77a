package dev.stackshare.client;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 exchange at a time, over the JDK's {@link HttpURLConnection} and its keep-alive
 * pool; {@link ServerClient} decides where to send what, and what an answer means.
 *
 * <p>Why not {@code java.net.http}: in a fresh JVM (every mount is one), 280 object requests cost
 * 0.86–1.04 s of CPU and 0.6 s through {@code java.net.http}'s asynchronous machinery, and
 * 0.26–0.32 s and 0.2–0.3 s through this blocking path; building the {@code java.net.http}
 * client alone took 0.16 s (docs/performance.md, sixth session). On a 2-core node that CPU is
 * taken from the job.
 *
 * <p>The timeout bounds the connect and each wait for bytes, so a server that stalls mid-answer
 * fails the request, while a long answer that keeps coming is read to its end.
 */
final class HttpTransport {
    private final String authorization;
    private final int timeoutMillis;
    /** Null: the JVM's TLS, trusting its CAs and checking the host name. */
    private final SSLSocketFactory pinnedTls;

    HttpTransport(String authorization, Duration timeout, SSLSocketFactory pinnedTls) {
        this.authorization = authorization;
        this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        this.pinnedTls = pinnedTls;
    }

    /** What to send: the path after the server's base URL, and a body for POST and PUT. */
    record Call(String method, String path, String contentType, String accept, byte[] body) {
        static Call get(String path) {
            return new Call("GET", path, null, null, null);
        }

        static Call post(String path, String contentType, byte[] body) {
            return new Call("POST", path, contentType, null, body);
        }

        static Call put(String path, String contentType, byte[] body) {
            return new Call("PUT", path, contentType, null, body);
        }

        Call accepting(String type) {
            return new Call(method, path, contentType, type, body);
        }
    }

    /**
     * A server's answer, its body not yet read. Closing it after reading the body to its end
     * returns the connection to the pool; closing it early drops the connection.
     *
     * @param server the base URL that answered
     */
    record Answer(String server, int status, HttpURLConnection connection, InputStream body) implements Closeable {
        Optional<String> header(String name) {
            return Optional.ofNullable(connection.getHeaderField(name));
        }

        byte[] readAll() throws IOException {
            try (InputStream in = body) {
                return in.readAllBytes();
            }
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /** A connection that could not be made in time (the wait for an answer is a plain {@link SocketTimeoutException}). */
    static final class ConnectTimeout extends SocketTimeoutException {
        private static final long serialVersionUID = 1L;

        ConnectTimeout(SocketTimeoutException cause) {
            super(cause.getMessage());
            initCause(cause);
        }
    }

    /** Sends {@code call} to the server at {@code base} and waits for the status line and headers. */
    Answer send(String base, Call call) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(base + call.path()).openConnection();
        if (c instanceof HttpsURLConnection https && pinnedTls != null) {
            https.setSSLSocketFactory(pinnedTls);
            https.setHostnameVerifier((host, session) -> true); // the pin, checked in the handshake, replaces it
        }
        c.setConnectTimeout(timeoutMillis);
        c.setReadTimeout(timeoutMillis);
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setRequestMethod(call.method());
        c.setRequestProperty("Authorization", authorization);
        c.setRequestProperty("Accept", call.accept() == null ? "*/*" : call.accept());
        if (call.body() != null) {
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(call.body().length);
            if (call.contentType() != null) {
                c.setRequestProperty("Content-Type", call.contentType());
            }
        }
        try {
            c.connect();
        } catch (SocketTimeoutException e) {
            throw new ConnectTimeout(e);
        }
        if (call.body() != null) {
            try (OutputStream out = c.getOutputStream()) {
                out.write(call.body());
            }
        }
        int status = c.getResponseCode();
        InputStream body = status >= 400 ? c.getErrorStream() : c.getInputStream();
        return new Answer(base, status, c, body == null ? InputStream.nullInputStream() : body);
    }
}
