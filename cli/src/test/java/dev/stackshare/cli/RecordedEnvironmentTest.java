package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecordedEnvironmentTest {
    @Test
    void secretsAndHostVariablesAreNotRecorded() {
        Map<String, String> env = Map.ofEntries(
                Map.entry("MY_API_TOKEN", "x"), Map.entry("AWS_SECRET_ACCESS_KEY", "x"), Map.entry("DB_PASSWORD", "x"),
                Map.entry("GITHUB_TOKEN", "x"), Map.entry("SSH_AUTH_SOCK", "x"), Map.entry("KRB5CCNAME", "x"),
                Map.entry("STACKSHARE_TOKEN", "x"), Map.entry("SIGNING_KEY", "x"), Map.entry("HOME", "/home/a"),
                Map.entry("USER", "a"), Map.entry("PWD", "/x"), Map.entry("TMPDIR", "/tmp/a"),
                Map.entry("PATH", "/a/bin:/usr/bin"), Map.entry("PYTHONPATH", "/a/py"), Map.entry("SETUP_AFW", "afw 1 -f X"),
                Map.entry("CONDA_PREFIX", "/c"), Map.entry("LANG", "C.UTF-8"), Map.entry("OMP_NUM_THREADS", "1"));
        assertEquals(Map.of("PATH", "/a/bin:/usr/bin", "PYTHONPATH", "/a/py", "SETUP_AFW", "afw 1 -f X",
                "CONDA_PREFIX", "/c", "LANG", "C.UTF-8", "OMP_NUM_THREADS", "1"),
                RecordedEnvironment.capture(env, Set.of()).recorded());
    }

    @Test
    void pathsUnderRootsMapIntoTheMountAtPathBoundariesOnly() {
        PathMapper mapper = new PathMapper(List.of("/home/a/stack", "/home/a/src/afw"), Path.of("/mnt/ss"));
        assertEquals("/mnt/ss/home/a/stack/bin:/usr/bin:/home/a/stack2/bin", mapper.map("/home/a/stack/bin:/usr/bin:/home/a/stack2/bin"));
        assertEquals("afw LOCAL:/mnt/ss/home/a/src/afw -f Linux64 -Z \\(none\\)",
                mapper.map("afw LOCAL:/home/a/src/afw -f Linux64 -Z \\(none\\)"));
        assertEquals("/mnt/ss/home/a/stack", mapper.map("/home/a/stack"));
        assertEquals("x=/mnt/ss/home/a/stack/etc", mapper.map("x=/home/a/stack/etc"));
        assertEquals("/opt/home/a/stack", mapper.map("/opt/home/a/stack"), "only whole paths, not a suffix of another");
    }

    @Test
    void exportLinesQuoteForAnyShell() {
        assertEquals("export A='it'\\''s $HOME'", PathMapper.exportLine("A", "it's $HOME"));
    }
}
