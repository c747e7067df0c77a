package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HelpTextTest {
    /** Every description line of every command shows whole in its --help, never broken mid-sentence. */
    @Test
    void descriptionLinesAreNotRewrapped() {
        List<CommandLine> commands = new ArrayList<>();
        CommandLine top = new CommandLine(new Main());
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
        CommandLine cli = new CommandLine(new Main());
        cli.parseArgs("mount", "--verbose", "--server", "http://h:1", "/mnt/x");
        cli.parseArgs("publish", "--verbose");
        assertTrue(Main.verbose("exec", "--verbose", "--", "ls"));
        assertTrue(!Main.verbose("exec", "--", "tool", "--verbose"));
    }
}
