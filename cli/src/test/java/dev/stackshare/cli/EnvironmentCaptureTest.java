package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentCaptureTest {
    @TempDir
    Path base;

    @Test
    void findsEveryEupsProductTheCondaPrefixAndNothingOfTheSystem() throws Exception {
        FakeSetup setup = new FakeSetup(base);
        List<EnvironmentCapture.Root> roots = EnvironmentCapture.roots(setup.env);
        assertEquals(List.of(setup.prefix, setup.clone, setup.stackProduct),
                roots.stream().map(EnvironmentCapture.Root::path).sorted().toList());
        assertTrue(roots.stream().anyMatch(r -> r.reason().equals("eups product afw (setup -r)")), roots.toString());
    }

    @Test
    void aSearchPathDirectoryOutsideEveryProductIsItsOwnRoot() throws Exception {
        FakeSetup setup = new FakeSetup(base);
        Path extra = Files.createDirectories(base.resolve("scripts/bin"));
        setup.env.put("PATH", extra + ":" + setup.env.get("PATH") + ":relative/dir:/nonexistent/dir");
        List<Path> roots = EnvironmentCapture.roots(setup.env).stream().map(EnvironmentCapture.Root::path).toList();
        assertTrue(roots.contains(extra), roots.toString());
        assertFalse(roots.stream().anyMatch(EnvironmentCapture::isSystem), roots.toString());
        assertFalse(roots.contains(setup.clone.resolve("bin")), "a dir inside a product is not a root of its own");
    }

    @Test
    void withoutCondaPrefixThePythonOnPathGivesItsPrefixOnlyWhenItIsCondaLike() throws Exception {
        FakeSetup setup = new FakeSetup(base);
        setup.env.remove("CONDA_PREFIX");
        assertEquals(setup.prefix, EnvironmentCapture.condaPrefix(setup.env).orElseThrow().path());
        Map<String, String> system = Map.of("PATH", "/usr/bin:/bin");
        assertTrue(EnvironmentCapture.condaPrefix(system).isEmpty(), "/usr is the system, never a root");
    }

    @Test
    void badEupsVariablesAndMissingProductDirsAreOneLineErrors() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("SETUP_BROKEN", "   "));
        UserError e = assertThrows(UserError.class, () -> EnvironmentCapture.roots(env));
        assertTrue(e.getMessage().contains("SETUP_BROKEN"), e.getMessage());

        Map<String, String> missing = Map.of("SETUP_GONE", "gone 1.0 -f Linux64 -Z /x", "GONE_DIR", base.resolve("nope").toString());
        e = assertThrows(UserError.class, () -> EnvironmentCapture.roots(missing));
        assertTrue(e.getMessage().contains("GONE_DIR") && e.getMessage().contains("missing"), e.getMessage());

        Map<String, String> noDir = Map.of("SETUP_NODIR", "nodir 1.0 -f Linux64 -Z /x");
        e = assertThrows(UserError.class, () -> EnvironmentCapture.roots(noDir));
        assertTrue(e.getMessage().contains("NODIR_DIR is not set"), e.getMessage());
    }

    @Test
    void aLocalProductWithoutItsDirVariableUsesTheLocalPath() throws Exception {
        FakeSetup setup = new FakeSetup(base);
        setup.env.remove("AFW_DIR");
        assertTrue(EnvironmentCapture.eupsProducts(setup.env).stream().anyMatch(r -> r.path().equals(setup.clone)));
    }

    @Test
    void rootSelectionAddsExplicitRootsAndHonoursExcludes() throws Exception {
        FakeSetup setup = new FakeSetup(base);
        Path extra = Files.createDirectories(base.resolve("data"));
        List<Path> withEnv = RootSelection.select(setup.env, List.of(extra), true, List.of(setup.prefix.toString()))
                .stream().map(EnvironmentCapture.Root::path).toList();
        assertEquals(List.of(extra, setup.clone, setup.stackProduct), withEnv);
        List<Path> explicitOnly = RootSelection.select(setup.env, List.of(extra), false, List.of())
                .stream().map(EnvironmentCapture.Root::path).toList();
        assertEquals(List.of(extra), explicitOnly, "with --root and without --capture-env, the environment is not scanned");
        UserError e = assertThrows(UserError.class, () -> RootSelection.select(Map.of("PATH", "/usr/bin"), List.of(), false, List.of()));
        assertTrue(e.getMessage().contains("nothing to export"), e.getMessage());
    }
}
