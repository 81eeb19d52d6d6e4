package dev.icetune.rules;

import dev.icetune.rules.engine.RuleBook;
import dev.icetune.rules.engine.Scenarios;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

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

    @Test
    void everyRuleHasAPositiveAndANegativeScenario()
    {
        RuleBook book = RuleBook.load(RULES);
        List<Scenarios.Result> results = Scenarios.run(book, RULES.resolve("scenarios"));
        Set<String> files = results.stream().map(Scenarios.Result::file).collect(Collectors.toSet());

        assertThat(book.ruleNames()).hasSize(12);
        // one scenario file per DRL file, each with a scenario that fires and one that must not
        assertThat(files).hasSize(11);
        for (String file : files) {
            assertThat(results.stream().filter(result -> result.file().equals(file)).count()).as(file).isGreaterThanOrEqualTo(2);
        }
    }
}
