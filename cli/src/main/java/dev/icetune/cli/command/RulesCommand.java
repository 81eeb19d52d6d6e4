package dev.icetune.cli.command;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The platform team's rule editing: compile, and run the scenarios. Needs no configuration file. */
@Command(name = "rules", description = "Check the platform team's rules: validate compiles them, test runs their scenarios.",
        subcommands = {ValidateCommand.class, TestCommand.class, CommandLine.HelpCommand.class})
public final class RulesCommand
{
    @Option(names = "--dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "rules directory (default: rules/ here, else the installation's rules/)")
    Path directory;

    Path directory()
    {
        return directory != null ? directory : standard();
    }

    /** rules/ in the working directory; else the installation's own. */
    static Path standard()
    {
        Path here = Path.of("rules");
        if (Files.isDirectory(here)) {
            return here;
        }
        return Optional.ofNullable(System.getenv("ICETUNE_HOME")).map(home -> Path.of(home, "rules")).filter(Files::isDirectory).orElse(here);
    }
}
