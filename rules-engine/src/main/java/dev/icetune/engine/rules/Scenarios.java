package dev.icetune.engine.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.icetune.engine.facts.FullScanFact;
import dev.icetune.engine.facts.LoadFact;
import dev.icetune.engine.facts.PatternFact;
import dev.icetune.engine.facts.PredicateFact;
import dev.icetune.engine.facts.RunningQueryFact;
import dev.icetune.engine.facts.TableFact;
import dev.icetune.engine.facts.TableScanFact;
import dev.icetune.engine.facts.Thresholds;
import dev.icetune.engine.estimate.Estimator;
import dev.icetune.engine.model.Recommendation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The platform team's tests of its own rule edits: {@code rules/scenarios/*.json}, each a list of
 * scenarios (facts in, the recommendations expected out, by rule and target). A scenario passes when the
 * rules produce exactly the expected recommendations, no more and no fewer, after the evaluation's valuation
 * (which holds back those below their net saving threshold) over a window of {@code windowHours} (default 1).
 */
public final class Scenarios
{
    /**
     * A recommendation expected, by rule and target; with {@code cluster}, of that cluster's patterns alone; with {@code fix}, a
     * text its proposed fix holds ({@code "month(ts)"}).
     */
    public record Expected(String rule, String target, String cluster, String fix)
    {
        String key()
        {
            return rule + ":" + target + (cluster == null ? "" : "@" + cluster);
        }
    }

    public record Facts(List<TableScanFact> tableScans, List<TableFact> tables, List<PatternFact> patterns,
            List<PredicateFact> predicates, List<LoadFact> load, List<FullScanFact> fullScans, List<RunningQueryFact> running)
    {
        List<Object> all()
        {
            List<Object> all = new ArrayList<>();
            Stream.of(tableScans, tables, patterns, predicates, load, fullScans, running).filter(list -> list != null).forEach(all::addAll);
            return all;
        }
    }

    public record Scenario(String name, Map<String, Double> thresholds, Facts facts, Double windowHours, List<Expected> expect) {}

    /** One scenario's outcome; {@code expected} are its expected rule:target keys. */
    public record Result(String file, String scenario, Set<String> expected, boolean passed, Set<String> missing, Set<String> unexpected, String error) {}

    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule()).build();

    private Scenarios() {}

    public static List<Result> run(RuleBook book, Path directory)
    {
        List<Result> results = new ArrayList<>();
        for (Path file : files(directory)) {
            List<Scenario> scenarios;
            try {
                scenarios = List.of(MAPPER.readValue(file.toFile(), Scenario[].class));
            }
            catch (JsonProcessingException e) {
                results.add(new Result(file.getFileName().toString(), "(file)", Set.of(), false, Set.of(), Set.of(), describe(e)));
                continue;
            }
            catch (IOException e) {
                results.add(new Result(file.getFileName().toString(), "(file)", Set.of(), false, Set.of(), Set.of(), "cannot read: " + e.getMessage()));
                continue;
            }
            for (Scenario scenario : scenarios) {
                results.add(run(book, file.getFileName().toString(), scenario));
            }
        }
        return results;
    }

    /**
     * The book's rules that {@code results} leave untested, each as a failed result: a rule is tested when a scenario expects it and
     * another of that scenario's file expects nothing at all (facts near its conditions that must not fire it). The shipped rules are
     * held to this; a team's new rule with no scenario passed {@code rules test} untried.
     */
    public static List<Result> untested(RuleBook book, List<Result> results)
    {
        List<Result> untested = new ArrayList<>();
        for (String rule : book.ruleNames()) {
            Set<String> files = results.stream().filter(result -> result.expected().stream().anyMatch(key -> key.startsWith(rule + ":")))
                    .map(Result::file).collect(Collectors.toCollection(TreeSet::new));
            String problem = files.isEmpty() ? "no scenario expects it: add one whose expect names it, and one in the same file that expects nothing"
                    : results.stream().noneMatch(result -> files.contains(result.file()) && result.expected().isEmpty())
                    ? "no scenario of %s expects nothing: add one whose facts come near its conditions and must not fire it".formatted(String.join(" or ", files))
                    : null;
            if (problem != null) {
                untested.add(new Result("(rules)", "rule " + rule, Set.of(), false, Set.of(), Set.of(), problem));
            }
        }
        return untested;
    }

    private static Result run(RuleBook book, String file, Scenario scenario)
    {
        List<Expected> expectations = scenario.expect() == null ? List.of() : scenario.expect();
        Set<String> expected = new TreeSet<>(expectations.stream().map(Expected::key).toList());
        // scenarios that name no cluster compare rule and target alone
        boolean byCluster = expectations.stream().anyMatch(each -> each.cluster() != null);
        try {
            List<Object> facts = scenario.facts() == null ? List.of() : scenario.facts().all();
            Map<String, Double> overrides = scenario.thresholds() == null ? Map.of() : scenario.thresholds();
            Thresholds thresholds = book.thresholds().with(overrides);
            java.time.Duration window = java.time.Duration.ofSeconds(Math.round(3600 * (scenario.windowHours() == null ? 1 : scenario.windowHours())));
            RuleBook.Evaluation evaluation = book.evaluate(facts, thresholds);
            if (!evaluation.leftOut().isEmpty()) {
                Map.Entry<String, String> leftOut = evaluation.leftOut().entrySet().iterator().next();
                return new Result(file, scenario.name(), expected, false, Set.of(), Set.of(), "rule " + leftOut.getKey() + " failed: " + leftOut.getValue());
            }
            if (!evaluation.failures().isEmpty()) {
                RuleBook.Failure failure = evaluation.failures().getFirst();
                return new Result(file, scenario.name(), expected, false, Set.of(), Set.of(), "rule " + failure.rule() + " threw"
                        + (failure.on().isEmpty() ? "" : " on " + failure.on()) + ": " + failure.message());
            }
            Estimator.Valued valued = new Estimator(facts, thresholds, window).value(evaluation.recommendations());
            List<Recommendation> produced = valued.kept();
            Function<Recommendation, String> key = each -> byCluster ? each.dedupeKey() : each.ruleId() + ":" + each.target();
            Set<String> actual = new TreeSet<>(produced.stream().map(key).toList());
            Set<String> missing = new TreeSet<>(expected);
            missing.removeAll(actual);
            // an expected recommendation the rule made and the valuation held back: the author is told why, as the evaluation says it
            for (Estimator.HeldBack held : valued.heldBack()) {
                if (missing.remove(key.apply(held.recommendation()))) {
                    missing.add(key.apply(held.recommendation()) + " (held back: " + held.reason() + ")");
                }
            }
            Set<String> unexpected = new TreeSet<>(actual);
            unexpected.removeAll(expected);
            // an expected recommendation that came with another fix is missing with the fix expected, and unexpected with its own
            for (Expected expectation : expectations) {
                produced.stream().filter(each -> expectation.fix() != null && key.apply(each).equals(expectation.key()))
                        .filter(each -> !each.proposedFix().contains(expectation.fix()))
                        .forEach(each -> {
                            missing.add(expectation.key() + " with a fix holding '" + expectation.fix() + "'");
                            unexpected.add(expectation.key() + " with the fix '" + each.proposedFix() + "'");
                        });
            }
            return new Result(file, scenario.name(), expected, missing.isEmpty() && unexpected.isEmpty(), missing, unexpected, null);
        }
        catch (RuntimeException e) {
            return new Result(file, scenario.name(), expected, false, Set.of(), Set.of(), e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * What is wrong in a scenario file, in the terms of the file a rule author edits: where (line, column, and the path of
     * the field, as in {@code [2].facts.tables[0].dataFiles}) and what, without the class names of Jackson's own message.
     */
    static String describe(JsonProcessingException e)
    {
        String where = e.getLocation() == null ? "" : "line %d, column %d".formatted(e.getLocation().getLineNr(), e.getLocation().getColumnNr());
        StringBuilder path = new StringBuilder();
        if (e instanceof JsonMappingException mapping) {
            for (JsonMappingException.Reference reference : mapping.getPath()) {
                path.append(reference.getFieldName() != null ? "." + reference.getFieldName() : "[" + reference.getIndex() + "]");
            }
        }
        String what = switch (e) {
            case UnrecognizedPropertyException unknown -> "unknown field \"%s\" (known here: %s)".formatted(unknown.getPropertyName(),
                    unknown.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")));
            case InvalidFormatException format -> "%s is not %s".formatted(format.getValue() instanceof String text ? "'" + text + "'" : format.getValue(), kind(format.getTargetType()));
            case MismatchedInputException mismatch when mismatch.getPath().isEmpty() ->
                    "a scenario file holds a JSON array of scenarios: [{\"name\": ..., \"facts\": {...}, \"expect\": [...]}, ...]";
            case MismatchedInputException mismatch -> "expected " + kind(mismatch.getTargetType());
            default -> e.getOriginalMessage();
        };
        return Stream.of(where, path.isEmpty() ? "" : path.toString().replaceFirst("^\\.", ""), what).filter(part -> !part.isEmpty()).collect(Collectors.joining(": "));
    }

    private static String kind(Class<?> type)
    {
        if (type == null) {
            return "a value of another kind";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "a number";
        }
        if (type == Long.class || type == long.class || type == Integer.class || type == int.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a text";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "a list [...]";
        }
        return type.isEnum() ? "one of " + Arrays.toString(type.getEnumConstants()) : "an object {...}";
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
