package dev.stackshare.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Defaults a site and a user set once, in YAML: the site-wide file, then the user's, which wins.
 * A top-level key is an option's long name without its dashes ({@code cache-size: 50G}) and
 * applies to every command that has that option; a key that names a command holds settings for
 * that command only ({@code mount: {cache-size: 50G}}), which win over the top-level ones.
 *
 * <pre>
 * site:  $STACKSHARE_SITE_CONFIG, else /etc/stackshare/config.yaml
 * user:  $STACKSHARE_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/stackshare/config.yaml
 * </pre>
 */
final class Settings {
    static final Path SITE_DEFAULT = Path.of("/etc/stackshare/config.yaml");

    /** One setting's value and the file (and section) it came from. */
    record Value(String value, String source) {
    }

    /** The files read, in order (site, then user), whether or not they exist. */
    private final List<Path> files;
    /** Key: "OPTION" for top-level settings, "COMMAND.OPTION" for a command's section. */
    private final Map<String, Value> values;

    private Settings(List<Path> files, Map<String, Value> values) {
        this.files = List.copyOf(files);
        this.values = values;
    }

    List<Path> files() {
        return files;
    }

    static Path siteFile(Map<String, String> env) {
        String given = env.get("STACKSHARE_SITE_CONFIG");
        return given == null || given.isBlank() ? SITE_DEFAULT : Path.of(given);
    }

    static Path userFile(Map<String, String> env) {
        String given = env.get("STACKSHARE_CONFIG");
        if (given != null && !given.isBlank()) {
            return Path.of(given);
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && xdg.startsWith("/") ? Path.of(xdg) : Path.of(env.getOrDefault("HOME", "/"), ".config");
        return base.resolve("stackshare/config.yaml");
    }

    /**
     * Reads the site's and the user's files. {@code commands} maps each command name to the
     * long option names (without dashes) it has: any other key is refused, naming the file. It is
     * asked for only when a file exists, since building every command's model takes a while.
     */
    static Settings load(Map<String, String> env, Supplier<Map<String, Set<String>>> commands) {
        List<Path> files = List.of(siteFile(env), userFile(env));
        Map<String, Value> values = new LinkedHashMap<>();
        for (Path file : files) {
            read(file, commands, env.getOrDefault("HOME", ""), values);
        }
        return new Settings(files, values);
    }

    /** The value for {@code option} of {@code command}: its section's first, else a top-level one; null if none. */
    Value lookup(String command, String option) {
        Value own = values.get(command + "." + option);
        return own != null ? own : values.get(option);
    }

    Map<String, Value> all() {
        return values;
    }

    private static void read(Path file, Supplier<Map<String, Set<String>>> knownCommands, String home,
            Map<String, Value> into) {
        JsonNode root;
        try {
            String text = Files.readString(file);
            root = new ObjectMapper(new YAMLFactory()).readTree(text);
        } catch (NoSuchFileException e) {
            return; // before the YAML parser is made: most starts have no file, and Jackson's start costs 50 ms
        } catch (JacksonException e) {
            throw new UserError("config file " + file + " is not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UserError("cannot read config file " + file + ": " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return; // empty file
        }
        if (!root.isObject()) {
            throw new UserError("config file " + file + " must be a mapping of settings, like `cache-size: 50G`");
        }
        Map<String, Set<String>> commands = knownCommands.get();
        Set<String> allOptions = new java.util.TreeSet<>();
        commands.values().forEach(allOptions::addAll);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            if (field.getValue().isObject() && commands.containsKey(key)) {
                for (Iterator<Map.Entry<String, JsonNode>> own = field.getValue().fields(); own.hasNext(); ) {
                    Map.Entry<String, JsonNode> setting = own.next();
                    check(file, key + ": " + setting.getKey(), commands.get(key).contains(setting.getKey()),
                            commands.get(key));
                    into.put(key + "." + setting.getKey(), new Value(scalar(file, key + "." + setting.getKey(),
                            setting.getValue(), home), file + " (" + key + ")"));
                }
            } else {
                check(file, key, allOptions.contains(key), allOptions);
                into.put(key, new Value(scalar(file, key, field.getValue(), home), file.toString()));
            }
        }
    }

    private static void check(Path file, String key, boolean known, Set<String> options) {
        if (!known) {
            throw new UserError("config file " + file + " sets '" + key + "', which is no option here; settings are "
                    + "long option names without the dashes (" + String.join(", ", new ArrayList<>(options)) + ")"
                    + ", or a command name holding its own");
        }
    }

    /** A scalar as the option would take it on the command line; a leading ~/ is the user's home. */
    private static String scalar(Path file, String key, JsonNode node, String home) {
        if (!node.isValueNode() || node.isNull()) {
            throw new UserError("config file " + file + ": '" + key + "' must be a single value, like on the command line");
        }
        String text = node.asText();
        return text.startsWith("~/") && !home.isEmpty() ? home + text.substring(1) : text;
    }
}
