package dev.icetune.cli.command;

import dev.icetune.engine.rules.RuleBook;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;

@Command(name = "validate", description = "Compile every DRL file and read the thresholds; print each error with file and line.")
final class ValidateCommand
        extends ContextCommand
{
    @ParentCommand
    RulesCommand rules;

    @Override
    public Integer call()
    {
        Path directory = rules.directory(context()).toAbsolutePath().normalize();
        RuleBook book = RuleBook.load(directory);
        out().printf("%d rules in %s compile; %d thresholds.%n", book.ruleNames().size(), directory, book.thresholds().values().size());
        book.ruleNames().forEach(name -> out().println("  " + name));
        return 0;
    }
}
