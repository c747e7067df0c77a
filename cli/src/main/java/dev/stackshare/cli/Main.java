package dev.stackshare.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The single {@code stackshare} command; each subcommand is a class of its own. */
@Command(name = "stackshare",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Run a developer's live, uncommitted software stack on batch nodes.",
            "",
            "On the interactive host: `serve` exports directories as immutable snapshots and",
            "`publish` freezes the current state. On a batch node: `mount` shows a snapshot",
            "read-only, each root under its original absolute path, fetching file content lazily.",
        })
public final class Main implements Runnable {
    static final int HELP_WIDTH = 100;

    /**
     * The subcommands, in the order help lists them. A command line that names one gets only that
     * one: picocli's model of all of them took 0.1-0.2 s of every start (docs/performance.md).
     */
    private static final List<Class<?>> SUBCOMMANDS = List.of(
            ServeCommand.class,
            PublishCommand.class,
            MountCommand.class,
            UnmountCommand.class,
            SnapshotsCommand.class,
            GcCommand.class,
            EnvCommand.class,
            ExecCommand.class,
            BenchCommand.class,
            StatusCommand.class,
            ConfigCommand.class,
            CommandLine.HelpCommand.class);

    /** Commands that look at all the others: help lists them, config shows every command's settings. */
    private static final Set<String> NEED_ALL = Set.of("help", "config");

    /** The log level of stackshare's own loggers, set from --verbose before any logger exists. */
    static final String OUR_LOG_LEVEL = "org.slf4j.simpleLogger.log.dev.stackshare";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Log more: every request, batch, retry and cache decision (debug level), on stderr or in the mount's log.")
    boolean verbose;

    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("exec") || args[0].equals("env"))) {
            // The job's own output is what matters there: only warnings from us.
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        if (verbose(args)) {
            System.setProperty(OUR_LOG_LEVEL, "debug");
        }
        System.exit(run(args));
    }

    /** Whether --verbose is among stackshare's own arguments (not the command that exec runs, after --). */
    static boolean verbose(String... args) {
        for (String a : args) {
            if (a.equals("--")) {
                return false;
            }
            if (a.equals("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /** Runs the command line and returns the exit code; tests call this without exiting the JVM. */
    static int run(String... args) {
        return run(System.getenv(), args);
    }

    /** As {@link #run(String...)}, reading the config files {@code env} points to. */
    static int run(java.util.Map<String, String> env, String... args) {
        CommandLine cli = commandLine(args);
        cli.setExecutionExceptionHandler(Main::reportFailure);
        try {
            SettingsDefaults.install(cli, env);
        } catch (UserError e) {
            cli.getErr().println("stackshare: " + e.getMessage());
            cli.getErr().flush();
            return 1;
        }
        // Descriptions are written as lines of up to 90 characters; picocli's 80 would break them mid-sentence.
        cli.setUsageHelpWidth(HELP_WIDTH);
        return cli.execute(args);
    }

    /** The command line with every subcommand, as help shows it. */
    static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The command line for {@code args}: with only the subcommand they name, or every subcommand
     * when they name none (help, a typo, no arguments) or one that needs the others.
     */
    static CommandLine commandLine(String... args) {
        String named = subcommandNamed(args);
        CommandLine cli = new CommandLine(new Main());
        for (Class<?> command : SUBCOMMANDS) {
            String name = command.getAnnotation(Command.class).name();
            if (named == null || named.equals(name)) {
                cli.addSubcommand(name, command);
            }
        }
        return cli;
    }

    /** The subcommand the first word that is not an option names, if it is one that stands alone; else null. */
    private static String subcommandNamed(String... args) {
        for (String arg : args) {
            if (!arg.startsWith("-")) {
                boolean known = SUBCOMMANDS.stream()
                        .anyMatch(command -> command.getAnnotation(Command.class).name().equals(arg));
                return known && !NEED_ALL.contains(arg) ? arg : null;
            }
        }
        return null;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * A failure a person can act on is one line on stderr and exit code 1; only a bug gets
     * a stack trace.
     */
    private static int reportFailure(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        if (e instanceof IOException || e instanceof UserError || e instanceof dev.stackshare.bench.BenchException) {
            err.println("stackshare: " + e.getMessage());
        } else {
            err.println("stackshare: internal error: " + e);
            e.printStackTrace(err);
        }
        err.flush();
        return 1;
    }
}
