package dev.stackshare.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one command to completion, timed, with its output kept for checks and error messages. */
final class Proc {
    record Result(int exit, String out, String err, double seconds) {
        Result requireOk(String what) {
            if (exit != 0) {
                throw new BenchException(what + " failed (exit " + exit + "): " + tail(err.isBlank() ? out : err));
            }
            return this;
        }
    }

    private Proc() {
    }

    static Result run(List<String> command, Map<String, String> env, long timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        Path out = Files.createTempFile("bench-out", ".txt");
        Path err = Files.createTempFile("bench-err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        long start = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new BenchException("timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        try {
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8), seconds);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Result sh(String script, Map<String, String> env, long timeoutSeconds) throws IOException, InterruptedException {
        return run(List.of("bash", "-c", script), env, timeoutSeconds);
    }

    static String tail(String s) {
        String t = s.strip();
        return t.length() > 600 ? "..." + t.substring(t.length() - 600) : t;
    }
}
