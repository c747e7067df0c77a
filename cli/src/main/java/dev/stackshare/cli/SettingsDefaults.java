package dev.stackshare.cli;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Gives picocli the config files' values as option defaults, so the order is: a flag, then the
 * environment variable that stands for the option, then the user's file, then the site's, then
 * the built-in default.
 */
final class SettingsDefaults implements CommandLine.IDefaultValueProvider {
    private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)");
    /** Environment variables that stand for an option without being named in its annotated default. */
    private static final Map<String, String> ALSO_SET_BY = Map.of("token-file", "STACKSHARE_TOKEN");

    /** Where an option's effective default comes from, as `stackshare config` shows it. */
    enum Origin { CONFIG, ENVIRONMENT, BUILT_IN }

    private final Settings settings;
    private final Map<String, String> env;

    SettingsDefaults(Settings settings, Map<String, String> env) {
        this.settings = settings;
        this.env = Map.copyOf(env);
    }

    /** Installs the files' defaults on {@code cli} and its subcommands. */
    static SettingsDefaults install(CommandLine cli, Map<String, String> env) {
        // Every command's options, not only those of cli, which may hold just the command being run.
        SettingsDefaults defaults = new SettingsDefaults(
                Settings.load(env, () -> optionsByCommand(Main.commandLine())), env);
        cli.setDefaultValueProvider(defaults);
        return defaults;
    }

    Settings settings() {
        return settings;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        String variable = environmentVariable(arg);
        if (variable != null) {
            // The variable's own value (what the annotation would interpolate), from the same
            // environment the files were found through; one that stands for the option in
            // another form (STACKSHARE_TOKEN for --token-file) leaves the option unset.
            return ALSO_SET_BY.containsValue(variable) ? null : env.get(variable);
        }
        Settings.Value value = configured(arg);
        return value == null ? null : value.value();
    }

    /** The config files' value for this option, unless a flag-standing environment variable is set; else null. */
    Settings.Value configured(ArgSpec arg) {
        String name = longName(arg);
        if (name == null || environmentVariable(arg) != null) {
            return null;
        }
        return settings.lookup(commandName(arg.command()), name);
    }

    /** The environment variable set for this option (e.g. STACKSHARE_SERVER for --server), or null. */
    String environmentVariable(ArgSpec arg) {
        String name = longName(arg);
        if (name == null) {
            return null;
        }
        String also = ALSO_SET_BY.get(name);
        if (also != null && env.get(also) != null) {
            return also;
        }
        String annotated = annotatedDefault(arg);
        if (annotated != null) {
            Matcher m = ENV.matcher(annotated);
            while (m.find()) {
                if (env.get(m.group(1)) != null) {
                    return m.group(1);
                }
            }
        }
        return null;
    }

    /**
     * The default as written in the annotation, e.g. {@code ${env:STACKSHARE_SERVER}}: picocli's own
     * accessors give it interpolated, or ask this provider first.
     */
    private static String annotatedDefault(ArgSpec arg) {
        if (arg.userObject() instanceof Field field) {
            CommandLine.Option option = field.getAnnotation(CommandLine.Option.class);
            if (option != null && !CommandLine.Option.NULL_VALUE.equals(option.defaultValue())) {
                return option.defaultValue();
            }
        }
        return null;
    }

    static String longName(ArgSpec arg) {
        if (arg instanceof OptionSpec option && option.longestName().startsWith("--")) {
            return option.longestName().substring(2);
        }
        return null;
    }

    /** "mount", or "bench publish" for a subcommand's subcommand. */
    static String commandName(CommandLine.Model.CommandSpec spec) {
        String qualified = spec.qualifiedName(" ");
        int space = qualified.indexOf(' ');
        return space < 0 ? qualified : qualified.substring(space + 1);
    }

    /** Every command below the top one, with the long option names (without dashes) it takes. */
    static Map<String, Set<String>> optionsByCommand(CommandLine top) {
        Map<String, Set<String>> commands = new TreeMap<>();
        collect(top, commands);
        commands.remove(commandName(top.getCommandSpec()));
        return commands;
    }

    private static void collect(CommandLine cli, Map<String, Set<String>> into) {
        Set<String> names = new TreeSet<>();
        for (OptionSpec option : cli.getCommandSpec().options()) {
            String name = longName(option);
            if (name != null && !option.usageHelp() && !option.versionHelp() && !option.hidden()) {
                names.add(name);
            }
        }
        into.put(commandName(cli.getCommandSpec()), names);
        cli.getSubcommands().values().forEach(sub -> collect(sub, into));
    }
}
