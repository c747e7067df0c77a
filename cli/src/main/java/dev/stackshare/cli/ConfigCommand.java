package dev.stackshare.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "config",
        mixinStandardHelpOptions = true,
        description = {
            "Show the effective default of every option, and where each comes from.",
            "",
            "Defaults a site or a user sets once live in YAML files: the site's",
            "($STACKSHARE_SITE_CONFIG, else /etc/stackshare/config.yaml), then the user's",
            "($STACKSHARE_CONFIG, else ${XDG_CONFIG_HOME:-~/.config}/stackshare/config.yaml), which wins.",
            "A key is an option's long name without its dashes and applies to every command that",
            "has it; a key naming a command holds settings for that command only. For example:",
            "",
            "  server: http://cache.example:8080,http://devhost.example:7878",
            "  token-file: ~/.config/stackshare/token",
            "  mount:",
            "    cache-size: 50G",
            "",
            "A flag beats the environment variable that stands for it (STACKSHARE_SERVER, ...), which",
            "beats the user's file, which beats the site's, which beats the built-in default.",
        })
final class ConfigCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print JSON (files, and one object per command and option) for scripts.")
    boolean json;

    /** One option's effective default. */
    record Setting(String command, String option, String value, String source) {
    }

    /** What `config --json` prints. */
    record Report(List<FileState> files, List<Setting> settings) {
    }

    record FileState(String role, String path, boolean exists) {
    }

    @Override
    public Integer call() throws IOException {
        SettingsDefaults defaults = (SettingsDefaults) spec.root().defaultValueProvider();
        List<Path> files = defaults.settings().files();
        List<FileState> states = List.of(
                new FileState("site", files.get(0).toString(), Files.isRegularFile(files.get(0))),
                new FileState("user", files.get(1).toString(), Files.isRegularFile(files.get(1))));
        List<Setting> settings = new ArrayList<>();
        for (CommandLine sub : spec.root().commandLine().getSubcommands().values()) {
            collect(sub, defaults, settings);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(new Report(states, settings)));
        } else {
            for (FileState f : states) {
                out.printf("%s config: %s%s%n", f.role(), f.path(), f.exists() ? "" : " (none)");
            }
            String command = null;
            for (Setting s : settings) {
                if (!s.command().equals(command)) {
                    command = s.command();
                    out.printf("%n%s%n", command);
                }
                out.printf("  --%-22s %-40s %s%n", s.option(), s.value(), s.source());
            }
        }
        out.flush();
        return 0;
    }

    private static void collect(CommandLine cli, SettingsDefaults defaults, List<Setting> into) {
        if (cli.getCommand() instanceof CommandLine.HelpCommand) {
            return;
        }
        String command = SettingsDefaults.commandName(cli.getCommandSpec());
        for (OptionSpec option : cli.getCommandSpec().options()) {
            String name = SettingsDefaults.longName(option);
            if (name == null || option.usageHelp() || option.versionHelp() || option.hidden()) {
                continue;
            }
            Settings.Value configured = defaults.configured(option);
            String variable = defaults.environmentVariable(option);
            String value = option.defaultValue(); // the annotation's, interpolated
            if (configured != null) {
                into.add(new Setting(command, name, configured.value(), configured.source()));
            } else if (variable != null) {
                String fromEnvironment = defaults.defaultValue(option);
                into.add(new Setting(command, name, fromEnvironment == null ? "(the token itself)" : fromEnvironment,
                        "environment " + variable));
            } else if (value != null && !value.isEmpty() && !(option.typeInfo().isBoolean() && value.equals("false"))) {
                into.add(new Setting(command, name, value, "built-in default"));
            }
        }
        cli.getSubcommands().values().forEach(sub -> collect(sub, defaults, into));
    }
}
