package dev.icetune.engine;

import dev.icetune.engine.rules.RuleBook;
import dev.icetune.engine.rules.Scenarios;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every shipped rule through its scenarios in rules/scenarios, as `icetune rules test` runs them. */
class TestShippedRules
{
    static final Path RULES = Path.of("../rules");

    @Test
    void everyScenarioPasses()
    {
        List<Scenarios.Result> results = Scenarios.run(RuleBook.load(RULES), RULES.resolve("scenarios"));

        assertThat(results).isNotEmpty();
        assertThat(results).allSatisfy(result -> assertThat(result.passed()).as(result.toString()).isTrue());
    }

    /** A rule is tested only if one scenario expects it and another, of its own file, expects nothing at all. */
    @Test
    void everyRuleHasAScenarioExpectingItAndOneExpectingNothing()
    {
        RuleBook book = RuleBook.load(RULES);
        List<Scenarios.Result> results = Scenarios.run(book, RULES.resolve("scenarios"));

        assertThat(book.ruleNames()).isNotEmpty();
        for (String rule : book.ruleNames()) {
            List<Scenarios.Result> expectingIt = results.stream().filter(result -> result.expected().stream().anyMatch(key -> key.startsWith(rule + ":"))).toList();
            assertThat(expectingIt).as("a scenario expecting " + rule).isNotEmpty();
            String file = expectingIt.getFirst().file();
            assertThat(results).as("a scenario of " + file + " expecting nothing").anyMatch(result -> result.file().equals(file) && result.expected().isEmpty());
        }
    }
}
