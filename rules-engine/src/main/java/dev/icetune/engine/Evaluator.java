package dev.icetune.engine;

import dev.icetune.engine.estimate.Estimator;
import dev.icetune.engine.evidence.EvidenceReader;
import dev.icetune.engine.facts.LoadFact;
import dev.icetune.engine.facts.TableFact;
import dev.icetune.engine.facts.TableScanFact;
import dev.icetune.engine.facts.Thresholds;
import dev.icetune.engine.iceberg.TableFactSource;
import dev.icetune.engine.model.KillQueries;
import dev.icetune.engine.model.Recommendation;
import dev.icetune.engine.model.Severity;
import dev.icetune.engine.model.TargetType;
import dev.icetune.engine.rules.RuleBook;
import dev.icetune.engine.rules.RuleBookHolder;
import dev.icetune.engine.store.RecommendationStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jdbi.v3.core.Jdbi;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * One evaluation: evidence from query_logs, metadata from Iceberg, the rules, and the recommendations'
 * lifecycle in PostgreSQL.
 */
public final class Evaluator
{
    /**
     * What an evaluation found and changed; {@code unread} names the Iceberg catalogs and tables whose metadata it could not
     * read, {@code failedRules} the rules whose consequence threw (the recommendations of both kept as they were), each sorted.
     */
    public record Result(long evaluationId, Instant windowStart, Instant windowEnd, int facts, List<Recommendation> recommendations,
            Map<String, Integer> firedByRule, RecommendationStore.Outcome outcome, Duration duration, List<String> unread, List<String> failedRules) {}

    /** How many held-back recommendations an evaluation names one by one. */
    private static final int HELD_BACK_SHOWN = 20;
    /** The most of a pattern's query its recommendations keep to name it: enough to tell it from the table's other patterns. */
    private static final int QUERY_SHOWN = 200;

    private final Jdbi jdbi;
    /** Kept between evaluations: it keeps the baseline it merged while the baseline's periods stay as they were. */
    private final EvidenceReader evidenceReader;
    private final RuleBookHolder rules;
    private final Optional<TableFactSource> tables;
    private final RecommendationStore store;
    private final Duration window;
    private final Duration baseline;
    private final int resolveAfter;
    private final MeterRegistry meters;
    private final Timer duration;
    private final Counter evaluations;
    private final Map<Severity, AtomicLong> openBySeverity = new ConcurrentHashMap<>();
    // the runbook's monitoring figures, for alerting (ops/prometheus): NaN until an evaluation measured them
    private final AtomicReference<Double> patternsOverBaseline = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> scanPruningRatio = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> cacheHitRatio = new AtomicReference<>(Double.NaN);
    private final AtomicLong hungQueries = new AtomicLong();
    private final AtomicLong unreadTables = new AtomicLong();
    /** Whether the last evaluation of every cluster found no query in its window: a service on a quiet cluster says so once. */
    private boolean windowWasEmpty;
    /** Without a catalog, that its tables are not read is said at the first evaluation that queried some, not at every one. */
    private boolean saidNoCatalog;
    /** The recommendations the last evaluation held back (their keys): a service says again only those newly held back. */
    private Set<String> heldBackBefore = Set.of();

    public Evaluator(Jdbi jdbi, RuleBookHolder rules, Optional<TableFactSource> tables, Duration window, Duration baseline, int resolveAfter,
            RecommendationStore store, MeterRegistry meters)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.evidenceReader = new EvidenceReader(jdbi);
        this.rules = requireNonNull(rules, "rules is null");
        this.tables = requireNonNull(tables, "tables is null");
        this.store = requireNonNull(store, "store is null");
        this.window = requireNonNull(window, "window is null");
        this.baseline = requireNonNull(baseline, "baseline is null");
        this.resolveAfter = resolveAfter;
        this.meters = requireNonNull(meters, "meters is null");
        this.duration = Timer.builder("icetune.evaluation.duration").description("time of one evaluation").register(meters);
        this.evaluations = Counter.builder("icetune.evaluations").description("evaluations run").register(meters);
        Gauge.builder("icetune.patterns.over.baseline", patternsOverBaseline, AtomicReference::get)
                .description("query patterns whose p95 latency is over regression.p95_factor times their baseline").register(meters);
        Gauge.builder("icetune.scan.pruning.ratio", scanPruningRatio, AtomicReference::get)
                .description("files scanned / total files over all Iceberg scans of the window, weighted by scans (1 = nothing pruned)").register(meters);
        Gauge.builder("icetune.cache.hit.ratio", cacheHitRatio, AtomicReference::get)
                .description("share of bytes served by Trino's file system cache in the window (NaN when the cache is off)").register(meters);
        Gauge.builder("icetune.queries.hung", hungQueries, AtomicLong::get)
                .description("queries running far past their pattern's p95, in recommendations to end them (with their ids and users)").register(meters);
        Gauge.builder("icetune.tables.unread", unreadTables, AtomicLong::get)
                .description("Iceberg tables and catalogs whose metadata the last evaluation could not read (their recommendations kept as they were)").register(meters);
    }

    public Result evaluate(Instant now, Consumer<String> progress)
    {
        return evaluate(now, Optional.empty(), progress);
    }

    /** An evaluation of the evidence of every cluster, or of {@code cluster} alone (whose recommendations alone it may resolve). */
    public Result evaluate(Instant now, Optional<String> cluster, Consumer<String> progress)
    {
        long started = System.nanoTime();
        RuleBook book = rules.current(progress);
        Thresholds thresholds = book.thresholds();

        progress.accept("reading query_logs" + cluster.map(name -> " of cluster " + name).orElse("") + ": the last " + text(window) + " against the "
                + text(baseline) + " before");
        long step = System.nanoTime();
        EvidenceReader.Evidence evidence = evidenceReader.read(now, window, baseline,
                Duration.ofSeconds((long) (thresholds.get("cache.ttl_minutes") * 60)), cluster, progress);
        progress.accept("%s, %s, %s, %s in %d ms".formatted(count(evidence.patterns().size(), "pattern"), count(evidence.tableScans().size(), "table"),
                count(evidence.predicates().size(), "predicate"), count(evidence.loads().size(), "cluster"), millisSince(step)));
        if (cluster.isEmpty()) {
            // a first evaluation after installing finds nothing, and nothing to say why: say where the queries come from, when the
            // window begins to be empty (a service's every interval on a quiet cluster would say it again and again)
            if (evidence.loads().isEmpty() && !windowWasEmpty) {
                progress.accept(("no queries in query_logs in the last %s: is the listener in Trino's plugin directory, writing to this database "
                        + "(README \"Install the listener into a Trino server\")?").formatted(text(window)));
            }
            windowWasEmpty = evidence.loads().isEmpty();
        }
        if (cluster.isPresent() && evidence.loads().isEmpty()) {
            // a misspelt --cluster finds nothing, and nothing to say so: name the ones there are
            List<String> clusters = evidenceReader.clusters(now.minus(window), now);
            progress.accept("no queries of cluster %s in the window (a listener's icetune.cluster-name, by default its Trino's node.environment)%s"
                    .formatted(cluster.get(), clusters.isEmpty() ? "" : "; it holds queries of " + String.join(", ", clusters)));
        }
        List<Object> facts = new ArrayList<>(evidence.all());
        publishMonitoring(evidence, thresholds);

        TableFactSource.TableFacts tableFacts = tables.map(source -> {
            List<String> seen = evidence.tableScans().stream().map(TableScanFact::table).toList();
            progress.accept("reading table metadata (" + count(seen.size(), "table") + " queried in the window, and the catalog's others)");
            long reading = System.nanoTime();
            TableFactSource.TableFacts read = source.read(seen, (long) thresholds.get("small_files.max_avg_file_bytes"), now, progress);
            progress.accept("%s read in %d ms%s".formatted(count(read.facts().size(), "table"), millisSince(reading),
                    read.unread().isEmpty() ? "" : " (%d unread, said above)".formatted(read.unread().size())));
            return read;
        }).orElseGet(() -> {
            if (!evidence.tableScans().isEmpty() && !saidNoCatalog) {
                saidNoCatalog = true;
                progress.accept(("%s queried in the window, not read: no Iceberg catalog is configured (iceberg.catalog.* with icetune.trino.catalog, "
                        + "or iceberg.catalogs.NAME.*; type=trino reads one through Trino), and the rules on table metadata stay silent")
                        .formatted(count(evidence.tableScans().size(), "Iceberg table")));
            }
            return TableFactSource.TableFacts.of(List.of());
        });
        facts.addAll(tableFacts.facts());
        unreadTables.set(tableFacts.unread().size());

        progress.accept("running " + count(book.ruleNames().size(), "rule") + " over " + count(facts.size(), "fact"));
        step = System.nanoTime();
        RuleBook.Evaluation evaluation = book.evaluate(facts);
        progress.accept("rules fired %s in %d ms".formatted(count(evaluation.firedByRule().values().stream().mapToInt(Integer::intValue).sum(), "time"), millisSince(step)));
        evaluation.firedByRule().forEach((rule, count) -> Counter.builder("icetune.rules.fired").tag("rule", rule).register(meters).increment(count));
        // a rule that throws on facts it did not foresee throws on every such match: said once, with how many and the first
        evaluation.failures().stream().collect(Collectors.groupingBy(failure -> List.of(failure.rule(), failure.message()), LinkedHashMap::new,
                        Collectors.toList()))
                .forEach((key, failures) -> {
                    RuleBook.Failure first = failures.getFirst();
                    progress.accept("rule %s failed on %s%s (the others and every other rule ran; its recommendations are kept as they were): %s"
                            .formatted(first.rule(), failures.size() == 1 ? "one match" : failures.size() + " matches, the first",
                                    first.on().isEmpty() ? "" : " on " + first.on(), first.message()));
                    ruleFailures(first.rule()).increment(failures.size());
                });
        evaluation.leftOut().forEach((rule, message) -> {
            progress.accept("rule %s is left out until its file changes (every other rule ran; its recommendations are kept as they were): %s"
                    .formatted(rule, message));
            ruleFailures(rule).increment();
        });
        Set<String> failedRules = evaluation.failedRules();

        step = System.nanoTime();
        Estimator.Valued valued = new Estimator(facts, thresholds, window).value(withQueries(evaluation.recommendations(), evidence));
        // each one newly held back said, up to a screenful; beyond it, how many of each rule (a fleet holds back thousands); those the
        // last evaluation held back too are counted, not said again (met from outside: a service said the same lines at every interval)
        List<Estimator.HeldBack> newlyHeld = valued.heldBack().stream().filter(held -> !heldBackBefore.contains(held.recommendation().dedupeKey())).toList();
        heldBackBefore = valued.heldBack().stream().map(held -> held.recommendation().dedupeKey()).collect(Collectors.toSet());
        newlyHeld.stream().limit(HELD_BACK_SHOWN).forEach(held -> progress.accept("held back %s on %s: %s".formatted(held.recommendation().ruleId(),
                held.recommendation().label(), held.reason())));
        if (newlyHeld.size() > HELD_BACK_SHOWN) {
            Map<String, Long> more = newlyHeld.stream().skip(HELD_BACK_SHOWN)
                    .collect(Collectors.groupingBy(held -> held.recommendation().ruleId(), TreeMap::new, Collectors.counting()));
            progress.accept("held back %d more: %s".formatted(newlyHeld.size() - HELD_BACK_SHOWN,
                    more.entrySet().stream().map(entry -> entry.getValue() + " " + entry.getKey()).collect(Collectors.joining(", "))));
        }
        if (newlyHeld.size() < valued.heldBack().size()) {
            progress.accept("held back %d as at the last evaluation".formatted(valued.heldBack().size() - newlyHeld.size()));
        }
        List<Recommendation> recommendations = withClusters(valued.kept(), evidence);
        progress.accept("valued %s in %d ms".formatted(count(evaluation.recommendations().size(), "recommendation"), millisSince(step)));
        hungQueries.set(recommendations.stream().mapToLong(recommendation -> recommendation.fix() instanceof KillQueries kill ? kill.queryIds().size() : 0).sum());

        step = System.nanoTime();
        RecommendationStore.Tables tablesKnown = new RecommendationStore.Tables(tableFacts.facts().stream().map(TableFact::table).collect(Collectors.toSet()),
                tableFacts.unread(), tableFacts.listed());
        RecommendationStore.Outcome outcome = store.record(recommendations, now, now.minus(window), resolveAfter, cluster, tablesKnown, failedRules);
        progress.accept("recorded %s in %d ms".formatted(count(recommendations.size(), "recommendation"), millisSince(step)));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        long id = store.recordEvaluation(now.minus(took), now.minus(window), now, now.minus(window).minus(baseline), facts.size(),
                recommendations.size(), evaluation.firedByRule(), outcome);
        evaluations.increment();
        duration.record(took);
        Map<Severity, Long> open = store.openBySeverity();
        openBySeverity.forEach((severity, gauge) -> gauge.set(open.getOrDefault(severity, 0L)));
        open.forEach((severity, count) -> openBySeverity.computeIfAbsent(severity, key -> {
            AtomicLong gauge = new AtomicLong();
            meters.gauge("icetune.recommendations.open", io.micrometer.core.instrument.Tags.of("severity", key.name()), gauge);
            return gauge;
        }).set(count));
        progress.accept("%s: %d new, %d refreshed, %d resolved, in %d ms".formatted(
                count(recommendations.size(), "recommendation"), outcome.opened(), outcome.refreshed(), outcome.resolved(), took.toMillis()));
        return new Result(id, now.minus(window), now, facts.size(), recommendations, evaluation.firedByRule(), outcome, took,
                tableFacts.unread().stream().sorted().toList(), List.copyOf(failedRules));
    }

    /** Failures of {@code rule}: its consequence's on a match, or its constraint's (the rule then left out of that evaluation). */
    private Counter ruleFailures(String rule)
    {
        return Counter.builder("icetune.rules.failures").description("rule consequences that threw on a match, and constraints that threw")
                .tag("rule", rule).register(meters);
    }

    /** "1 table", "5 tables": what a person reads in the progress lines. */
    private static String count(long count, String noun)
    {
        return count + " " + noun + (count == 1 ? "" : "s");
    }

    /** Each recommendation on a pattern with its query's text ({@link TargetType#QUERY}), on one line, for the tables people read. */
    private static List<Recommendation> withQueries(List<Recommendation> recommendations, EvidenceReader.Evidence evidence)
    {
        Map<String, String> queries = new HashMap<>();
        evidence.patterns().forEach(pattern -> queries.putIfAbsent(pattern.patternHash(), pattern.pattern()));
        return recommendations.stream()
                .map(recommendation -> recommendation.targetType() != TargetType.PATTERN || !queries.containsKey(recommendation.target()) ? recommendation
                        : recommendation.withEvidence(TargetType.QUERY, oneLine(queries.get(recommendation.target()), QUERY_SHOWN)))
                .toList();
    }

    private static String oneLine(String text, int most)
    {
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() <= most ? line : line.substring(0, most - 1) + "…";
    }

    /**
     * A table's recommendation comes from the scans of every cluster that ran them: it lists them. So does a pattern's drawn
     * from evidence of all clusters (a filter's predicates): it lists the clusters that ran the pattern.
     */
    private static List<Recommendation> withClusters(List<Recommendation> recommendations, EvidenceReader.Evidence evidence)
    {
        Map<String, List<String>> clustersByTable = new HashMap<>();
        evidence.tableScans().forEach(scan -> clustersByTable.put(scan.table(), scan.clusters()));
        Map<String, List<String>> clustersByPattern = new HashMap<>();
        evidence.patterns().forEach(pattern -> clustersByPattern.computeIfAbsent(pattern.patternHash(), key -> new ArrayList<>()).add(pattern.cluster()));
        clustersByPattern.values().forEach(clusters -> clusters.sort(null));
        return recommendations.stream()
                .map(recommendation -> recommendation.cluster() != null ? recommendation : recommendation.from(recommendation.targetType() == TargetType.PATTERN
                        ? clustersByPattern.getOrDefault(recommendation.target(), List.of())
                        : clustersByTable.getOrDefault(recommendation.fix().changedTable().orElse(recommendation.target()), List.of())))
                .toList();
    }

    private void publishMonitoring(EvidenceReader.Evidence evidence, Thresholds thresholds)
    {
        patternsOverBaseline.set((double) evidence.patterns().stream()
                .filter(pattern -> pattern.baselineExecutions() >= thresholds.get("regression.min_baseline_executions") && pattern.baselineP95Ms() > 0
                        && pattern.p95Ms() > thresholds.get("regression.p95_factor") * pattern.baselineP95Ms())
                .count());
        long scans = evidence.tableScans().stream().mapToLong(TableScanFact::scans).sum();
        scanPruningRatio.set(scans == 0 ? Double.NaN
                : evidence.tableScans().stream().mapToDouble(scan -> scan.avgPruningRatio() * scan.scans()).sum() / scans);
        cacheHitRatio.set(evidence.loads().stream().mapToDouble(LoadFact::cacheHitRatio).filter(ratio -> ratio >= 0).average().orElse(Double.NaN));
    }

    /** 7d, 1h, 30m, 90s: as the configuration writes durations. */
    static String text(Duration duration)
    {
        long seconds = duration.toSeconds();
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3_600 == 0) {
            return seconds / 3_600 + "h";
        }
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }

    private static long millisSince(long nanos)
    {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    public RecommendationStore store()
    {
        return store;
    }

    /** The thresholds of the rules in force. */
    public Thresholds thresholds()
    {
        return rules.current().thresholds();
    }
}
