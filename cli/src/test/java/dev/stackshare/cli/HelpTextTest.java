package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HelpTextTest {
    /** Every description line of every command shows whole in its --help, never broken mid-sentence. */
    @Test
    void descriptionLinesAreNotRewrapped() {
        List<CommandLine> commands = new ArrayList<>();
        CommandLine top = Main.commandLine();
        commands.add(top);
        top.getSubcommands().values().forEach(sub -> {
            commands.add(sub);
            commands.addAll(sub.getSubcommands().values());
        });
        int checked = 0;
        for (CommandLine cli : commands) {
            if (cli.getCommand() instanceof CommandLine.HelpCommand) {
                continue; // picocli's own, written with format specifiers
            }
            StringWriter out = new StringWriter();
            cli.setUsageHelpWidth(Main.HELP_WIDTH);
            cli.usage(new PrintWriter(out));
            for (String line : cli.getCommandSpec().usageMessage().description()) {
                assertTrue(out.toString().contains(line.strip()),
                        cli.getCommandName() + " --help breaks the line: " + line);
                checked++;
            }
        }
        assertTrue(checked > 30, "only " + checked + " description lines found");
    }

    @Test
    void verboseIsAcceptedByEveryCommandButNotTakenFromTheCommandExecRuns() {
        CommandLine cli = Main.commandLine();
        cli.parseArgs("mount", "--verbose", "--server", "http://h:1", "/mnt/x");
        cli.parseArgs("publish", "--verbose");
        assertTrue(Main.verbose("exec", "--verbose", "--", "ls"));
        assertTrue(!Main.verbose("exec", "--", "tool", "--verbose"));
    }

    @Test
    void aCommandLineThatNamesACommandGetsOnlyThatOneAndHelpGetsAll() {
        Set<String> all = Main.commandLine().getSubcommands().keySet();
        assertTrue(all.containsAll(Set.of("serve", "publish", "mount", "exec", "config", "help")), all.toString());
        assertEquals(Set.of("publish"), Main.commandLine("--verbose", "publish", "--view", "x").getSubcommands().keySet());
        assertEquals(all, Main.commandLine("help", "publish").getSubcommands().keySet());
        assertEquals(all, Main.commandLine("config").getSubcommands().keySet());
        assertEquals(all, Main.commandLine("publsh").getSubcommands().keySet()); // so picocli can suggest the right one
        assertEquals(all, Main.commandLine("--version").getSubcommands().keySet());
        // The inherited option reaches a command added alone.
        Main.commandLine("publish").parseArgs("publish", "--verbose");
    }
}
