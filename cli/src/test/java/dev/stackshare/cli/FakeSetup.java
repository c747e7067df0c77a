package dev.stackshare.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A developer's shell as eups and conda leave it: a stack product, a product set up from a
 * local clone with an uncommitted change ({@code setup -r}), a conda-like prefix whose tool has
 * an absolute {@code #!} line, and a secret that must never be recorded.
 */
final class FakeSetup {
    static final String MARKER = "uncommitted-afw-edit";

    final Path stackProduct;
    final Path clone;
    final Path prefix;
    final Map<String, String> env = new HashMap<>();

    FakeSetup(Path base) throws IOException, InterruptedException {
        Path stack = base.resolve("stack");
        stackProduct = stack.resolve("Linux64/numlike/1.2.3");
        clone = base.resolve("src/afw");
        prefix = base.resolve("conda/envs/dev");
        Files.createDirectories(stackProduct.resolve("python/numlike"));
        Files.createDirectories(stackProduct.resolve("lib"));
        Trees.write(stackProduct.resolve("python/numlike/__init__.py"), "VALUE = 'numlike-1.2.3'\n", "rw-r--r--");

        Files.createDirectories(clone.resolve("python/afw"));
        Files.createDirectories(clone.resolve("bin"));
        Trees.write(clone.resolve("python/afw/__init__.py"), "MARKER = 'committed'\n", "rw-r--r--");
        Trees.git(clone, "init", "-q", "-b", "main");
        Trees.git(clone, "add", "-A");
        Trees.git(clone, "-c", "user.name=dev", "-c", "user.email=dev@example.invalid", "commit", "-q", "-m", "afw");
        Trees.write(clone.resolve("python/afw/__init__.py"), "MARKER = '" + MARKER + "'\n", "rw-r--r--");

        Files.createDirectories(prefix.resolve("conda-meta"));
        Files.createDirectories(prefix.resolve("bin"));
        Files.createSymbolicLink(prefix.resolve("bin/python"), Path.of("/usr/bin/python3"));
        Trees.write(prefix.resolve("bin/mytool"), "#!" + prefix.resolve("bin/python") + " -S\n"
                + "import sys, afw\nprint('mytool', afw.MARKER)\n", "rwxr-xr-x");

        env.put("PATH", clone.resolve("bin") + ":" + prefix.resolve("bin") + ":/usr/bin:/bin");
        env.put("SETUP_NUMLIKE", "numlike 1.2.3 -f Linux64 -Z " + stack);
        env.put("NUMLIKE_DIR", stackProduct.toString());
        env.put("SETUP_AFW", "afw LOCAL:" + clone + " -f Linux64 -Z \\(none\\)");
        env.put("AFW_DIR", clone.toString());
        env.put("EUPS_PATH", stack.toString());
        env.put("PYTHONPATH", stackProduct.resolve("python") + ":" + clone.resolve("python"));
        env.put("LD_LIBRARY_PATH", stackProduct.resolve("lib").toString());
        env.put("CONDA_PREFIX", prefix.toString());
        env.put("MY_API_TOKEN", "s3cr3t-token-value");
        env.put("HOME", base.resolve("home").toString());
        env.put("LANG", "C.UTF-8");
    }
}
