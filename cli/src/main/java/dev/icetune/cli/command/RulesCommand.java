package dev.icetune.cli.command;

import dev.icetune.cli.Context;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.nio.file.Files;
import java.nio.file.Path;

/** The platform team's rule editing: compile, and run the scenarios. Needs no configuration file, and reads the one there is. */
@Command(name = "rules", description = "Check the platform team's rules: validate compiles them, test runs their scenarios, facts lists what they can match.",
        subcommands = {ValidateCommand.class, TestCommand.class, FactsCommand.class, CommandLine.HelpCommand.class})
public final class RulesCommand
{
    @Option(names = "--dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "rules directory (default: those the configuration's evaluate loads, its icetune.rules.dir; without a configuration file, rules/ here, else the installation's rules/)")
    Path directory;

    /**
     * --dir; else the rules evaluate loads with this configuration, when its file is there (checking others said "compile" of rules
     * that were not the ones in use); else rules/ here, else the installation's.
     */
    Path directory(Context context)
    {
        if (directory != null) {
            return directory;
        }
        return Files.isRegularFile(context.configFile()) ? context.settings().rulesDirectory() : context.standardRules();
    }
}
