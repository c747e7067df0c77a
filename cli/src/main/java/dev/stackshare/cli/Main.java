package dev.stackshare.cli;

import java.io.IOException;
import java.io.PrintWriter;
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
        },
        subcommands = {
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
            CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {
    static final int HELP_WIDTH = 100;

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
        int code = run(args);
        // Else the JVM's exit waits 0.3 s for the HTTP client's selector thread (see HttpClients).
        dev.stackshare.client.HttpClients.stopAll();
        System.exit(code);
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
        CommandLine cli = new CommandLine(new Main());
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
