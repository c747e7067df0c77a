package dev.stackshare.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short system tool (fusermount, umount) and keeps its exit code and output. */
final class Command {
    private static final long TIMEOUT_SECONDS = 30;

    record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }

        /** The first line of output, for one-line messages. */
        String firstLine() {
            String s = output.strip();
            int nl = s.indexOf('\n');
            return nl < 0 ? s : s.substring(0, nl);
        }
    }

    private Command() {
    }

    /** @throws IOException when the program cannot be started at all (for example, not installed) */
    static Result run(String... argv) throws IOException {
        Process process = new ProcessBuilder(List.of(argv)).redirectErrorStream(true).start();
        try {
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, argv[0] + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running " + argv[0]);
        }
    }
}
