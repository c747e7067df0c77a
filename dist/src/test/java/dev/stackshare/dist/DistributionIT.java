package dev.stackshare.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution runs where no Java is installed: unpacked into an empty directory inside a
 * mount namespace that hides every system JDK, it serves, publishes, mounts and runs a job.
 */
class DistributionIT {
    @TempDir
    Path work;

    @Test
    void unpackedDistributionServesMountsAndRunsAJobWithNoSystemJava() throws IOException, InterruptedException {
        Path dist = Path.of(System.getProperty("stackshare.dist"));
        assertTrue(Files.isRegularFile(dist), "mvn package makes " + dist);
        assumeTrue("0".equals(run("id", "-u").strip()), "hiding the system Java needs root (a mount namespace); CI runs as root");
        Path script = work.resolve("no-system-java.sh");
        try (var in = DistributionIT.class.getResourceAsStream("/no-system-java.sh")) {
            Files.write(script, in.readAllBytes());
        }
        Path log = work.resolve("out.log");
        Process p = new ProcessBuilder("unshare", "--mount", "bash", script.toString(), dist.toString(), work.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(out);
        assertTrue(done, "timed out:\n" + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("system java: none"), out);
        assertTrue(out.contains("script ran: data-42"), out);
        assertTrue(out.contains("JOB-OK from the distribution"), out);
        Matcher exe = Pattern.compile("mount process java: (\\S+)").matcher(out);
        assertTrue(exe.find(), out);
        assertTrue(exe.group(1).startsWith(work.resolve("install").toString()) && exe.group(1).endsWith("/runtime/bin/java"),
                "the mount runs on the distribution's runtime: " + exe.group(1));
        Matcher archived = Pattern.compile("classes from the archive: (\\d+)").matcher(out);
        assertTrue(archived.find() && Integer.parseInt(archived.group(1)) > 100, "make-cds-archive made a usable archive:\n" + out);
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
