package dev.icetune.cli;

import dev.icetune.cli.command.ApplyCommand;
import dev.icetune.cli.command.DemoCommand;
import dev.icetune.cli.command.EvaluateCommand;
import dev.icetune.cli.command.LintCommand;
import dev.icetune.cli.command.MigrateCommand;
import dev.icetune.cli.command.RecommendationsCommand;
import dev.icetune.cli.command.ReportCommand;
import dev.icetune.cli.command.RollbackCommand;
import dev.icetune.cli.command.RulesCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/** The root command: the options every command shares, and the {@link Context} they all use, built once. */
@Command(name = "icetune", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "The Trino + Iceberg query-optimization runbook, run by software.",
        subcommands = {EvaluateCommand.class, RecommendationsCommand.class, ApplyCommand.class, RollbackCommand.class, ReportCommand.class,
                LintCommand.class, RulesCommand.class, MigrateCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class IcetuneCommand
        implements AutoCloseable
{
    @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE", defaultValue = "icetune.properties",
            description = "properties file: icetune.db.*, windows, approvers, Trino, iceberg.catalog.*, iceberg.catalogs.NAME.* (default: ${DEFAULT-VALUE})")
    Path config;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> environment;
    private Context context;

    IcetuneCommand(PrintStream out, PrintStream err, Map<String, String> environment)
    {
        this.out = out;
        this.err = err;
        this.environment = environment;
    }

    public Context context()
    {
        if (context == null) {
            context = new Context(config, environment);
        }
        return context;
    }

    public PrintStream out()
    {
        return out;
    }

    public PrintStream err()
    {
        return err;
    }

    public Map<String, String> environment()
    {
        return environment;
    }

    @Override
    public void close()
    {
        if (context != null) {
            context.close();
        }
    }
}
