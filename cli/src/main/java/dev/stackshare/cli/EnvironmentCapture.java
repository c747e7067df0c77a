package dev.stackshare.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the roots of the developer's current set-up from the environment, the way eups and
 * conda write it: every set-up eups product, the conda prefix (or the prefix of the python on
 * PATH), and any search-path directory that lies under none of those.
 *
 * <p>System directories ({@link #SYSTEM_PREFIXES}) are never roots: batch nodes have their own.
 */
final class EnvironmentCapture {
    /** Search paths eups and conda set, each a colon-separated list of directories. */
    static final List<String> SEARCH_PATHS = List.of("PATH", "PYTHONPATH", "LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH",
            "LSST_LIBRARY_PATH", "PKG_CONFIG_PATH", "CMAKE_PREFIX_PATH", "MANPATH", "CPATH", "LIBRARY_PATH");
    /** Where the operating system lives; a node has its own copy, so these are never exported. */
    static final List<Path> SYSTEM_PREFIXES = List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
            "/etc", "/proc", "/sys", "/dev", "/run", "/snap", "/var/lib").stream().map(Path::of).toList();

    /** {@code SETUP_<PRODUCT>="<product> <version> -f <flavor> -Z <eups path>"}; flags may be missing. */
    private static final Pattern SETUP = Pattern.compile("^\\s*(\\S+)\\s+(\\S+)(?:\\s+.*)?$");

    private EnvironmentCapture() {
    }

    /** Why a directory is exported: shown by {@code serve --dry-run}. */
    record Root(Path path, String reason) {
    }

    /**
     * The roots of the set-up in {@code env}, outermost only, each once. Bad eups variables and
     * missing product dirs are errors: exporting half a set-up would fail later, on the node.
     */
    static List<Root> roots(Map<String, String> env) {
        Map<Path, String> found = new LinkedHashMap<>();
        eupsProducts(env).forEach(r -> found.putIfAbsent(r.path(), r.reason()));
        condaPrefix(env).ifPresent(r -> found.putIfAbsent(r.path(), r.reason()));
        for (String var : SEARCH_PATHS) {
            String value = env.get(var);
            if (value == null) {
                continue;
            }
            for (String entry : value.split(":")) {
                if (entry.isEmpty() || !entry.startsWith("/")) {
                    continue; // relative entries depend on the cwd of the moment: not part of a set-up
                }
                Path dir = Path.of(entry).normalize();
                if (Files.isDirectory(dir) && !isSystem(dir)) {
                    found.putIfAbsent(dir, var + " entry");
                }
            }
        }
        return outermost(found);
    }

    static List<Root> eupsProducts(Map<String, String> env) {
        List<Root> roots = new ArrayList<>();
        env.keySet().stream().filter(k -> k.startsWith("SETUP_") && k.length() > "SETUP_".length()).sorted()
                .forEach(var -> {
                    Matcher m = SETUP.matcher(env.get(var));
                    if (!m.matches()) {
                        throw new UserError("cannot parse eups variable " + var + "='" + env.get(var)
                                + "'; eups writes \"<product> <version> -f <flavor> -Z <eups path>\": re-run `setup` for it");
                    }
                    String product = m.group(1);
                    String version = m.group(2);
                    String dirVar = product.toUpperCase(java.util.Locale.ROOT).replace('-', '_') + "_DIR";
                    String dir = env.get(dirVar);
                    if (dir == null && version.startsWith("LOCAL:")) {
                        dir = version.substring("LOCAL:".length());
                    }
                    if (dir == null || dir.isBlank()) {
                        throw new UserError("eups product " + product + " is set up (" + var + ") but " + dirVar
                                + " is not set; re-run `setup " + product + "` or unset " + var);
                    }
                    Path path = Path.of(dir).toAbsolutePath().normalize();
                    if (!Files.isDirectory(path)) {
                        throw new UserError("eups product " + product + " is set up but its directory " + path
                                + " (" + dirVar + ") is missing; re-run `setup " + product + "` or unset " + var);
                    }
                    if (!isSystem(path)) {
                        String kind = version.startsWith("LOCAL:") ? " (setup -r)" : " " + version;
                        roots.add(new Root(path, "eups product " + product + kind));
                    }
                });
        return roots;
    }

    /** The active conda environment, else the prefix of the python on PATH when it is a conda-like prefix. */
    static Optional<Root> condaPrefix(Map<String, String> env) {
        String conda = env.get("CONDA_PREFIX");
        if (conda != null && !conda.isBlank()) {
            Path prefix = Path.of(conda).toAbsolutePath().normalize();
            if (!Files.isDirectory(prefix)) {
                throw new UserError("CONDA_PREFIX=" + prefix + " is not a directory; activate the environment again"
                        + " or unset CONDA_PREFIX");
            }
            return isSystem(prefix) ? Optional.empty() : Optional.of(new Root(prefix, "conda prefix (CONDA_PREFIX)"));
        }
        for (String entry : env.getOrDefault("PATH", "").split(":")) {
            if (!entry.startsWith("/")) {
                continue;
            }
            Path bin = Path.of(entry).normalize();
            for (String python : List.of("python3", "python")) {
                if (Files.isExecutable(bin.resolve(python))) {
                    Path prefix = bin.getParent();
                    boolean condaLike = prefix != null && (Files.isDirectory(prefix.resolve("conda-meta"))
                            || Files.isRegularFile(prefix.resolve("pyvenv.cfg")));
                    return condaLike && !isSystem(prefix)
                            ? Optional.of(new Root(prefix, "prefix of " + bin.resolve(python)))
                            : Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    static boolean isSystem(Path dir) {
        if (dir.getNameCount() == 0) {
            return true; // "/" itself
        }
        return SYSTEM_PREFIXES.stream().anyMatch(dir::startsWith);
    }

    /** Drops every root that lies inside another, keeping the first reason given for each. */
    private static List<Root> outermost(Map<Path, String> found) {
        List<Path> sorted = new ArrayList<>(found.keySet());
        sorted.sort(Comparator.comparingInt(Path::getNameCount).thenComparing(Path::toString));
        List<Root> roots = new ArrayList<>();
        for (Path p : sorted) {
            if (roots.stream().noneMatch(r -> p.startsWith(r.path()))) {
                roots.add(new Root(p, found.get(p)));
            }
        }
        return roots;
    }
}
