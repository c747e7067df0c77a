package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SettingsTest {
    @TempDir
    Path tmp;

    private Map<String, String> env() throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", tmp.resolve("home").toString());
        env.put("XDG_CONFIG_HOME", tmp.resolve("xdg").toString());
        env.put("STACKSHARE_SITE_CONFIG", tmp.resolve("site.yaml").toString());
        return env;
    }

    private void write(String relative, String yaml) throws IOException {
        Path file = tmp.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
    }

    private MountCommand parseMount(Map<String, String> env, String... args) {
        CommandLine cli = Main.commandLine();
        SettingsDefaults.install(cli, env);
        String[] all = new String[args.length + 2];
        all[0] = "mount";
        System.arraycopy(args, 0, all, 1, args.length);
        all[all.length - 1] = "/mnt/x";
        CommandLine.ParseResult parsed = cli.parseArgs(all);
        return (MountCommand) parsed.subcommand().commandSpec().userObject();
    }

    @Test
    void userFileBeatsSiteFileAndACommandsSectionBeatsTopLevel() throws IOException {
        write("site.yaml", "server: http://site:1\ncache-size: 5G\nmemory-cache-mb: 32\n");
        write("xdg/stackshare/config.yaml", "server: http://user:2\nmount:\n  cache-size: 50G\ntoken-file: ~/tok\n");
        MountCommand mount = parseMount(env());
        assertEquals("http://user:2", mount.serverOptions.server);
        assertEquals("50G", mount.cacheSize);
        assertEquals("32", mount.memoryCacheMb, "from the site file, which the user's does not set");
        assertEquals(tmp.resolve("home/tok"), mount.serverOptions.tokenFile);
    }

    @Test
    void flagsAndTheEnvironmentBeatTheFiles() throws IOException {
        write("xdg/stackshare/config.yaml", "server: http://user:2\ncache-size: 50G\ntoken-file: /tok\n");
        Map<String, String> env = env();
        env.put("STACKSHARE_SERVER", "http://env:3");
        env.put("STACKSHARE_TOKEN", "secret");
        MountCommand mount = parseMount(env, "--cache-size", "1G");
        assertEquals("http://env:3", mount.serverOptions.server);
        assertEquals("1G", mount.cacheSize);
        assertEquals(null, mount.serverOptions.tokenFile, "STACKSHARE_TOKEN stands for --token-file");
    }

    @Test
    void badFilesAreRefusedNamingTheFileAndTheKey() throws IOException {
        write("xdg/stackshare/config.yaml", "cache-sise: 5G\n");
        UserError unknown = assertThrows(UserError.class, () -> parseMount(env()));
        assertTrue(unknown.getMessage().contains("config.yaml") && unknown.getMessage().contains("'cache-sise'")
                && unknown.getMessage().contains("cache-size"), unknown.getMessage());

        write("xdg/stackshare/config.yaml", "mount:\n  listen: 1.2.3.4:5\n");
        UserError wrongCommand = assertThrows(UserError.class, () -> parseMount(env()));
        assertTrue(wrongCommand.getMessage().contains("'mount: listen'"), wrongCommand.getMessage());

        write("xdg/stackshare/config.yaml", "server: [a, b\n");
        UserError yaml = assertThrows(UserError.class, () -> parseMount(env()));
        assertTrue(yaml.getMessage().contains("not valid YAML"), yaml.getMessage());

        write("xdg/stackshare/config.yaml", "server:\n  url: x\n");
        UserError nested = assertThrows(UserError.class, () -> parseMount(env()));
        assertTrue(nested.getMessage().contains("single value"), nested.getMessage());
    }

    @Test
    void configCommandShowsEachValueAndWhereItCameFrom() throws IOException {
        write("xdg/stackshare/config.yaml", "mount:\n  cache-size: 50G\n");
        Map<String, String> env = env();
        env.put("STACKSHARE_SERVER", "http://env:3");
        CommandLine cli = Main.commandLine();
        SettingsDefaults.install(cli, env);
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("config"));
        String text = out.toString();
        assertTrue(text.matches("(?s).*\\n  --cache-size +50G +" + java.util.regex.Pattern.quote(
                tmp.resolve("xdg/stackshare/config.yaml") + " (mount)") + "\\n.*"), text);
        assertTrue(text.matches("(?s).*\\n  --server +http://env:3 +environment STACKSHARE_SERVER\\n.*"), text);
        assertTrue(text.matches("(?s).*\\n  --memory-cache-mb +auto +built-in default\\n.*"), text);
        assertTrue(text.contains("site config: " + tmp.resolve("site.yaml") + " (none)"), text);
    }

    @Test
    void aCommandBuiltAloneStillChecksTheFileAgainstEveryCommand() throws IOException {
        write("xdg/stackshare/config.yaml", "mount:\n  cache-size: 50G\nstate-dir: /srv/state\n");
        CommandLine cli = Main.commandLine("publish");
        SettingsDefaults.install(cli, env());
        PublishCommand publish = (PublishCommand) cli.parseArgs("publish").subcommand().commandSpec().userObject();
        assertEquals(Path.of("/srv/state"), publish.stateDir);

        write("xdg/stackshare/config.yaml", "mount:\n  cache-sise: 50G\n");
        UserError typo = assertThrows(UserError.class, () -> SettingsDefaults.install(Main.commandLine("publish"), env()));
        assertTrue(typo.getMessage().contains("'mount: cache-sise'"), typo.getMessage());
    }

    /** {@code args} parsed as a command line that names its command, with the files' defaults. */
    private Object parsed(String... args) throws IOException {
        CommandLine cli = Main.commandLine(args);
        SettingsDefaults.install(cli, env());
        return cli.parseArgs(args).subcommand().commandSpec().userObject();
    }

    @Test
    void serveKeepsTheVariablesTheFileNamesAndAFlagReplacesThem() throws IOException {
        write("xdg/stackshare/config.yaml", "serve:\n  keep-env: GITHUB_PAT,HTTP_PROXY\n");
        assertEquals(List.of("GITHUB_PAT", "HTTP_PROXY"), ((ServeCommand) parsed("serve")).keepEnv);
        assertEquals(List.of("DB_PWD", "A", "B"),
                ((ServeCommand) parsed("serve", "--keep-env", "DB_PWD", "--keep-env", "A,B")).keepEnv);
    }
}
