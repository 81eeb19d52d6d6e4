package dev.icetune.engine;

import dev.icetune.engine.rules.RuleBook;
import dev.icetune.engine.rules.Scenarios;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
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
        assertThat(book.ruleNames()).isNotEmpty();
        assertThat(Scenarios.untested(book, Scenarios.run(book, RULES.resolve("scenarios")))).isEmpty();
    }

    /** A team's rule added without a scenario, or with only scenarios that fire it, is said untested. */
    @Test
    void aRuleWithoutItsScenariosIsSaidUntested()
    {
        RuleBook book = RuleBook.load(RULES);
        List<Scenarios.Result> results = Scenarios.run(book, RULES.resolve("scenarios")).stream()
                .filter(result -> !(result.file().equals("skew.json") && result.expected().isEmpty()) && !result.file().equals("spill.json")).toList();
        assertThat(Scenarios.untested(book, results)).extracting(result -> result.scenario() + ": " + result.error()).containsExactly(
                "rule skew: no scenario of skew.json expects nothing: add one whose facts come near its conditions and must not fire it",
                "rule spill: no scenario expects it: add one whose expect names it, and one in the same file that expects nothing");
    }

    /** A rule author's slip in a scenario file: where it is and what is wrong, in the file's own terms. */
    @Test
    void aBrokenScenarioFileSaysWhereAndWhatInItsOwnTerms(@TempDir Path scenarios)
            throws IOException
    {
        Files.writeString(scenarios.resolve("a-object.json"), "{\"name\": \"one scenario, not in a list\"}");
        Files.writeString(scenarios.resolve("b-unknown.json"), """
                [{"name": "x", "facts": {"tables": [{"table": "iceberg.demo.t", "dataFile": 3}]}, "expect": []}]""");
        Files.writeString(scenarios.resolve("c-text.json"), """
                [{"name": "x",
                  "facts": {"tables": [{"table": "iceberg.demo.t", "dataFiles": "many"}]}, "expect": []}]""");
        Files.writeString(scenarios.resolve("d-malformed.json"), "[{\"name\": \"x\",, }]");

        assertThat(Scenarios.run(RuleBook.load(RULES), scenarios)).extracting(Scenarios.Result::error).satisfiesExactly(
                error -> assertThat(error).isEqualTo("line 1, column 1: a scenario file holds a JSON array of scenarios: [{\"name\": ..., \"facts\": {...}, \"expect\": [...]}, ...]"),
                error -> assertThat(error).startsWith("line 1, column 79: [0].facts.tables[0].dataFile: unknown field \"dataFile\" (known here: ").contains(", dataFiles, "),
                error -> assertThat(error).isEqualTo("line 2, column 65: [0].facts.tables[0].dataFiles: 'many' is not a whole number"),
                error -> assertThat(error).isEqualTo("line 1, column 15: [0]: Unexpected character (',' (code 44)): was expecting double-quote to start field name"));
    }
}
