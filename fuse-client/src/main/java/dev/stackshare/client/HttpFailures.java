package dev.stackshare.client;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Json;
import dev.stackshare.protocol.ProtocolException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLException;

/** Turns HTTP failures into one-line messages that say what to check. */
final class HttpFailures {
    private HttpFailures() {
    }

    /** A request that got no HTTP answer at all. */
    static ClientException connection(String server, Duration timeout, Throwable cause) {
        if (find(cause, UnknownHostException.class) != null) {
            return new ClientException(ClientException.UNREACHABLE, "cannot reach server " + server
                    + ": unknown host; is the URL right?", cause);
        }
        if (find(cause, HttpTransport.ConnectTimeout.class) != null) {
            return new ClientException(ClientException.UNREACHABLE, "cannot reach server " + server
                    + ": no connection within " + seconds(timeout) + "; is the host up and the port open?", cause);
        }
        if (find(cause, SocketTimeoutException.class) != null) {
            return timeout(server, timeout, cause);
        }
        ConnectException refused = find(cause, ConnectException.class);
        if (refused != null) {
            return new ClientException(ClientException.UNREACHABLE, "cannot reach server " + server + ": "
                    + connectReason(cause) + "; is `stackshare serve` running there, and is the URL right?", cause);
        }
        TlsPin.Mismatch mismatch = find(cause, TlsPin.Mismatch.class);
        if (mismatch != null) {
            return new ClientException(ClientException.TLS_PIN_MISMATCH, "server " + server
                    + " is not the pinned server: " + mismatch.getMessage()
                    + "; if its certificate was replaced, use the URL `stackshare serve` prints now", cause);
        }
        if (find(cause, SSLException.class) != null) {
            return new ClientException(ClientException.UNREACHABLE, "TLS with server " + server + " failed: "
                    + cause.getMessage() + "; does the URL's scheme (http/https) match the server?", cause);
        }
        String why = cause instanceof IOException && cause.getMessage() != null ? cause.getMessage() : String.valueOf(cause);
        return new ClientException(ClientException.NETWORK, "lost the connection to server " + server + ": " + why, cause);
    }

    static ClientException timeout(String server, Duration timeout, Throwable cause) {
        return new ClientException(ClientException.TIMEOUT, "server " + server + " did not answer within "
                + seconds(timeout) + "; is it overloaded, or is the network slow?", cause);
    }

    /** A request the server answered with a status other than 200. */
    static ClientException status(String server, int status, byte[] body, String what, String subject) {
        Api.ErrorBody error = errorBody(body);
        String code = error == null ? "" : String.valueOf(error.code());
        String message = error == null ? new String(body, StandardCharsets.UTF_8).strip() : String.valueOf(error.message());
        if (status == 401) {
            return new ClientException(ClientException.UNAUTHORIZED, "server " + server
                    + " refused the token (401); check --token-file or STACKSHARE_TOKEN");
        }
        if (status == 503 && Api.OVERLOADED.equals(code)) {
            return new ClientException(code, "server " + server + " is overloaded and refused " + what
                    + " (503) on every retry; try again later, or put an HTTP cache in front of it");
        }
        if (status == 404 && ClientException.UNKNOWN_SNAPSHOT.equals(code)) {
            return new ClientException(code, "unknown snapshot " + subject + " on " + server
                    + "; `stackshare publish` prints valid ids, or use --snapshot latest");
        }
        if (status == 404 && ClientException.UNKNOWN_VIEW.equals(code)) {
            String hint = "latest".equals(subject)
                    ? "; the server has no snapshot yet, run `stackshare publish` there"
                    : "; publish to that view first, or use --snapshot latest";
            return new ClientException(code, "unknown view " + subject + " on " + server + hint);
        }
        if (status == 404 && what.startsWith("object")) {
            return new ClientException(ClientException.UNKNOWN_OBJECT, "server " + server + " does not have object "
                    + subject + (message.isEmpty() ? "" : " (" + message + ")")
                    + "; was its snapshot garbage-collected?");
        }
        String detail = message.isEmpty() ? "" : ": " + (code.isEmpty() ? "" : code + ": ") + oneLine(message);
        return new ClientException(code.isEmpty() ? ClientException.BAD_ANSWER : code,
                "server " + server + " answered HTTP " + status + " to " + what + detail);
    }

    private static Api.ErrorBody errorBody(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return Json.read(body, Api.ErrorBody.class);
        } catch (ProtocolException e) {
            return null;
        }
    }

    /** The innermost ConnectException's message (a wrapped one may have none). */
    private static String connectReason(Throwable t) {
        String reason = null;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException && c.getMessage() != null) {
                reason = c.getMessage();
            }
        }
        return reason == null ? "connection refused" : reason.toLowerCase(Locale.ROOT);
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String oneLine(String s) {
        String line = s.replaceAll("\\s+", " ").strip();
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
