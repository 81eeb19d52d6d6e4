package dev.icetune.fixes;

import dev.icetune.engine.evidence.EvidenceReader;
import dev.icetune.engine.iceberg.TableMetadataReader;
import dev.icetune.engine.model.Estimate;
import dev.icetune.engine.model.Fix;
import dev.icetune.engine.model.FixKind;
import dev.icetune.engine.model.MaterializedView;
import dev.icetune.engine.model.PartitionSpec;
import dev.icetune.engine.model.SortOrder;
import dev.icetune.engine.model.Sql;
import dev.icetune.engine.model.BloomFilters;
import dev.icetune.engine.model.Status;
import dev.icetune.engine.model.TargetType;
import dev.icetune.engine.store.RecommendationStore;
import dev.icetune.store.TableName;
import org.jdbi.v3.core.Jdbi;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Each applied fix's own effect, on the queries it is meant to help: a partition's time-range scans of its table, a
 * sort order's or bloom filter's scans filtered on its column (the patterns that filtered on it before the fix), a
 * compaction's or statistics' scans of the table, a materialized view's or advice's own pattern. Before against
 * after (before: since the table's last change by another fix), pattern by pattern (only patterns seen on both sides, weighted as they ran after), on the figure the fix is
 * meant to move: the scan work per query (files opened, data and delete files, and bytes in one currency, as the estimates weigh them), the
 * metadata every query plans over for snapshot expiry, the share of filtered scans whose rows the planner misestimated for
 * statistics (CPU and latency reported beside it). A verdict needs a change beyond {@code effect.min_change}
 * and beyond noise (twice the standard error of the difference): less work verifies it, more regresses it and
 * proposes its rollback; no significant change keeps it measuring until the measurement rules out a change of
 * {@code effect.min_change} either way (the difference and its noise within it): then the fix has no effect, stays applied and
 * is measured no more (a view, which works once dashboards read it, keeps measuring). A fix whose apply changed nothing is never
 * verified. Fixes of one table applied so close together that too few of their queries ran between them are
 * measured as one group, each reported with the others, none credited alone.
 */
public final class EffectMeasurer
{
    /**
     * One group's outcome: its fixes, the verdict (null: no change, not verified: the figures' {@code verdict} says which), the figures, and the changes the verdict is
     * on, as a person reads them ("files per query 35 -> 7.43").
     */
    public record Effect(List<Long> recommendationIds, Status verdict, Map<String, Object> figures, List<String> changes)
    {
        public long recommendationId()
        {
            return recommendationIds.getFirst();
        }
    }

    /** A figure measured per query: the ones a fix's scope names decide its verdict, the others are reported. */
    private enum Figure
    {
        FILES("files_per_query", "files", "files per query", Measure.COUNT),
        BYTES("bytes_per_query", "bytes", "bytes per query", Measure.BYTES),
        /** The bytes Trino read of the files it opened (physical input): what a bloom filter saves, skipping row groups of files still opened. */
        READ("read_bytes_per_query", "bytes_read", "bytes read per query", Measure.BYTES),
        /**
         * The rows Trino read of the files it opened: the row groups a bloom filter skips, where bytes do not show them (Trino reads
         * a file under its parquet.small-file-threshold, 3MB unless set, whole).
         */
        ROWS_READ("rows_read_per_query", "rows_read", "rows read per query", Measure.COUNT),
        /** Files and bytes in one currency, a file opened counting as estimate.file_open_bytes: the scan work the estimates weigh. */
        WORK("work_bytes_per_query", "work", "scan work per query", Measure.BYTES),
        LATENCY("latency_ms", "latency", "latency", Measure.MILLIS),
        PLANNING("planning_ms", "planning", "planning", Measure.MILLIS),
        /**
         * The size of the table's metadata file, which every query's planning reads: what a snapshot expiry moves. Known from
         * the audit's table states before and after the apply, not from the queries: the same for each.
         */
        METADATA("metadata_bytes_per_query", "metadata", "metadata per query", Measure.BYTES),
        CPU("cpu_ms", "cpu", "CPU", Measure.MILLIS),
        /** Whether the planner misestimated the rows of the filtered scan (1) or not (0): what statistics move. */
        MISESTIMATED("misestimated_share", "misestimated", "scans misestimated", Measure.SHARE);

        private final String name;
        private final String column;
        /** As a person reads it in the recommendation's history: "files per query 35.43 -> 7.43". */
        private final String words;
        private final Measure measure;

        Figure(String name, String column, String words, Measure measure)
        {
            this.name = name;
            this.column = column;
            this.words = words;
            this.measure = measure;
        }

        String change(double was, double is)
        {
            return "%s %s -> %s".formatted(words, measure.text(was), measure.text(is));
        }
    }

    private enum Measure
    {
        COUNT, BYTES, MILLIS, SHARE;

        String text(double value)
        {
            return switch (this) {
                case COUNT -> value == Math.rint(value) ? "%,.0f".formatted(value) : "%,.2f".formatted(value);
                case BYTES -> Estimate.bytes(value);
                case MILLIS -> value < 1000 ? "%.0f ms".formatted(value) : "%,.1f s".formatted(value / 1000);
                case SHARE -> "%.0f%%".formatted(100 * value);
            };
        }
    }

    /**
     * The queries a fix is meant to help, as a condition on query_inputs {@code i} and query_logs {@code l}; {@code pairing},
     * when not empty, a {@code WHEN condition THEN pattern} that counts queries of another pattern as the fix's own pattern
     * (the reads of a materialized view as the aggregation they replace).
     */
    private record Scope(String words, String condition, Map<String, Object> parameters, Set<Figure> figures, String pairing)
    {
        Scope(String words, String condition, Map<String, Object> parameters, Set<Figure> figures)
        {
            this(words, condition, parameters, figures, "");
        }
    }

    private record Applied(RecommendationStore.Stored recommendation, Instant at, Scope scope) {}

    /** The qualified name of the table a query_inputs row {@code i} read, as fixes name their tables. */
    private static final String INPUT_TABLE = TableName.inPostgres("i");


    /** Per pattern and side: count, mean and variance of each figure. */
    private static final String FIGURES = """
            WITH scoped AS (
                SELECT <pattern> AS h, l.create_time >= :applied AS after,
                       <files>::float8 AS files, coalesce(i.bytes_scanned, 0)::float8 AS bytes,
                       coalesce(i.physical_input_bytes, i.bytes_scanned, 0)::float8 AS bytes_read, coalesce(i.physical_input_rows, 0)::float8 AS rows_read,
                       l.latency::float8 AS latency,
                       coalesce(i.scan_planning_ms, 0)::float8 AS planning, coalesce(l.cpu_ms, 0)::float8 AS cpu,
                       <files> * :file_open_bytes + coalesce(i.bytes_scanned, 0)::float8 AS work,
                       CASE WHEN <misestimated> THEN 1.0 ELSE 0.0 END AS misestimated
                FROM query_inputs i JOIN query_logs l ON l.query_id = i.query_id AND l."timestamp" = i."timestamp"
                WHERE i."timestamp" >= :since AND i."timestamp" < :until AND l.success AND <reads>
                  AND (l."timestamp" < :first OR l.create_time >= :applied) AND (<scope>))
            SELECT h, after, count(*) AS n,
                   avg(files) AS files, coalesce(var_samp(files), 0) AS files_var, avg(bytes) AS bytes, coalesce(var_samp(bytes), 0) AS bytes_var,
                   avg(bytes_read) AS bytes_read, coalesce(var_samp(bytes_read), 0) AS bytes_read_var,
                   avg(rows_read) AS rows_read, coalesce(var_samp(rows_read), 0) AS rows_read_var,
                   avg(latency) AS latency, coalesce(var_samp(latency), 0) AS latency_var, avg(planning) AS planning,
                   coalesce(var_samp(planning), 0) AS planning_var, avg(cpu) AS cpu, coalesce(var_samp(cpu), 0) AS cpu_var,
                   avg(work) AS work, coalesce(var_samp(work), 0) AS work_var, avg(misestimated) AS misestimated,
                   coalesce(var_samp(misestimated), 0) AS misestimated_var,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY latency) AS p95
            FROM scoped GROUP BY h, after
            """.replace("<misestimated>", EvidenceReader.misestimated("i")).replace("<reads>", EvidenceReader.readsTheTable("l"))
            // the files a scan opens: its data files, and the delete files it merges with them
            .replace("<files>", "(coalesce(i.files_scanned, 0) + coalesce(i.delete_files_scanned, 0))");

    /** The verdict of a fix whose apply changed nothing: it stays applied, never verified. */
    public static final String UNCHANGED = "unchanged";

    private final Jdbi jdbi;
    private final RecommendationStore store;
    private final FixAudit audit;
    private final int minQueries;
    private final double minChange;
    private final double fileOpenBytes;
    /** The catalogs, to tell a fix's table from one created under its name since: none where icetune reads no catalog. */
    private final Optional<TableMetadataReader> tables;

    public EffectMeasurer(Jdbi jdbi, RecommendationStore store, Optional<TableMetadataReader> tables, int minQueries, double minChange, double fileOpenBytes)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.store = requireNonNull(store, "store is null");
        this.tables = requireNonNull(tables, "tables is null");
        this.audit = new FixAudit(jdbi);
        this.minQueries = minQueries;
        this.minChange = minChange;
        this.fileOpenBytes = fileOpenBytes;
    }

    /** Measures every applied fix not judged yet; records a verdict for those with enough queries on both sides and a clear change. */
    public List<Effect> measure(Instant now, Duration lookBack)
    {
        List<Effect> effects = new ArrayList<>();
        Map<String, List<Applied>> byTarget = new LinkedHashMap<>();
        Map<String, Optional<String>> uuids = new HashMap<>(); // each table loaded once, however many of its fixes are measured
        for (RecommendationStore.Stored applied : store.list(Optional.of(Status.APPLIED))) {
            if (applied.measuredEffect() != null) {
                continue; // judged: its apply changed nothing
            }
            Optional<Instant> at = audit.lastApplied(applied.id());
            if (at.isEmpty()) {
                continue;
            }
            if (audit.lastApplyChangedNothing(applied.id())) {
                effects.add(measuredNoMore(applied, UNCHANGED, "the apply changed nothing (the change was already in effect): there is no effect to credit"));
                continue;
            }
            Optional<String> replaced = replacement(applied, uuids);
            if (replaced.isPresent()) {
                effects.add(measuredNoMore(applied, RecommendationStore.TABLE_REPLACED, replaced.get()));
                continue;
            }
            Applied each = new Applied(applied, at.get(), scope(applied, at.get(), lookBack));
            byTarget.computeIfAbsent(applied.fix().changedTable().orElse(applied.target()), key -> new ArrayList<>()).add(each);
        }
        // the changes a fix's "before" may start at: within the look-back of the earliest fix measured, not the audit's whole history
        Map<String, List<Map.Entry<Long, Instant>>> changes = byTarget.values().stream().flatMap(List::stream).map(Applied::at).min(Comparator.naturalOrder())
                .map(earliest -> changesOfTables(earliest.minus(lookBack))).orElse(Map.of());
        for (Map.Entry<String, List<Applied>> onTarget : byTarget.entrySet()) {
            onTarget.getValue().sort(Comparator.comparing(Applied::at));
            for (List<Applied> group : groups(onTarget.getValue(), now)) {
                measure(group, changes.getOrDefault(onTarget.getKey(), List.of()), now, lookBack).ifPresent(effects::add);
            }
        }
        return effects;
    }

    /** An applied fix with nothing to measure, recorded so with its {@code verdict} and why: it stays applied, measured no more. */
    private Effect measuredNoMore(RecommendationStore.Stored applied, String verdict, String reason)
    {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("verdict", verdict);
        figures.put("reason", reason);
        store.recordUnchanged(applied.id(), figures);
        return new Effect(List.of(applied.id()), null, figures, List.of());
    }

    /**
     * Why the fix's table is no longer the table it changed, when it is not: dropped and created again under its name since (met from
     * outside: a compaction measured "no effect" on a re-created table of as many small files). The queries since read another table,
     * and nothing of theirs is the fix's doing. Empty for the same table, and where that is not known: no catalog read here, the
     * table dropped, an apply audited before the table's UUID was recorded, a catalog failing (the evaluation's metadata read says so).
     */
    private Optional<String> replacement(RecommendationStore.Stored applied, Map<String, Optional<String>> uuids)
    {
        Optional<String> table = applied.fix().changedTable();
        Optional<String> changed = audit.statesOfLastApply(applied.id()).map(states -> states.getValue().uuid());
        if (table.isEmpty() || changed.isEmpty() || tables.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> now = uuids.computeIfAbsent(table.get(), name -> {
            try {
                return tables.get().load(name).flatMap(TableMetadataReader::uuid);
            }
            catch (RuntimeException e) {
                return Optional.empty();
            }
        });
        return now.filter(uuid -> !uuid.equals(changed.get())).map(uuid -> ("%s was dropped and created again since the fix was applied (table UUID %s, the fix's %s): "
                + "its queries since read another table, none of them the fix's to measure; it stays applied, measured no more, and its rule, firing "
                + "on the new table once the window holds no scan from before the fix, opens a recommendation of its own").formatted(table.get(), uuid, changed.get()));
    }

    /**
     * Why an applied fix has no verdict yet, as a person asks it (met from outside: fixes applied hours before said "none yet", and a
     * table nobody had queried since could not be told from a change too small to call): the queries it is measured on, how many ran
     * in the look-back before its apply and how many since ({@code effect.min_queries} are needed on each side). None for a fix
     * not applied, or judged.
     */
    public Optional<Waiting> waiting(RecommendationStore.Stored applied, Instant now, Duration lookBack)
    {
        Optional<Instant> at = audit.lastApplied(applied.id());
        if (applied.status() != Status.APPLIED || applied.measuredEffect() != null || at.isEmpty()) {
            return Optional.empty();
        }
        Scope scope = scope(applied, at.get(), lookBack);
        return Optional.of(new Waiting(scope.words(), at.get(), count(scope, at.get().minus(lookBack), at.get()), count(scope, at.get(), now)));
    }

    /** An applied fix's queries so far: its scope in words, when it was applied, how many ran before it (within the look-back) and since. */
    public record Waiting(String scope, Instant appliedAt, long before, long since) {}

    /** Per table, the changes fixes made to it (applied or rolled back) since {@code since}, oldest first: the recommendation and when. */
    private Map<String, List<Map.Entry<Long, Instant>>> changesOfTables(Instant since)
    {
        Map<Long, Optional<String>> tables = new HashMap<>();
        Map<String, List<Map.Entry<Long, Instant>>> changes = new HashMap<>();
        for (Map.Entry<Long, Instant> change : audit.changesSince(since)) {
            tables.computeIfAbsent(change.getKey(), id -> store.find(id).flatMap(found -> found.fix().changedTable()))
                    .ifPresent(table -> changes.computeIfAbsent(table, key -> new ArrayList<>()).add(change));
        }
        return changes;
    }

    /** Consecutive fixes go together when fewer than the minimum of the first's queries ran between them. */
    private List<List<Applied>> groups(List<Applied> sorted, Instant now)
    {
        List<List<Applied>> groups = new ArrayList<>();
        List<Applied> current = new ArrayList<>(List.of(sorted.getFirst()));
        for (Applied next : sorted.subList(1, sorted.size())) {
            Applied last = current.getLast();
            if (count(last.scope(), last.at(), next.at()) < minQueries) {
                current.add(next);
            }
            else {
                groups.add(current);
                current = new ArrayList<>(List.of(next));
            }
        }
        groups.add(current);
        return groups;
    }

    private long count(Scope scope, Instant from, Instant until)
    {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT count(*) FROM query_inputs i JOIN query_logs l ON l.query_id = i.query_id AND l."timestamp" = i."timestamp"
                        WHERE i."timestamp" >= :from AND i."timestamp" < :until AND l.create_time >= :from AND l.success AND (<scope>)"""
                        .replace("<scope>", scope.condition()))
                .bind("from", Timestamp.from(from)).bind("until", Timestamp.from(until)).bindMap(scope.parameters())
                .mapTo(Long.class).one());
    }

    /** The queries of a scope before and after, pattern by pattern; per figure the weighted means and the noise of their difference. */
    private record Measured(long before, long after, List<String> patterns, double p95Before, double p95After, Map<Figure, double[]> figures)
    {
        double before(Figure figure)
        {
            return figures.get(figure)[0] / after;
        }

        double after(Figure figure)
        {
            return figures.get(figure)[1] / after;
        }

        /** Twice the standard error of the difference of the means. */
        double noise(Figure figure)
        {
            return 2 * Math.sqrt(figures.get(figure)[2]) / after;
        }
    }

    private Measured measured(List<Applied> group, Instant since, Instant first, Instant applied, Instant now)
    {
        List<Scope> scopes = group.stream().map(Applied::scope).toList();
        String condition = scopes.stream().map(scope -> "(" + scope.condition() + ")").distinct().collect(Collectors.joining(" OR "));
        String pairings = scopes.stream().map(Scope::pairing).filter(pairing -> !pairing.isEmpty()).distinct().collect(Collectors.joining(" "));
        String patternOf = pairings.isEmpty() ? "l.query_pattern_hash" : "CASE " + pairings + " ELSE l.query_pattern_hash END";
        Map<String, Object> parameters = new HashMap<>();
        scopes.forEach(scope -> parameters.putAll(scope.parameters()));
        Map<String, Map<Boolean, Map<String, Object>>> byPattern = new HashMap<>();
        jdbi.useHandle(handle -> handle.createQuery(FIGURES.replace("<scope>", condition).replace("<pattern>", patternOf))
                .bind("since", Timestamp.from(since)).bind("until", Timestamp.from(now))
                .bind("first", Timestamp.from(first)).bind("applied", Timestamp.from(applied)).bind("file_open_bytes", fileOpenBytes).bindMap(parameters)
                .mapToMap().forEach(row -> byPattern.computeIfAbsent((String) row.get("h"), key -> new HashMap<>()).put((Boolean) row.get("after"), row)));
        // only patterns seen on both sides, each weighted by how often it ran after: a change of the mix is not an effect
        long before = 0;
        long after = 0;
        Map<Figure, double[]> sums = new HashMap<>(); // weighted before, weighted after, variance of the difference
        double p95Before = 0;
        double p95After = 0;
        List<String> patterns = new ArrayList<>();
        for (Figure figure : Figure.values()) {
            sums.put(figure, new double[3]);
        }
        for (Map.Entry<String, Map<Boolean, Map<String, Object>>> pattern : byPattern.entrySet()) {
            Map<String, Object> was = pattern.getValue().get(false);
            Map<String, Object> is = pattern.getValue().get(true);
            if (was == null || is == null) {
                continue;
            }
            patterns.add(pattern.getKey());
            long nBefore = number(was.get("n")).longValue();
            long nAfter = number(is.get("n")).longValue();
            before += nBefore;
            after += nAfter;
            p95Before = Math.max(p95Before, number(was.get("p95")).doubleValue());
            p95After = Math.max(p95After, number(is.get("p95")).doubleValue());
            for (Figure figure : Figure.values()) {
                double[] sum = sums.get(figure);
                sum[0] += nAfter * number(was.get(figure.column)).doubleValue();
                sum[1] += nAfter * number(is.get(figure.column)).doubleValue();
                sum[2] += (double) nAfter * nAfter * (number(was.get(figure.column + "_var")).doubleValue() / nBefore
                        + number(is.get(figure.column + "_var")).doubleValue() / nAfter);
            }
        }
        if (scopes.stream().anyMatch(scope -> scope.figures().contains(Figure.METADATA))) {
            // before the first fix of the group, after the last (one audit row when the group is one fix)
            var firstApply = audit.statesOfLastApply(group.getFirst().recommendation().id());
            var lastApply = group.size() == 1 ? firstApply : audit.statesOfLastApply(group.getLast().recommendation().id());
            long was = firstApply.map(states -> states.getKey().metadataBytes()).orElse(0L);
            long is = lastApply.map(states -> states.getValue().metadataBytes()).orElse(0L);
            if (was > 0 && is > 0) {
                sums.put(Figure.METADATA, new double[] {after * was, after * is, 0});
            }
        }
        return new Measured(before, after, patterns.stream().sorted().toList(), p95Before, p95After, sums);
    }

    private Optional<Effect> measure(List<Applied> group, List<Map.Entry<Long, Instant>> changesOfTable, Instant now, Duration lookBack)
    {
        Instant first = group.getFirst().at();
        Instant applied = group.getLast().at();
        // before: since the table's last change by a fix before this one (another fix's effect is not this one's), or the look-back;
        // a change so close before that fewer than the minimum of the queries ran since is measured with this one, and said
        Instant since = first.minus(lookBack);
        Optional<Map.Entry<Long, Instant>> earlier = changesOfTable.stream().filter(change -> change.getValue().isBefore(first) && change.getValue().isAfter(first.minus(lookBack)))
                .reduce((a, b) -> b);
        if (earlier.isPresent() && count(group.getFirst().scope(), earlier.get().getValue(), first) >= minQueries) {
            since = earlier.get().getValue();
            earlier = Optional.empty();
        }
        Set<Figure> figures = EnumSet.noneOf(Figure.class);
        group.forEach(each -> figures.addAll(each.scope().figures()));
        Measured measured = measured(group, since, first, applied, now);
        if (figures.contains(Figure.METADATA) && measured.before(Figure.METADATA) == 0) {
            // applied before the audit recorded the metadata's size: its planning time is what is left to judge it by
            figures.remove(Figure.METADATA);
            figures.add(Figure.PLANNING);
        }
        if (measured.before() < minQueries || measured.after() < minQueries) {
            return Optional.empty(); // too few of its queries yet: keep measuring
        }
        Map<String, Object> effect = new LinkedHashMap<>();
        effect.put("scope", group.stream().map(each -> each.scope().words()).distinct().collect(Collectors.joining("; ")));
        effect.put("applied_at", applied.toString());
        effect.put("before_since", since.toString());
        earlier.ifPresent(change -> effect.put("includes_change", "#%d changed the table at %s, too shortly before for its queries to be told apart: the effect may include it"
                .formatted(change.getKey(), change.getValue())));
        effect.put("queries_before", measured.before());
        effect.put("queries_after", measured.after());
        effect.put("patterns", measured.patterns());
        effect.put("p95_ms_before", round(measured.p95Before()));
        effect.put("p95_ms_after", round(measured.p95After()));
        boolean improved = false;
        boolean worse = false;
        List<String> changes = new ArrayList<>();
        for (Figure figure : Figure.values()) {
            double was = measured.before(figure);
            double is = measured.after(figure);
            effect.put(figure.name + "_before", round(was));
            effect.put(figure.name + "_after", round(is));
            if (!figures.contains(figure)) {
                continue;
            }
            boolean beyondNoise = Math.abs(was - is) > measured.noise(figure);
            if (is < was * (1 - minChange) && beyondNoise) {
                improved = true;
                changes.add(figure.change(was, is));
            }
            else if (is > was * (1 + minChange) && beyondNoise) {
                worse = true;
                changes.add(figure.change(was, is));
            }
        }
        Status verdict = worse ? Status.REGRESSED : improved ? Status.VERIFIED : null;
        if (verdict == null) {
            // no change beyond noise on what the fix moves. Measured closely enough to rule out a change of effect.min_change either
            // way, a fix that acts on its table's next query has none; a view (read once dashboards turn to it) keeps measuring
            boolean actsAtOnce = group.stream().allMatch(each -> each.recommendation().fix().kind().stage() != FixKind.Stage.DERIVED);
            if (!actsAtOnce || !figures.stream().allMatch(figure -> withinChange(measured.before(figure), measured.after(figure), measured.noise(figure), minChange))) {
                return Optional.empty(); // too close to call: keep measuring
            }
            figures.forEach(figure -> changes.add(figure.change(measured.before(figure), measured.after(figure))));
        }
        List<Long> ids = group.stream().map(each -> each.recommendation().id()).toList();
        if (ids.size() > 1) {
            effect.put("measured_with", ids);
            effect.put("note", "applied too close together for their queries to tell them apart: the effect is the group's, not each fix's");
        }
        effect.put("verdict", verdict == null ? RecommendationStore.NO_EFFECT : verdict.value());
        String reason = (verdict == Status.VERIFIED ? "its queries improved: " : verdict == Status.REGRESSED ? "its queries got worse: "
                : "its queries changed by less than effect.min_change (%.0f%%), noise included: ".formatted(100 * minChange)) + String.join(", ", changes);
        for (Applied each : group) {
            Map<String, Object> own = new LinkedHashMap<>(effect);
            // the estimate is of the fix's own queries: compared on them, even when the verdict is the group's
            Measured ownQueries = group.size() == 1 ? measured
                    : measured(List.of(each), since, first, applied, now);
            estimated(each.recommendation().estimate(), ownQueries, bytesOf(each.scope()), own);
            String rollback = "icetune rollback " + each.recommendation().id() + " --by NAME";
            if (verdict == null) {
                // not a transition: it stays applied, measured no more, and its table free for the next fix
                own.put("reason", reason + "; it stays applied, measured no more (" + rollback + " undoes it)");
                store.recordUnchanged(each.recommendation().id(), own);
                continue;
            }
            String why = reason;
            if (verdict == Status.REGRESSED) {
                own.put("proposed", rollback);
                why += "; roll it back: " + rollback;
            }
            store.recordEffect(each.recommendation().id(), verdict, own, why);
        }
        return Optional.of(new Effect(ids, verdict, effect, changes));
    }

    /**
     * A difference that cannot be a change of {@code share} either way: its size and its noise together within that share of
     * the figure before. A figure of 0 before (no misestimated scan for statistics to mend) must stay 0 exactly.
     */
    static boolean withinChange(double was, double is, double noise, double share)
    {
        return Math.abs(is - was) + noise <= share * was;
    }

    /** The bytes a fix's estimate counts: read (a bloom filter), of metadata (a snapshot expiry), or opened. */
    private static Figure bytesOf(Scope scope)
    {
        return scope.figures().contains(Figure.READ) ? Figure.READ : scope.figures().contains(Figure.METADATA) ? Figure.METADATA : Figure.BYTES;
    }

    /**
     * The estimate beside the measurement of the fix's own queries, and how the measured saving compares with it; bytes as
     * the estimate counts them (see {@link #bytesOf}).
     */
    private static void estimated(Estimate estimate, Measured own, Figure bytes, Map<String, Object> effect)
    {
        if (estimate == null || !estimate.isKnown() || own.after() == 0) {
            return;
        }
        effect.put("own_queries_after", own.after());
        effect.put("own_files_per_query_before", round(own.before(Figure.FILES)));
        effect.put("own_files_per_query_after", round(own.after(Figure.FILES)));
        effect.put("own_bytes_per_query_before", round(own.before(bytes)));
        effect.put("own_bytes_per_query_after", round(own.after(bytes)));
        effect.put("own_bytes_are", switch (bytes) {
            case READ -> "read";
            case METADATA -> "metadata";
            default -> "opened";
        });
        effect.put("estimated_files_per_query_after", estimate.filesPerQueryAfter());
        effect.put("estimated_bytes_per_query_after", estimate.bytesPerQueryAfter());
        double estimatedFiles = estimate.filesPerQueryBefore() - estimate.filesPerQueryAfter();
        if (estimatedFiles > 0) {
            effect.put("files_saved_measured_over_estimated", round((own.before(Figure.FILES) - own.after(Figure.FILES)) / estimatedFiles));
        }
        if (estimate.misestimatedShareBefore() != null) {
            effect.put("own_misestimated_share_before", round(own.before(Figure.MISESTIMATED)));
            effect.put("own_misestimated_share_after", round(own.after(Figure.MISESTIMATED)));
            effect.put("estimated_misestimated_share_after", estimate.misestimatedShareAfter());
            double estimatedFixed = estimate.misestimatedShareBefore() - estimate.misestimatedShareAfter();
            if (estimatedFixed > 0) {
                effect.put("misestimates_fixed_measured_over_estimated",
                        round((own.before(Figure.MISESTIMATED) - own.after(Figure.MISESTIMATED)) / estimatedFixed));
            }
        }
        double estimatedBytes = estimate.bytesPerQueryBefore() - estimate.bytesPerQueryAfter();
        if (estimatedBytes > 0) {
            effect.put("bytes_saved_measured_over_estimated", round((own.before(bytes) - own.after(bytes)) / estimatedBytes));
        }
    }

    /** {@code text} matched as it is by a PostgreSQL regular expression. */
    private static String literal(String text)
    {
        return text.replaceAll("([^A-Za-z0-9_])", "\\\\$1");
    }

    /** The queries a fix is meant to help, and the figures it is meant to move. */
    private static Scope scope(RecommendationStore.Stored applied, Instant at, Duration lookBack)
    {
        Fix fix = applied.fix();
        String table = fix.changedTable().orElse(null);
        if (applied.targetType() == TargetType.PATTERN || table == null) {
            // a pattern's recommendation is of the cluster that ran it: its queries there
            Map<String, Object> parameters = new HashMap<>(Map.of("pattern_" + applied.id(), applied.target()));
            String condition = "l.query_pattern_hash = :pattern_" + applied.id();
            if (applied.cluster() != null) {
                parameters.put("cluster_" + applied.id(), applied.cluster());
                condition += " AND l.cluster_name = :cluster_" + applied.id();
            }
            String words = "the pattern " + applied.target() + (applied.cluster() == null ? "" : " on " + applied.cluster());
            if (fix instanceof MaterializedView view) {
                // its queries pointed at the view read the view's storage (Trino's Iceberg names it VIEW$materialized_view_storage)
                parameters.put("view_" + applied.id(), view.name());
                String reads = INPUT_TABLE + " IN (:view_%1$d, :view_%1$d || '$materialized_view_storage')".formatted(applied.id());
                return new Scope(words + " and the reads of " + view.name(), "(" + condition + ") OR " + reads, parameters, EnumSet.of(Figure.WORK),
                        "WHEN " + reads + " THEN :pattern_" + applied.id());
            }
            return new Scope(words, condition, parameters, EnumSet.of(Figure.WORK));
        }
        String onTable = INPUT_TABLE + " = :table_" + applied.id();
        Map<String, Object> parameters = new HashMap<>(Map.of("table_" + applied.id(), table));
        Optional<String> column = switch (fix) {
            // a coarser time partition serves every scan of the table, not the ranges of its column
            case PartitionSpec spec when spec.coarsening().isPresent() -> Optional.empty();
            case PartitionSpec spec -> spec.added().stream().map(PartitionSpec.TIME_FIELD::matcher).filter(Matcher::matches).map(matcher -> Sql.propertyColumnName(matcher.group(2))).findFirst();
            case SortOrder sort -> Optional.of(sort.columns().getFirst());
            case BloomFilters bloom -> bloom.added().stream().findFirst();
            default -> Optional.empty();
        };
        if (column.isPresent()) {
            // the patterns that filtered the table on the column before the fix: after it, a partition column's range is
            // enforced by the scan and no filter shows it any more, so the queries are known by their pattern
            // the column compared as it is (ts < ..., ... <= "ts", user_id = ..., IN, BETWEEN), not inside a function: the
            // queries the fix can help are those its estimate is of, not date_format(ts, ...) = '...'
            // as Trino prints it: bare, or quoted with its quotes doubled ("visitor ""id""")
            String name = "(?:%s|\"%s\")".formatted(literal(column.get()), literal(column.get().replace("\"", "\"\"")));
            parameters.put("column_" + applied.id(), "(^|[^A-Za-z0-9_])" + name + "\\s*(=|<>|!=|<=|>=|<|>|\\mIN\\M|\\mBETWEEN\\M)|(=|<=|>=|<|>)\\s*" + name
                    + "([^A-Za-z0-9_(]|$)");
            parameters.put("applied_" + applied.id(), Timestamp.from(at));
            parameters.put("since_" + applied.id(), Timestamp.from(at.minus(lookBack)));
            String patterns = ("l.query_pattern_hash IN (SELECT query_pattern_hash FROM query_inputs WHERE \"timestamp\" >= :since_%1$d AND \"timestamp\" < :applied_%1$d "
                    + "AND " + TableName.inPostgres("") + " = :table_%1$d AND filter_predicate ~ :column_%1$d)").formatted(applied.id());
            String words = switch (fix.kind()) {
                case PARTITION_SPEC -> "time-range scans of %s on %s";
                case BLOOM_FILTERS -> "lookups on %s.%2$s";
                default -> "scans of %s filtered on %s";
            };
            // a bloom filter skips row groups of the files it still opens: the bytes and rows read are what it moves
            Set<Figure> moved = fix.kind() == FixKind.BLOOM_FILTERS ? EnumSet.of(Figure.READ, Figure.ROWS_READ) : EnumSet.of(Figure.WORK);
            return new Scope(words.formatted(table, column.get()), onTable + " AND " + patterns, parameters, moved);
        }
        return switch (fix.kind()) {
            // the scans whose rows the planner's estimate can be compared with
            case ANALYZE -> new Scope("filtered scans of " + table, onTable + " AND " + EvidenceReader.hasRowEstimate("i"), parameters, EnumSet.of(Figure.MISESTIMATED));
            case EXPIRE_SNAPSHOTS -> new Scope("the planning of scans of " + table, onTable, parameters, EnumSet.of(Figure.METADATA));
            default -> new Scope("scans of " + table, onTable, parameters, EnumSet.of(Figure.WORK));
        };
    }

    private static Number number(Object value)
    {
        return value == null ? 0 : (Number) value;
    }

    private static double round(double value)
    {
        return Math.round(value * 1000) / 1000.0;
    }
}
