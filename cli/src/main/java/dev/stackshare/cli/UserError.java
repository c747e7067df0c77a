package dev.stackshare.cli;

/** Bad input found by the command line itself; its message says what is wrong and what to do. */
final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserError(String message) {
        super(message);
    }
}
