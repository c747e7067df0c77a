package dev.stackshare.server;

/** An answer that is an error: HTTP status, stable code, and a message a person can act on. */
final class ApiError extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;

    ApiError(int status, String code, String message) {
        super(message, null, false, false); // control flow, not a bug: no stack trace
        this.status = status;
        this.code = code;
    }

    static ApiError badRequest(String code, String message) {
        return new ApiError(400, code, message);
    }

    static ApiError notFound(String code, String message) {
        return new ApiError(404, code, message);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }
}
