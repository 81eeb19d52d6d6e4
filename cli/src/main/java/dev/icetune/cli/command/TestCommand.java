package dev.icetune.cli.command;

import dev.icetune.cli.IcetuneCli;
import dev.icetune.cli.JsonOutput;
import dev.icetune.engine.rules.RuleBook;
import dev.icetune.engine.rules.Scenarios;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

@Command(name = "test", description = "Run the scenarios in <dir>/scenarios: facts in, expected recommendations out; a rule no scenario "
        + "expects, or with none of its file expecting nothing, fails as untested.")
final class TestCommand
        extends ContextCommand
{
    @ParentCommand
    RulesCommand rules;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call()
    {
        Path directory = rules.directory(context()).toAbsolutePath().normalize();
        RuleBook book = RuleBook.load(directory, context().compiledRules(), () -> progress("compiling the rules in " + directory));
        List<Scenarios.Result> scenarios = Scenarios.run(book, directory.resolve("scenarios"));
        List<Scenarios.Result> results = new ArrayList<>(scenarios);
        results.addAll(Scenarios.untested(book, scenarios));
        long failed = results.stream().filter(result -> !result.passed()).count();
        if (json) {
            out().println(JsonOutput.write(results));
        }
        else {
            for (Scenarios.Result result : results) {
                out().printf("%s  %s: %s%n", result.passed() ? "PASS" : "FAIL", result.file(), result.scenario());
                if (!result.passed()) {
                    if (result.error() != null) {
                        out().println("      error: " + result.error());
                    }
                    if (!result.missing().isEmpty()) {
                        out().println("      expected but not produced: " + result.missing());
                    }
                    if (!result.unexpected().isEmpty()) {
                        out().println("      produced but not expected: " + result.unexpected());
                    }
                }
            }
            out().printf("%d passed, %d failed%n", results.size() - failed, failed);
        }
        if (scenarios.isEmpty()) {
            err().println("icetune: no scenarios in " + directory.resolve("scenarios"));
        }
        // after the results, where a rule author looks: a threshold changed under a misspelt name is why a scenario did not move
        book.warnings().forEach(this::warning);
        return failed == 0 && !scenarios.isEmpty() ? 0 : IcetuneCli.FAILED;
    }
}
