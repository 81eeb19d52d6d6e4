package dev.icetune.engine.rules;

import dev.icetune.engine.Misspelling;
import dev.icetune.engine.facts.Thresholds;
import dev.icetune.engine.model.Recommendation;
import dev.icetune.engine.model.RecommendationSink;
import dev.icetune.store.TextFiles;
import org.drools.kiesession.rulebase.InternalKnowledgeBase;
import org.drools.kiesession.rulebase.KnowledgeBaseFactory;
import org.kie.api.KieBase;
import org.kie.api.definition.KiePackage;
import org.kie.api.io.ResourceType;
import org.kie.internal.builder.KnowledgeBuilder;
import org.kie.internal.builder.KnowledgeBuilderConfiguration;
import org.kie.internal.builder.KnowledgeBuilderError;
import org.kie.internal.builder.KnowledgeBuilderFactory;
import org.kie.internal.builder.conf.PropertySpecificOption;
import org.kie.internal.io.ResourceFactory;
import org.kie.api.event.rule.AfterMatchFiredEvent;
import org.kie.api.definition.rule.Rule;
import org.kie.api.event.rule.DefaultAgendaEventListener;
import org.kie.api.event.rule.DefaultRuleRuntimeEventListener;
import org.kie.api.event.rule.ObjectInsertedEvent;
import org.kie.api.event.rule.ObjectUpdatedEvent;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.rule.ConsequenceException;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * The platform team's rules, compiled from a plain directory at run time: every {@code *.drl} file and
 * {@code thresholds.properties}. Nothing is rebuilt to change a rule or a threshold.
 */
public final class RuleBook
{
    public static final String THRESHOLDS_FILE = "thresholds.properties";

    /** The name a rule binds the thresholds to: {@code $t : Thresholds()}. */
    private static final Pattern THRESHOLDS_BOUND = Pattern.compile("(\\$\\w+)\\s*:\\s*Thresholds\\s*\\(");

    /** Consequences that may throw in one evaluation before it fails as a whole. */
    private static final int MAX_FAILURES = 100;
    /**
     * Firings past which a session is taken to loop: a rule whose consequence updates or inserts what its own condition matches
     * again fires without end (met from outside: `update($t)` in a consequence hung `rules test` and would hang every evaluation).
     * The shipped rules fire about once for every three facts; a loop reaches this within seconds.
     */
    private static final long MIN_LOOP_FIRINGS = 1_000_000;
    private static final long LOOP_FIRINGS_PER_FACT = 50;

    private final KieBase kieBase;
    /**
     * Rules taken out of this book's evaluations because a constraint of theirs threw, each with what it said; out until the rules
     * are loaded again (the service reloads them when a file changes). Guarded by this.
     */
    private final Map<String, String> leftOut = new TreeMap<>();
    private final Thresholds thresholds;
    private final List<String> ruleNames;
    /** Whether a rule file declares {@code global RecommendationSink recommendations}; one that does not recommends nothing, and is no error. */
    private final boolean recommends;
    /** What is not wrong enough to refuse the rules, yet changes nothing: a threshold set that nothing reads. */
    private final List<String> warnings;

    private RuleBook(KieBase kieBase, Thresholds thresholds, Path thresholdsFile, Set<String> readByRules)
    {
        this.kieBase = kieBase;
        this.thresholds = thresholds;
        this.ruleNames = kieBase.getKiePackages().stream().flatMap(kiePackage -> kiePackage.getRules().stream()).map(rule -> rule.getName()).sorted().toList();
        this.recommends = kieBase.getKiePackages().stream().flatMap(kiePackage -> kiePackage.getGlobalVariables().stream())
                .anyMatch(global -> global.getName().equals("recommendations"));
        this.warnings = unreadThresholds(thresholdsFile, thresholds, readByRules, ruleNames);
    }

    /**
     * Compiles the directory; every problem comes back at once, one message each, with file (and line, for DRL): a rule author
     * fixing a threshold learns of the DRL error in the same run.
     */
    public static RuleBook load(Path directory)
    {
        return load(directory, CompiledRules.NONE, () -> {});
    }

    /**
     * As {@link #load(Path)}, reading the rules from {@code compiled} where they were compiled before from the same files by the
     * same code, and keeping them there when compiled; {@code compiling} runs before a compilation, which takes seconds.
     */
    public static RuleBook load(Path directory, CompiledRules compiled, Runnable compiling)
    {
        requireNonNull(directory, "directory is null");
        requireNonNull(compiled, "compiled is null");
        requireNonNull(compiling, "compiling is null");
        if (!Files.isDirectory(directory)) {
            throw new RuleBookException(List.of(directory + ": no such directory (a rules directory holds the DRL files and thresholds.properties)"));
        }
        List<String> errors = new ArrayList<>();
        Thresholds thresholds = null;
        try {
            thresholds = thresholds(directory);
        }
        catch (RuleBookException e) {
            errors.addAll(e.problems());
        }
        List<Path> drlFiles = drlFiles(directory);
        if (drlFiles.isEmpty()) {
            errors.add(directory + ": no .drl files");
            throw new RuleBookException(errors);
        }
        Map<String, String> texts = new LinkedHashMap<>();
        Set<String> readByRules = new HashSet<>();
        for (Path drl : drlFiles) {
            try {
                String text = TextFiles.read(drl);
                texts.put(drl.toString(), text);
                for (MatchResult read : thresholdReads(text)) {
                    readByRules.add(read.group(1));
                    if (thresholds != null && thresholds.find(read.group(1)).isEmpty()) {
                        long line = text.substring(0, read.start()).chars().filter(c -> c == '\n').count() + 1;
                        errors.add("%s:%d reads threshold '%s', which %s does not set".formatted(drl, line, read.group(1), THRESHOLDS_FILE));
                    }
                }
            }
            catch (IOException e) {
                errors.add(drl + ": cannot read (" + e.getMessage() + ")");
            }
        }
        Optional<String> key = errors.isEmpty() ? compiled.key(texts) : Optional.empty();
        Optional<Collection<KiePackage>> packages = key.flatMap(compiled::read);
        if (packages.isEmpty()) {
            compiling.run();
            Collection<KiePackage> compiledNow = compile(directory, texts, errors);
            if (errors.isEmpty()) {
                key.ifPresent(kept -> compiled.write(kept, compiledNow));
            }
            packages = Optional.of(compiledNow);
        }
        if (!errors.isEmpty()) {
            throw new RuleBookException(errors);
        }
        InternalKnowledgeBase kieBase = KnowledgeBaseFactory.newKnowledgeBase();
        kieBase.addPackages(packages.get());
        return new RuleBook(kieBase, thresholds, directory.resolve(THRESHOLDS_FILE), readByRules);
    }

    /** The DRL {@code texts} by file, compiled; their errors added to {@code errors}. */
    private static Collection<KiePackage> compile(Path directory, Map<String, String> texts, List<String> errors)
    {
        KnowledgeBuilderConfiguration configuration = KnowledgeBuilderFactory.newKnowledgeBuilderConfiguration();
        // facts are immutable records inserted once and never modified: property reactivity (re-evaluating a rule when a
        // property it reads changes) has nothing to do, and with it on Drools warns about every join on a method call
        configuration.setOption(PropertySpecificOption.DISABLED);
        KnowledgeBuilder builder = KnowledgeBuilderFactory.newKnowledgeBuilder(configuration);
        texts.forEach((file, text) -> builder.add(ResourceFactory.newByteArrayResource(text.getBytes(StandardCharsets.UTF_8)).setSourcePath(file), ResourceType.DRL));
        record DrlError(String file, int line, String message) {}
        List<DrlError> drlErrors = new ArrayList<>();
        for (KnowledgeBuilderError error : builder.getErrors()) {
            drlErrors.add(new DrlError(error.getResource() == null ? String.valueOf(directory) : error.getResource().getSourcePath(),
                    error.getLines().length > 0 ? error.getLines()[0] : 0, error.getMessage().strip().replaceAll("\\s*\\n\\s*", " ")));
        }
        // a file that does not parse also yields "Parser returned a null Package", which adds nothing to its parse error
        Set<String> explained = drlErrors.stream().filter(error -> !error.message().equals(NO_PACKAGE)).map(DrlError::file).collect(Collectors.toSet());
        drlErrors.stream().filter(error -> !(error.message().equals(NO_PACKAGE) && explained.contains(error.file())))
                .forEach(error -> errors.add(error.file() + ":" + error.line() + " " + error.message()));
        return builder.getKnowledgePackages();
    }

    private static final String NO_PACKAGE = "Parser returned a null Package";

    /**
     * Each threshold a rule file reads, the name in group 1, at its place in the text: {@link #load} checks each against
     * thresholds.properties, so that a misspelt name fails with its line, not mid-evaluation.
     */
    private static List<MatchResult> thresholdReads(String text)
    {
        List<MatchResult> reads = new ArrayList<>();
        Set<String> bound = THRESHOLDS_BOUND.matcher(text).results().map(binding -> binding.group(1)).collect(Collectors.toSet());
        for (String name : bound) {
            // $t.get("small_files.min_scans"), $t.getLong(...)
            Pattern.compile(Pattern.quote(name) + "\\.get(?:Long)?\\(\\s*\"([^\"]+)\"\\s*\\)").matcher(text).results().forEach(reads::add);
        }
        return reads;
    }

    /**
     * Each threshold {@code file} sets that none of these rules reads and icetune does not ship (its own code reads what it ships:
     * the estimates', lint's, the measurement's), or a {@code min_net_saving_per_day.RULE} of no rule here nor shipped: a misspelt
     * name added beside the right one changes nothing, and nothing else would say so. A team's file that keeps the thresholds of
     * shipped rules it left out says nothing.
     */
    private static List<String> unreadThresholds(Path file, Thresholds thresholds, Set<String> readByRules, List<String> ruleNames)
    {
        Set<String> known = new TreeSet<>(readByRules);
        known.addAll(SHIPPED_THRESHOLDS);
        ruleNames.forEach(rule -> known.add(Thresholds.NET_SAVING_PREFIX + rule));
        List<String> warnings = new ArrayList<>();
        for (String name : new TreeSet<>(thresholds.values().keySet())) {
            if (known.contains(name)) {
                continue;
            }
            Optional<String> meant = Misspelling.nearest(name, known).map(" (did you mean %s?)"::formatted);
            if (name.startsWith(Thresholds.NET_SAVING_PREFIX)) {
                warnings.add("%s sets %s, which names no rule here nor one icetune ships: it changes nothing%s".formatted(file, name, meant.orElse("")));
                continue;
            }
            // the name a misspelling was meant to be, else the names of its section
            String section = name.substring(0, name.indexOf('.') + 1);
            List<String> alike = section.isEmpty() ? List.of() : known.stream().filter(each -> each.startsWith(section)).toList();
            warnings.add("%s sets %s, which no rule here reads and icetune does not ship: it changes nothing%s".formatted(file, name,
                    meant.orElse(alike.isEmpty() ? "" : " (the %s* it knows: %s)".formatted(section, String.join(", ", alike)))));
        }
        return List.copyOf(warnings);
    }

    /** The names of the thresholds icetune ships (rules/thresholds.properties, a resource of this module's). */
    private static final Set<String> SHIPPED_THRESHOLDS = shippedThresholds();

    private static Set<String> shippedThresholds()
    {
        Properties shipped = new Properties();
        try (InputStream in = RuleBook.class.getResourceAsStream("shipped/" + THRESHOLDS_FILE)) {
            shipped.load(requireNonNull(in, "rules/thresholds.properties is not among the engine's resources"));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(shipped.stringPropertyNames());
    }

    /**
     * As {@link #evaluate(Collection)}, with thresholds of a scenario's. A rule whose constraint throws on a fact (met from outside: a
     * rule being edited divided by a table's delete files, zero for most tables, and every evaluation of the service failed on it)
     * is taken out, and the evaluation runs again without it: every other rule runs, and the rule is told in {@link Evaluation#leftOut}
     * at each evaluation until the rules are loaded again. A constraint throws as Drools evaluates it, inserting a fact or firing,
     * with no match to give up alone as a consequence's failure does.
     */
    public synchronized Evaluation evaluate(Collection<?> facts, Thresholds overrides)
    {
        while (true) {
            try {
                Evaluation evaluation = evaluateOnce(facts, overrides);
                return new Evaluation(evaluation.recommendations(), evaluation.firedByRule(), evaluation.failures(), Map.copyOf(leftOut));
            }
            catch (RuntimeException e) {
                Map<String, String> throwing = e instanceof RuleLoops loops ? Map.of(loops.rule, loops.getMessage()) : constraintFailure(e);
                if (throwing.isEmpty() || leftOut.keySet().containsAll(throwing.keySet())) {
                    throw e;
                }
                throwing.forEach((rule, message) -> {
                    leftOut.put(rule, message);
                    kieBase.getKiePackages().stream().filter(kiePackage -> kiePackage.getRules().stream().anyMatch(each -> each.getName().equals(rule)))
                            .forEach(kiePackage -> kieBase.removeRule(kiePackage.getName(), rule));
                });
            }
        }
    }

    /** Drools' "Error evaluating constraint 'x / y > 1' in [Rule "name" in file.drl]", anywhere in the causes: the rules it names, each with what it said. */
    private static Map<String, String> constraintFailure(Throwable failure)
    {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            Matcher constraint = CONSTRAINT_FAILED.matcher(String.valueOf(cause.getMessage()));
            if (constraint.find()) {
                Throwable root = cause;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                String message = "its constraint '%s' threw %s".formatted(constraint.group(1),
                        root == cause ? "" : root.getClass().getSimpleName() + ": " + root.getMessage()).strip();
                Map<String, String> rules = new TreeMap<>();
                RULE_NAMED.matcher(constraint.group(2)).results().forEach(rule -> rules.put(rule.group(1), message));
                return rules;
            }
        }
        return Map.of();
    }

    private static final Pattern CONSTRAINT_FAILED = Pattern.compile("Error evaluating constraint '(.*)' in \\[(.*)\\]", Pattern.DOTALL);
    private static final Pattern RULE_NAMED = Pattern.compile("Rule \"([^\"]+)\"");

    private Evaluation evaluateOnce(Collection<?> facts, Thresholds overrides)
    {
        RecommendationSink sink = new RecommendationSink();
        Map<String, Integer> fired = new TreeMap<>();
        List<Failure> failures = new ArrayList<>();
        KieSession session = kieBase.newKieSession();
        try {
            if (recommends) {
                session.setGlobal("recommendations", sink);
            }
            session.addEventListener(new DefaultAgendaEventListener()
            {
                @Override
                public void afterMatchFired(AfterMatchFiredEvent event)
                {
                    fired.merge(event.getMatch().getRule().getName(), 1, Integer::sum);
                }
            });
            // the facts each rule's consequence inserted or updated: what tells a loop's rule from the rules it makes fire again
            Map<String, Integer> changedBy = new TreeMap<>();
            session.addEventListener(new DefaultRuleRuntimeEventListener()
            {
                @Override
                public void objectInserted(ObjectInsertedEvent event)
                {
                    changed(event.getRule());
                }

                @Override
                public void objectUpdated(ObjectUpdatedEvent event)
                {
                    changed(event.getRule());
                }

                private void changed(Rule rule)
                {
                    if (rule != null) {
                        changedBy.merge(rule.getName(), 1, Integer::sum);
                    }
                }
            });
            session.insert(overrides == null ? thresholds : overrides);
            facts.forEach(session::insert);
            fireAll(session, failures, fired, Math.max(MIN_LOOP_FIRINGS, LOOP_FIRINGS_PER_FACT * facts.size()), changedBy);
        }
        finally {
            session.dispose();
        }
        return new Evaluation(sink.all(), fired, failures, Map.of());
    }

    /**
     * A rule whose consequence throws on one match (a fact it did not foresee) loses that match alone: the session goes on
     * with the others and with every other rule, and the failure is told. Past {@link #MAX_FAILURES} the rules are broken,
     * not the facts, and the evaluation fails.
     */
    private static void fireAll(KieSession session, List<Failure> failures, Map<String, Integer> fired, long loopFirings, Map<String, Integer> changedBy)
    {
        while (true) {
            try {
                // at most what is left of the bound: Drools stops there with the loop's activations still on its agenda
                session.fireAllRules((int) Math.min(Integer.MAX_VALUE, loopFirings - firings(fired)));
                if (firings(fired) >= loopFirings) {
                    throw RuleLoops.of(changedBy.isEmpty() ? fired : changedBy, fired, session.getFactCount());
                }
                return;
            }
            catch (ConsequenceException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                failures.add(new Failure(e.getMatch().getRule().getName(), cause.getClass().getSimpleName() + ": " + cause.getMessage(),
                        matched(e.getMatch().getObjects())));
                if (failures.size() >= MAX_FAILURES) {
                    throw e;
                }
            }
        }
    }

    private static long firings(Map<String, Integer> fired)
    {
        return fired.values().stream().mapToLong(Integer::longValue).sum();
    }

    /**
     * A rule that fired without end, told by the most facts its consequence changed (the rules whose conditions read those facts fire
     * as often): it is left out as a rule whose constraint throws is.
     */
    private static final class RuleLoops
            extends RuntimeException
    {
        private final String rule;

        private RuleLoops(String rule, String message)
        {
            super(message);
            this.rule = rule;
        }

        static RuleLoops of(Map<String, Integer> changedBy, Map<String, Integer> fired, long facts)
        {
            String rule = changedBy.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            return new RuleLoops(rule, ("it fired %d times over %d facts without end: its consequence updates or inserts a fact its own "
                    + "condition matches again (no-loop, or a condition the consequence makes false)").formatted(fired.getOrDefault(rule, 0), facts));
        }
    }

    /**
     * The facts a match was on, each by its kind and first field (a table, a pattern's hash, a cluster, a query's id): what a
     * rule's author needs to write the scenario that makes it throw. The thresholds, and lists a rule collected, are left out.
     */
    private static String matched(List<Object> objects)
    {
        return objects.stream().filter(Record.class::isInstance).filter(fact -> !(fact instanceof Thresholds)).map(fact -> {
            RecordComponent[] components = fact.getClass().getRecordComponents();
            String kind = fact.getClass().getSimpleName();
            try {
                return components.length > 0 && components[0].getType() == String.class ? kind + " " + components[0].getAccessor().invoke(fact) : kind;
            }
            catch (ReflectiveOperationException e) {
                return kind;
            }
        }).distinct().collect(Collectors.joining(", "));
    }

    public Evaluation evaluate(Collection<?> facts)
    {
        return evaluate(facts, null);
    }

    public Thresholds thresholds()
    {
        return thresholds;
    }

    public List<String> ruleNames()
    {
        return ruleNames;
    }

    /** What the rules' files hold that is no error and changes nothing (a threshold that nothing reads), one line each. */
    public List<String> warnings()
    {
        return warnings;
    }

    private static List<Path> drlFiles(Path directory)
    {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(path -> path.getFileName().toString().endsWith(".drl")).sorted().toList();
        }
        catch (IOException e) {
            throw new RuleBookException(List.of(directory + ": cannot list (" + e.getMessage() + ")"));
        }
    }

    /** The thresholds of the rules directory {@code directory} alone, without compiling its rules (which takes seconds). */
    public static Thresholds thresholds(Path directory)
    {
        Path file = directory.resolve(THRESHOLDS_FILE);
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(TextFiles.read(file)));
        }
        catch (IOException | IllegalArgumentException e) {
            throw new RuleBookException(List.of(file + ": cannot read thresholds (" + e.getMessage() + ")"));
        }
        Map<String, Double> values = new TreeMap<>();
        List<String> errors = new ArrayList<>();
        for (String name : properties.stringPropertyNames()) {
            String value = properties.getProperty(name).strip();
            try {
                values.put(name, Double.parseDouble(value.replace("_", "")));
            }
            catch (NumberFormatException e) {
                errors.add(file + ": " + name + " = '" + value + "' is not a number");
            }
        }
        if (!errors.isEmpty()) {
            throw new RuleBookException(errors);
        }
        return new Thresholds(values);
    }

    /** The outcome of one run of the rules. */
    /**
     * What the rules found: the recommendations, how often each rule fired, the consequences that threw, and the rules left out for a
     * constraint that threw ({@code leftOut}: each with what it said).
     */
    public record Evaluation(List<Recommendation> recommendations, Map<String, Integer> firedByRule, List<Failure> failures, Map<String, String> leftOut)
    {
        /** Every rule that failed, whose recommendations stay as they were: its problems may be there still. */
        public Set<String> failedRules()
        {
            Set<String> rules = new TreeSet<>(leftOut.keySet());
            failures.forEach(failure -> rules.add(failure.rule()));
            return rules;
        }
    }

    /** A consequence that threw: its rule, the exception, and the facts it matched ({@code on}). */
    public record Failure(String rule, String message, String on) {}
}
