package dev.icetune.engine.rules;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.icetune.engine.facts.LoadFact;
import dev.icetune.engine.facts.PatternFact;
import dev.icetune.engine.facts.PredicateFact;
import dev.icetune.engine.facts.TableFact;
import dev.icetune.engine.facts.TableScanFact;
import dev.icetune.engine.model.Recommendation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The platform team's tests of its own rule edits: {@code rules/scenarios/*.json}, each a list of
 * scenarios (facts in, the recommendations expected out, by rule and target). A scenario passes when the
 * rules produce exactly the expected recommendations, no more and no fewer.
 */
public final class Scenarios
{
    public record Expected(String rule, String target) {}

    public record Facts(List<TableScanFact> tableScans, List<TableFact> tables, List<PatternFact> patterns,
            List<PredicateFact> predicates, List<LoadFact> load)
    {
        List<Object> all()
        {
            List<Object> all = new ArrayList<>();
            Stream.of(tableScans, tables, patterns, predicates, load).filter(list -> list != null).forEach(all::addAll);
            return all;
        }
    }

    public record Scenario(String name, Map<String, Double> thresholds, Facts facts, List<Expected> expect) {}

    /** One scenario's outcome; {@code expected} are its expected rule:target keys. */
    public record Result(String file, String scenario, Set<String> expected, boolean passed, Set<String> missing, Set<String> unexpected, String error) {}

    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private Scenarios() {}

    public static List<Result> run(RuleBook book, Path directory)
    {
        List<Result> results = new ArrayList<>();
        for (Path file : files(directory)) {
            List<Scenario> scenarios;
            try {
                scenarios = List.of(MAPPER.readValue(file.toFile(), Scenario[].class));
            }
            catch (IOException e) {
                results.add(new Result(file.getFileName().toString(), "(file)", Set.of(), false, Set.of(), Set.of(), e.getMessage()));
                continue;
            }
            for (Scenario scenario : scenarios) {
                results.add(run(book, file.getFileName().toString(), scenario));
            }
        }
        return results;
    }

    private static Result run(RuleBook book, String file, Scenario scenario)
    {
        Set<String> expected = new TreeSet<>((scenario.expect() == null ? List.<Expected>of() : scenario.expect()).stream()
                .map(each -> each.rule() + ":" + each.target()).toList());
        try {
            List<Object> facts = scenario.facts() == null ? List.of() : scenario.facts().all();
            Map<String, Double> overrides = scenario.thresholds() == null ? Map.of() : scenario.thresholds();
            List<Recommendation> produced = book.evaluate(facts, book.thresholds().with(overrides)).recommendations();
            Set<String> actual = new TreeSet<>(produced.stream().map(Recommendation::dedupeKey).toList());
            Set<String> missing = new TreeSet<>(expected);
            missing.removeAll(actual);
            Set<String> unexpected = new TreeSet<>(actual);
            unexpected.removeAll(expected);
            return new Result(file, scenario.name(), expected, missing.isEmpty() && unexpected.isEmpty(), missing, unexpected, null);
        }
        catch (RuntimeException e) {
            return new Result(file, scenario.name(), expected, false, Set.of(), Set.of(), e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static List<Path> files(Path directory)
    {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(path -> path.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        catch (IOException e) {
            throw new RuleBookException(List.of(directory + ": cannot list (" + e.getMessage() + ")"));
        }
    }
}
