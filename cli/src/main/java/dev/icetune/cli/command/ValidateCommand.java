package dev.icetune.cli.command;

import dev.icetune.cli.IcetuneCli;
import dev.icetune.cli.JsonOutput;
import dev.icetune.engine.rules.RuleBook;
import dev.icetune.engine.rules.RuleBookException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

@Command(name = "validate", description = "Compile every DRL file and read the thresholds; print each error with file and line.")
final class ValidateCommand
        extends ContextCommand
{
    @ParentCommand
    RulesCommand rules;

    @Option(names = "--json", description = "print JSON: the directory, and its rules and thresholds, or its problems")
    boolean json;

    @Override
    public Integer call()
    {
        Path directory = rules.directory(context()).toAbsolutePath().normalize();
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("directory", directory.toString());
        RuleBook book;
        try {
            book = RuleBook.load(directory, context().compiledRules(), () -> progress("compiling the rules in " + directory));
        }
        catch (RuleBookException e) {
            if (!json) {
                throw e;
            }
            // a script reads what is wrong where it reads what is right, and fails on the exit code
            document.put("problems", e.problems());
            out().println(JsonOutput.write(document));
            return IcetuneCli.FAILED;
        }
        if (json) {
            document.put("rules", book.ruleNames());
            document.put("thresholds", book.thresholds().values().size());
            document.put("warnings", book.warnings());
            out().println(JsonOutput.write(document));
            return 0;
        }
        out().printf("%d rules in %s compile; %d thresholds.%n", book.ruleNames().size(), directory, book.thresholds().values().size());
        book.ruleNames().forEach(name -> out().println("  " + name));
        book.warnings().forEach(this::warning);
        return 0;
    }
}
