package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FilesystemProcessTest {
    private static final Path LOG = Path.of("/tmp/mount.log");

    @Test
    void aProcessStartedInTheBackgroundIsKnownByThePidItsShellPrinted() throws Exception {
        Process shell = new ProcessBuilder("sh", "-c", "sleep 30 > /dev/null 2>&1 & echo $!").start();
        FilesystemProcess started = FilesystemProcess.forked(shell, LOG);
        assertFalse(shell.isAlive(), "the shell has exited");
        assertTrue(FilesystemProcess.isRunning(started.pid()));
        assertFalse(started.awaitExit(50, TimeUnit.MILLISECONDS), "still running");
        assertTrue(ProcessHandle.of(started.pid()).orElseThrow().info().command().orElse("").endsWith("sleep"),
                "the pid is the background command's, not the shell's");
        started.destroy();
        assertTrue(started.awaitExit(5, TimeUnit.SECONDS), "ended once destroyed (a zombie counts as ended)");
        assertTrue(started.exitDescription().contains(Long.toString(started.pid())));
    }

    @Test
    void aShellThatPrintsNoPidIsAClearError() {
        UserError e = assertThrows(UserError.class, () -> FilesystemProcess.forked(
                new ProcessBuilder("sh", "-c", "echo setsid: failed to execute java").redirectErrorStream(true).start(), LOG));
        assertTrue(e.getMessage().contains("setsid: failed to execute java"), e.getMessage());
        assertTrue(e.getMessage().contains(LOG.toString()), e.getMessage());
    }

    @Test
    void aProcessThatIsGoneIsNotRunning() {
        assertFalse(FilesystemProcess.isRunning(Long.MAX_VALUE));
        assertTrue(FilesystemProcess.isRunning(ProcessHandle.current().pid()));
    }
}
