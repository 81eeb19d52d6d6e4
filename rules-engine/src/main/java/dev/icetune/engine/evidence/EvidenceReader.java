package dev.icetune.engine.evidence;

import dev.icetune.engine.Outcomes;
import dev.icetune.engine.TrinoConnections;
import dev.icetune.engine.evidence.PatternBaselines.Baseline;
import dev.icetune.engine.evidence.PatternBaselines.PatternKey;
import dev.icetune.engine.facts.FullScanFact;
import dev.icetune.engine.facts.LoadFact;
import dev.icetune.engine.facts.PatternFact;
import dev.icetune.engine.facts.PredicateFact;
import dev.icetune.engine.facts.RunningQueryFact;
import dev.icetune.engine.facts.TableScanFact;
import dev.icetune.plan.ExecutedStatement;
import dev.icetune.plan.FilterPredicates;
import dev.icetune.plan.FilterPredicates.ColumnPredicate;
import dev.icetune.plan.PredicateKind;
import dev.icetune.store.TableName;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Turns query_logs into facts for one evaluation window, against the baseline window before it, of every cluster or
 * of one. A pattern's facts are per cluster (its latency is the cluster's), a table's scans are summed over the
 * clusters that ran them. The window's aggregation runs in PostgreSQL; Java parses the few distinct residual filters,
 * and merges the baseline's rolled-up periods per pattern ({@link PatternBaselines}), keeping them for the next read.
 */
public final class EvidenceReader
{
    /** A planner's row estimate off by more than this factor, either way, counts as misestimated (its plan choices rest on it). */
    public static final int MISESTIMATE_FACTOR = 10;

    /** SQL: the query_inputs row {@code alias} has the planner's estimate of its rows to compare with the rows it returned. */
    public static String hasRowEstimate(String alias)
    {
        return "(%1$s.estimated_rows = 'NaN' OR %1$s.output_rows IS NOT NULL)".formatted(alias);
    }

    /** SQL: the planner could not estimate the rows of the query_inputs row {@code alias} (NaN), or missed by more than {@link #MISESTIMATE_FACTOR}. */
    public static String misestimated(String alias)
    {
        return "(%1$s.estimated_rows = 'NaN' OR %1$s.output_rows IS NOT NULL AND greatest(%1$s.estimated_rows, 1) / greatest(%1$s.output_rows, 1) NOT BETWEEN 1.0 / %2$d AND %2$d)"
                .formatted(alias, MISESTIMATE_FACTOR);
    }

    /**
     * SQL: the query_inputs or query_logs row {@code alias} is of a read, or of a write that reads the table as a read does (an INSERT's or a
     * CREATE TABLE's source, a DELETE's, an UPDATE's or a MERGE's target: a table only loads read opens its small and delete files all the
     * same); not of maintenance (optimize, ANALYZE), whose reads are the fix, not the workload.
     */
    public static String readsTheTable(String alias)
    {
        return "(%1$s.update_type IS NULL OR %1$s.update_type IN ('INSERT', 'CREATE TABLE', 'DELETE', 'UPDATE', 'MERGE'))".formatted(alias);
    }

    /** What the rules see of one window. */
    public record Evidence(List<PatternFact> patterns, List<TableScanFact> tableScans, List<PredicateFact> predicates, List<LoadFact> loads,
            List<FullScanFact> fullScans, List<RunningQueryFact> running)
    {
        public List<Object> all()
        {
            List<Object> all = new ArrayList<>(patterns);
            all.addAll(tableScans);
            all.addAll(predicates);
            all.addAll(loads);
            all.addAll(fullScans);
            all.addAll(running);
            return all;
        }
    }

    /**
     * Ranges of pattern hashes read side by side (hashes are lower-case hex; any other text still falls in
     * one range). PostgreSQL runs a query's DISTINCT and ordered-set aggregates in one process, so the two
     * longest reads, per pattern and per filter, are each split in two to use two cores.
     */
    private record Slice(String from, Optional<String> to)
    {
        String condition()
        {
            return "query_pattern_hash >= :from" + (to.isPresent() ? " AND query_pattern_hash < :to" : "");
        }

        Query bound(Handle handle, String sql)
        {
            return handle.createQuery(sql.replace("<slice>", condition())).bind("from", from)
                    .bindMap(to.map(value -> Map.<String, Object>of("to", value)).orElse(Map.of()));
        }
    }

    private static final List<Slice> SLICES = List.of(new Slice("", Optional.of("8")), new Slice("8", Optional.empty()));

    /** A query_inputs row's table as facts and recommendations name it. */
    private static final String TABLE_NAME = TableName.inPostgres("");

    /** A query failed on a time, CPU, memory or scan limit (Trino's EXCEEDED_* codes and its INSUFFICIENT_RESOURCES errors). */
    private static final String LIMIT_FAILURE = "NOT success AND (error_code LIKE 'EXCEEDED%' OR error_type = 'INSUFFICIENT_RESOURCES')";

    /**
     * A run ended before its end by someone or something else than its own work: canceled, killed (as hung-queries advises), its
     * client gone, its server stopping. It counts as a run, but its latency is when it was ended, not how long its pattern takes: met
     * from outside, one query killed after 220 s among seven of 300 ms made the pattern's p95 near 220 s, and the next hung query of
     * the pattern went unreported. Left out of the latencies of the window, the baseline and the p95-vs-baseline report.
     */
    static final String CUT_SHORT = "error_code IN ('USER_CANCELED', 'ADMINISTRATIVELY_KILLED', 'ADMINISTRATIVELY_PREEMPTED', 'ABANDONED_QUERY', 'SERVER_SHUTTING_DOWN')";

    /**
     * A run whose result a cache could serve again: the whole text stored, and a snapshot known for every table it read. An input
     * without one ({@code -}: an Iceberg metadata table such as {@code t$files}, a system table, another connector's table) may
     * change under the same text; a query without inputs ({@code SELECT 1}) saves nothing. Null when the row has no inputs.
     */
    private static final String CACHEABLE = "(success AND NOT query_text_truncated AND strpos(',' || input_snapshots || ',', ',-,') = 0)";

    /** What a run ran: its text, and the statement an EXECUTE of one prepared by name ran (the name tells nothing). */
    private static final String RUN_STATEMENT = "concat_ws('|', query_text, prepared_statement)";
    /** What a run repeats: what it ran, on the tables' snapshots. */
    private static final String RUN_TEXT = "concat_ws('|', " + RUN_STATEMENT + ", input_snapshots)";

    /**
     * A scan that tells of the table's layout: with the files it read reported, of the table as it was when the query ran, not as of
     * an earlier version or time ({@code reads_as_of}), whose snapshot it may have moved past.
     */
    private static final String CURRENT_SCAN = "files_scanned IS NOT NULL AND reads_as_of IS NOT TRUE";
    /** Such a scan by a read, or by a write that reads the table as one ({@link #readsTheTable}), for the table's own evidence. */
    private static final String TABLE_SCAN = readsTheTable("q") + " AND " + CURRENT_SCAN;
    /** Such a scan by a read, for a pattern's evidence: patterns are reads'. */
    private static final String LAYOUT_SCAN = "update_type IS NULL AND " + CURRENT_SCAN;

    /**
     * Not icetune's own queries (its metadata reads through Trino, lint's EXPLAIN): they repeat identically at each evaluation, and a
     * pattern of them would be a recommendation about icetune, not the workload.
     */
    private static final String WORKLOAD = "source IS DISTINCT FROM '%s'".formatted(TrinoConnections.SOURCE);

    private static final String PATTERNS = """
            WITH logs AS (
                -- the rows as the aggregation needs them, computed below its sort (OFFSET 0 keeps the planner from folding this
                -- into it) and narrow enough for the sort to stay in memory: texts counted distinct become hashes, the query text
                -- two hashes, and the texts shown are read in a hashed pass (texts)
                SELECT cluster_name, query_pattern_hash, success, coalesce(<cacheable>, false) AS comparable,
                       hashtextextended(user_name, 0) AS user_key, CASE WHEN <cut_short> THEN NULL ELSE latency END AS latency, files_scanned, bytes_scanned, rows_returned, skew_ratio, skew_stage_id,
                       hashtextextended(input_snapshots, 0) AS snapshots_key, hashtextextended(<run_statement>, 0) AS text_key, join_input_rows, join_output_rows, cross_join, sort_without_limit,
                       spilled_bytes, peak_memory_bytes, <limit_failure> AS limit_failure,
                       CASE WHEN <limit_failure> THEN error_code END AS limit_error,
                       -- identical text on identical snapshots within the TTL, counted in TTL-wide time buckets (the bucket seeds the
                       -- hash), twice with the buckets shifted by half a TTL, so that a burst shorter than half the TTL falls in one
                       -- bucket; date_part (float8), not extract (numeric): a million numeric divisions cost a third of a second
                       CASE WHEN <cacheable> THEN hashtextextended(<run_text>,
                               floor(date_part('epoch', "timestamp") / :ttl_seconds)::bigint) END AS run,
                       CASE WHEN <cacheable> THEN hashtextextended(<run_text>,
                               floor((date_part('epoch', "timestamp") + :ttl_seconds / 2.0) / :ttl_seconds)::bigint) END AS shifted_run
                FROM query_logs
                WHERE "timestamp" >= :start AND "timestamp" < :end AND update_type IS NULL AND <slice> <cluster> AND <workload>
                OFFSET 0),
            cur AS (
                SELECT cluster_name AS cluster, query_pattern_hash AS h, count(*) AS executions,
                       count(*) FILTER (WHERE NOT success)::float8 / count(*) AS error_rate, count(DISTINCT user_key) AS users,
                       percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY latency) AS percentiles,
                       avg(coalesce(files_scanned, 0)) AS files, avg(coalesce(bytes_scanned, 0)) AS bytes, avg(coalesce(rows_returned, 0)) AS rows_out,
                       max(ARRAY[coalesce(skew_ratio, 0), coalesce(skew_stage_id, -1)]) AS skew, count(DISTINCT snapshots_key) AS snapshots_now,
                       count(*) FILTER (WHERE comparable) - least(count(DISTINCT run), count(DISTINCT shifted_run)) AS repeated,
                       min(text_key) <> max(text_key) AS texts_vary,
                       coalesce(avg(join_input_rows), 0) AS join_in, coalesce(avg(join_output_rows), 0) AS join_out,
                       count(*) FILTER (WHERE cross_join) AS cross_joins, count(*) FILTER (WHERE sort_without_limit) AS unlimited_sorts,
                       count(*) FILTER (WHERE spilled_bytes > 0) AS spilling, coalesce(avg(spilled_bytes) FILTER (WHERE spilled_bytes > 0), 0) AS spilled,
                       coalesce(max(peak_memory_bytes), 0) AS peak_memory,
                       count(*) FILTER (WHERE limit_failure) AS limit_failures, min(limit_error) AS limit_error
                FROM logs
                -- sorted: the pattern hash first, whose leading bytes tell rows apart (a cluster name, shared by most rows,
                -- first made each comparison compare both texts in full)
                GROUP BY query_pattern_hash, cluster_name),
            texts AS (
                SELECT cluster_name AS cluster, query_pattern_hash AS h, min(query_pattern) AS pattern,
                       -- a run's text and the statement it executed by name, of one run
                       min(ARRAY[query_text, prepared_statement]) AS sample,
                       min(main_input) AS tbl
                FROM query_logs
                WHERE "timestamp" >= :start AND "timestamp" < :end AND update_type IS NULL AND <slice> <cluster> AND <workload>
                GROUP BY cluster_name, query_pattern_hash)
            -- a pattern hash has one pattern text: whether it aggregates is asked once per pattern, not once per query
            SELECT cur.*, texts.pattern, texts.sample[1] AS sample_query, texts.sample[2] AS prepared_statement, texts.tbl, texts.pattern ~ '\\mgroup by\\M' AS aggregation,
                   cur.percentiles[1] AS p50, cur.percentiles[2] AS p95, cur.skew[1] AS skew_ratio, cur.skew[2] AS skew_stage
            FROM cur JOIN texts USING (cluster, h)
            """.replace("<limit_failure>", LIMIT_FAILURE).replace("<cut_short>", CUT_SHORT).replace("<cacheable>", CACHEABLE).replace("<workload>", WORKLOAD).replace("<run_text>", RUN_TEXT)
            .replace("<run_statement>", RUN_STATEMENT);

    /**
     * Per table and cluster first, then per table: every aggregate hashes, and the list of clusters is sorted from a few rows a
     * table (an array_agg(DISTINCT) over the window sorted all its scans).
     */
    private static final String SCANS = """
            WITH per_cluster AS (
                SELECT catalog, schema_name, table_name, cluster_name, count(*) AS scans, sum(files_scanned) AS files, sum(bytes_scanned) AS bytes,
                       sum(pruning_ratio) AS pruning_sum, count(pruning_ratio) AS pruned, sum(coalesce(manifests_skipped, 0)) AS manifests_skipped,
                       sum(coalesce(delete_files_scanned, 0)) AS delete_files, max(partition_fields) AS partition_fields
                FROM query_inputs q
                WHERE "timestamp" >= :start AND "timestamp" < :end AND <table_scan> <cluster>
                GROUP BY catalog, schema_name, table_name, cluster_name)
            SELECT <table_name> AS tbl, sum(scans) AS scans, sum(files)::float8 / sum(scans) AS files,
                   sum(bytes)::float8 / nullif(sum(files), 0) AS bytes_per_file, sum(pruning_sum) / nullif(sum(pruned), 0) AS pruning,
                   sum(manifests_skipped)::float8 / sum(scans) AS manifests_skipped, sum(delete_files)::float8 / sum(scans) AS delete_files,
                   array_to_string(max(partition_fields), '|') AS partition_fields,
                   array_agg(cluster_name ORDER BY cluster_name) AS clusters
            FROM per_cluster
            GROUP BY catalog, schema_name, table_name
            """.replace("<table_name>", TABLE_NAME).replace("<table_scan>", TABLE_SCAN);

    /**
     * Scans grouped by the shape of the filter Trino left above them (literals blanked), so that a million
     * lookups of different ids are one group; the distinct filters of a group count the values looked up.
     */
    private static final String FILTERS = """
            WITH per_filter AS (
                SELECT catalog, schema_name, table_name, query_pattern_hash AS h, filter_predicate, count(*) AS scans,
                       sum(coalesce(pruning_ratio, 1)) AS pruning_sum, count(*) FILTER (WHERE coalesce(manifests_skipped, 0) = 0) AS no_skip,
                       sum(files_scanned) AS files, sum(coalesce(bytes_scanned, 0)) AS bytes,
                       sum(coalesce(physical_input_bytes, bytes_scanned, 0)) AS bytes_read,
                       count(*) FILTER (WHERE <has_estimate>) AS estimated, count(*) FILTER (WHERE <misestimated>) AS misestimated,
                       count(*) FILTER (WHERE coalesce(cardinality(constraint_columns), 0) = 0) AS unconstrained
                FROM query_inputs q
                WHERE "timestamp" >= :start AND "timestamp" < :end AND <layout_scan>
                  AND filter_predicate IS NOT NULL AND <slice> <cluster>
                GROUP BY 1, 2, 3, 4, 5),
            -- literals blanked once per distinct filter text, not once per table and pattern that used it
            shapes AS (
                SELECT filter_predicate, regexp_replace(filter_predicate, '''(?:[^'']|'''')*''', '?', 'g') AS shape
                FROM per_filter GROUP BY filter_predicate)
            SELECT <table_name> AS tbl, h, min(filter_predicate) AS example, sum(scans) AS scans,
                   count(*) AS distinct_filters, sum(pruning_sum) / sum(scans) AS pruning, sum(no_skip) AS no_manifest_skipped,
                   sum(files)::float8 AS files, sum(bytes)::float8 AS bytes, sum(bytes_read)::float8 AS bytes_read,
                   sum(estimated) AS estimated, sum(misestimated) AS misestimated,
                   -- one conjunct: no AND outside the literals, which the shape has blanked (Trino prints (a) AND (b)), and nothing
                   -- pushed into the scan (met from outside: LIKE '%x' AND k = 3 leaves the LIKE alone above a scan of one partition)
                   CASE WHEN shape ~ '\\sAND\\s' THEN 0 ELSE sum(unconstrained) END AS only_filter
            FROM per_filter JOIN shapes USING (filter_predicate)
            GROUP BY catalog, schema_name, table_name, h, shape
            """.replace("<table_name>", TABLE_NAME).replace("<layout_scan>", LAYOUT_SCAN).replace("<has_estimate>", hasRowEstimate("q")).replace("<misestimated>", misestimated("q"));

    /**
     * Load per cluster in one pass over the window: queries counted per (start second, end second) and per user in one
     * grouping; peak concurrency is then the running sum of starts and ends, second by second. A query "queued" when it
     * waited a second or more before it ran.
     */
    private static final String LOAD = """
            WITH logs AS NOT MATERIALIZED (
                SELECT cluster_name, create_time, "timestamp", user_name, bytes_scanned, queued_ms, cpu_ms, update_type, spilled_bytes,
                       success, error_code, error_type, resource_group
                FROM query_logs WHERE "timestamp" >= :start AND "timestamp" < :end <cluster>),
            per_second AS (
                SELECT cluster_name, date_bin('1 second', create_time, timestamptz 'epoch') AS started, date_bin('1 second', "timestamp", timestamptz 'epoch') AS ended,
                       count(*) AS queries
                FROM logs GROUP BY 1, 2, 3),
            edges AS (
                SELECT cluster_name, started AS at, sum(queries) AS delta FROM per_second GROUP BY 1, 2
                UNION ALL
                SELECT cluster_name, ended, -sum(queries) FROM per_second GROUP BY 1, 2),
            peaks AS (
                SELECT cluster_name, max(running) AS peak
                FROM (SELECT cluster_name, sum(delta) OVER (PARTITION BY cluster_name ORDER BY at, delta DESC ROWS UNBOUNDED PRECEDING) AS running FROM edges) r
                GROUP BY 1),
            -- the queue wait in 100 ms steps, counted (hashed, not sorted) for reads and for all queries (read NULL): its p95
            -- from the running count
            waits AS (
                SELECT cluster_name, read, step, count(*) AS queries
                FROM (SELECT cluster_name, update_type IS NULL AS read, least(coalesce(queued_ms, 0), 86400000) / 100 AS step FROM logs) q
                GROUP BY GROUPING SETS ((cluster_name, read, step), (cluster_name, step))),
            p95 AS (
                SELECT cluster_name, read, min(step) FILTER (WHERE below >= 0.95 * total) * 100 AS ms
                FROM (SELECT cluster_name, read, step, sum(queries) OVER (PARTITION BY cluster_name, read ORDER BY step) AS below,
                             sum(queries) OVER (PARTITION BY cluster_name, read) AS total FROM waits) w
                GROUP BY 1, 2),
            -- distinct users and resource groups in one hashed pass: a count(DISTINCT) in totals would sort the window
            seen AS (
                SELECT cluster_name, user_name, resource_group FROM logs
                GROUP BY GROUPING SETS ((cluster_name, user_name), (cluster_name, resource_group))),
            distincts AS (
                SELECT cluster_name, count(user_name) AS users, count(resource_group) AS resource_groups FROM seen GROUP BY 1),
            totals AS (
                SELECT cluster_name, count(*) AS queries, coalesce(sum(bytes_scanned), 0) AS bytes,
                       count(*) FILTER (WHERE queued_ms >= 1000)::float8 / count(*) AS queued_share,
                       coalesce(sum(cpu_ms), 0) / 1000.0 AS cpu_seconds, count(*) FILTER (WHERE update_type IS NOT NULL) AS writes,
                       coalesce(sum(cpu_ms) FILTER (WHERE update_type IS NOT NULL)::float8 / nullif(sum(cpu_ms), 0), 0) AS write_cpu_share,
                       count(*) FILTER (WHERE spilled_bytes > 0) AS spilling, count(*) FILTER (WHERE <limit_failure>) AS limit_failures
                FROM logs GROUP BY 1),
            cache AS (
                SELECT cluster_name, sum(bytes_read_from_cache)::float8 / nullif(sum(bytes_read_from_cache) + sum(bytes_read_externally), 0) AS ratio
                FROM query_inputs WHERE "timestamp" >= :start AND "timestamp" < :end <cluster> GROUP BY 1)
            SELECT t.*, d.users, d.resource_groups, coalesce(a.ms, 0) AS p95_queued_ms, coalesce(r.ms, 0) AS p95_read_queued_ms, coalesce(p.peak, 0) AS peak,
                   coalesce(c.ratio, -1) AS cache_hit_ratio
            FROM totals t JOIN distincts d USING (cluster_name) LEFT JOIN p95 a ON a.cluster_name = t.cluster_name AND a.read IS NULL
                LEFT JOIN p95 r ON r.cluster_name = t.cluster_name AND r.read
                LEFT JOIN peaks p ON p.cluster_name = t.cluster_name LEFT JOIN cache c ON c.cluster_name = t.cluster_name
            """.replace("<limit_failure>", LIMIT_FAILURE);

    /** Scans of a table with no filter at all (none pushed into the scan, none above it) that read every file. */
    private static final String FULL_SCANS = """
            SELECT <table_name> AS tbl, query_pattern_hash AS h, cluster_name AS cluster, count(*) AS scans,
                   avg(files_scanned) AS files, avg(coalesce(bytes_scanned, 0)) AS bytes
            FROM query_inputs
            WHERE "timestamp" >= :start AND "timestamp" < :end AND <layout_scan> <cluster>
              AND filter_predicate IS NULL AND coalesce(cardinality(constraint_columns), 0) = 0 AND pruning_ratio >= 1 AND query_pattern_hash IS NOT NULL
            GROUP BY catalog, schema_name, table_name, query_pattern_hash, cluster_name
            """.replace("<table_name>", TABLE_NAME).replace("<layout_scan>", LAYOUT_SCAN);

    private final Jdbi jdbi;
    private final PatternBaselines baselines;

    /** A reader keeps the baseline it merged for its next read: an evaluator reads with one reader at each evaluation. */
    public EvidenceReader(Jdbi jdbi)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.baselines = new PatternBaselines(jdbi);
    }

    public Evidence read(Instant end, Duration window, Duration baseline, Duration cacheTtl)
    {
        return read(end, window, baseline, cacheTtl, Optional.empty());
    }

    public Evidence read(Instant end, Duration window, Duration baseline, Duration cacheTtl, Optional<String> cluster)
    {
        return read(end, window, baseline, cacheTtl, cluster, step -> {});
    }

    /** The evidence of the window before {@code end}: of every cluster, or of {@code cluster} alone; a step that takes long is said to {@code progress}. */
    public Evidence read(Instant end, Duration window, Duration baseline, Duration cacheTtl, Optional<String> cluster, Consumer<String> progress)
    {
        Instant start = end.minus(window);
        Instant baselineStart = start.minus(baseline);
        BaselineRollups.Plan inBaseline = BaselineRollups.Plan.of(baselineStart, start);
        new BaselineRollups(jdbi).roll(inBaseline, progress);
        Map<String, Object> inWindow = new HashMap<>(Map.of("start", Timestamp.from(start), "end", Timestamp.from(end)));
        cluster.ifPresent(name -> inWindow.put("cluster", name));
        String onCluster = cluster.isPresent() ? "AND cluster_name = :cluster" : "";
        // independent reads, each on its own connection, so that PostgreSQL works on them side by side; on platform threads, as
        // the first reads load classes, which pins a virtual thread to one of the few carriers while it waits for another's
        try (ExecutorService reads = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("icetune-evidence-", 0).daemon(true).factory())) {
            Future<PatternBaselines.Started> baselineRead = reads.submit(() -> baselines.begin(inBaseline, inWindow, cluster));
            List<Future<List<WindowPattern>>> patternSlices = new ArrayList<>();
            List<Future<List<FilterGroup>>> filterSlices = new ArrayList<>();
            for (Slice slice : SLICES) {
                patternSlices.add(reads.submit(() -> withHandle(handle -> patterns(slice.bound(handle, PATTERNS.replace("<cluster>", onCluster)), inWindow,
                        cacheTtl))));
                filterSlices.add(reads.submit(() -> withHandle(handle -> slice.bound(handle, FILTERS.replace("<cluster>", onCluster))
                        .bindMap(inWindow)
                        .map((rs, ctx) -> new FilterGroup(rs.getString("tbl"), rs.getString("example"), rs.getString("h"),
                                rs.getLong("scans"), rs.getLong("distinct_filters"), rs.getDouble("pruning"), rs.getLong("no_manifest_skipped"),
                                rs.getDouble("files"), rs.getDouble("bytes"), rs.getDouble("bytes_read"), rs.getLong("only_filter"),
                                rs.getLong("estimated"), rs.getLong("misestimated")))
                        .list())));
            }
            Future<List<LoadFact>> load = reads.submit(() -> withHandle(handle -> handle.createQuery(LOAD.replace("<cluster>", onCluster))
                    .bindMap(inWindow)
                    .map((rs, ctx) -> new LoadFact(rs.getString("cluster_name"), rs.getLong("queries"), rs.getLong("peak"), rs.getLong("bytes"), rs.getLong("users"),
                            rs.getDouble("cache_hit_ratio"), rs.getDouble("queued_share"), rs.getDouble("p95_queued_ms"), rs.getDouble("p95_read_queued_ms"),
                            rs.getDouble("cpu_seconds"), rs.getLong("writes"), rs.getDouble("write_cpu_share"), rs.getLong("spilling"), rs.getLong("limit_failures"),
                            rs.getLong("resource_groups")))
                    .list()));
            Future<List<ScanAccumulator>> scans = reads.submit(() -> withHandle(handle -> handle.createQuery(SCANS.replace("<cluster>", onCluster))
                    .bindMap(inWindow)
                    .map((rs, ctx) -> new ScanAccumulator(rs.getString("tbl"), rs.getLong("scans"), rs.getDouble("files"), rs.getDouble("bytes_per_file"),
                            rs.getDouble("pruning"), rs.getDouble("manifests_skipped"), rs.getDouble("delete_files"), rs.getString("partition_fields"),
                            List.of((String[]) rs.getArray("clusters").getArray())))
                    .list()));
            Future<List<FullScanFact>> fullScans = reads.submit(() -> withHandle(handle -> handle.createQuery(FULL_SCANS.replace("<cluster>", onCluster))
                    .bindMap(inWindow)
                    .map((rs, ctx) -> new FullScanFact(rs.getString("tbl"), rs.getString("h"), rs.getString("cluster"), rs.getLong("scans"),
                            rs.getDouble("files"), rs.getDouble("bytes")))
                    .list()));
            Future<List<RunningQueryFact>> running = reads.submit(() -> withHandle(handle -> OpenQueries.read(handle, end, cluster)));

            Map<String, ScanAccumulator> scansByTable = new LinkedHashMap<>();
            join(scans).forEach(scan -> scansByTable.put(scan.table, scan));
            Map<String, PredicateAccumulator> predicates = new LinkedHashMap<>();
            filterSlices.forEach(slice -> join(slice).forEach(group -> accumulate(group, scansByTable, predicates)));
            List<WindowPattern> inWindowPatterns = new ArrayList<>();
            patternSlices.forEach(slice -> inWindowPatterns.addAll(join(slice)));
            Map<PatternKey, Baseline> baselineOf = baselines.finish(join(baselineRead),
                    inWindowPatterns.stream().map(WindowPattern::key).collect(Collectors.toSet()));
            List<PatternFact> patternFacts = inWindowPatterns.stream()
                    .map(pattern -> pattern.withBaseline().apply(baselineOf.getOrDefault(pattern.key(), Baseline.NONE)))
                    .toList();
            Map<String, String> samples = new HashMap<>();
            patternFacts.forEach(pattern -> samples.put(pattern.patternHash(), pattern.sampleQuery()));
            return new Evidence(patternFacts, scansByTable.values().stream().map(ScanAccumulator::fact).toList(),
                    predicates.values().stream().map(predicate -> predicate.fact(samples)).toList(), join(load), join(fullScans), join(running));
        }
    }

    /** The clusters of the queries that ended in [{@code start}, {@code end}), sorted. */
    public List<String> clusters(Instant start, Instant end)
    {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT DISTINCT cluster_name FROM query_logs WHERE \"timestamp\" >= :start AND \"timestamp\" < :end ORDER BY 1")
                .bind("start", Timestamp.from(start)).bind("end", Timestamp.from(end))
                .mapTo(String.class).list());
    }

    private static <T> T join(Future<T> read)
    {
        return Outcomes.of(read, "reading evidence");
    }


    private <T> T withHandle(org.jdbi.v3.core.HandleCallback<T, RuntimeException> callback)
    {
        return jdbi.withHandle(handle -> {
            handle.execute("SET work_mem = '256MB'");
            // the reads already run side by side, one process each; parallel workers on top only contend for the same cores
            handle.execute("SET max_parallel_workers_per_gather = 0");
            return callback.withHandle(handle);
        });
    }

    /**
     * A pattern's sample as a query of its own, where the text is one: an EXECUTE IMMEDIATE (how clients send a query with
     * parameters), or an EXECUTE of a statement prepared by name, becomes the statement it ran with its values, so that a fix
     * or rewrite built from the sample runs as the query did.
     */
    private static String sample(String queryText, String preparedStatement)
    {
        return ExecutedStatement.runnable(queryText, preparedStatement).orElse(queryText);
    }

    /** A pattern as the window's read found it, made a fact once its baseline is known. */
    private record WindowPattern(PatternKey key, Function<Baseline, PatternFact> withBaseline) {}

    private static List<WindowPattern> patterns(Query query, Map<String, Object> inWindow, Duration cacheTtl)
    {
        return query
                .bindMap(inWindow)
                .bind("ttl_seconds", cacheTtl.toSeconds())
                .map((rs, ctx) -> {
                    String hash = rs.getString("h");
                    String cluster = rs.getString("cluster");
                    String pattern = rs.getString("pattern");
                    String sampleQuery = sample(rs.getString("sample_query"), rs.getString("prepared_statement"));
                    String table = rs.getString("tbl");
                    long executions = rs.getLong("executions");
                    double errorRate = rs.getDouble("error_rate");
                    long users = rs.getLong("users");
                    double p50 = rs.getDouble("p50");
                    double p95 = rs.getDouble("p95");
                    double files = rs.getDouble("files");
                    double bytes = rs.getDouble("bytes");
                    double rowsOut = rs.getDouble("rows_out");
                    double skewRatio = rs.getDouble("skew_ratio");
                    int skewStage = (int) rs.getDouble("skew_stage");
                    long snapshotsNow = rs.getLong("snapshots_now");
                    long repeated = Math.max(0, rs.getLong("repeated"));
                    boolean aggregation = rs.getBoolean("aggregation");
                    double joinIn = rs.getDouble("join_in");
                    double joinOut = rs.getDouble("join_out");
                    long crossJoins = rs.getLong("cross_joins");
                    long unlimitedSorts = rs.getLong("unlimited_sorts");
                    long spilling = rs.getLong("spilling");
                    double spilled = rs.getDouble("spilled");
                    double peakMemory = rs.getDouble("peak_memory");
                    long limitFailures = rs.getLong("limit_failures");
                    String limitError = rs.getString("limit_error");
                    boolean textsVary = rs.getBoolean("texts_vary");
                    return new WindowPattern(new PatternKey(cluster, hash), base -> new PatternFact(hash, pattern, sampleQuery, table, executions, errorRate, users,
                            p50, p95, base.executions(), base.p50(), base.p95(), files, base.files(), bytes, base.bytes(), rowsOut, skewRatio, skewStage,
                            snapshotsNow, base.snapshots(), repeated, aggregation, cluster, joinIn, joinOut, crossJoins, unlimitedSorts, spilling, spilled,
                            peakMemory, limitFailures, limitError, textsVary));
                })
                .list();
    }

    /** Scans of one table and pattern with one filter shape; {@code files}, {@code bytes} and {@code bytesRead} are their sums, {@code filter} one example. */
    private record FilterGroup(String table, String filter, String patternHash, long scans, long distinctFilters, double pruning, long noManifestSkipped,
            double files, double bytes, double bytesRead, long onlyFilterScans, long estimated, long misestimated) {}

    private static void accumulate(FilterGroup group, Map<String, ScanAccumulator> scans, Map<String, PredicateAccumulator> predicates)
    {
        boolean timeRange = false;
        List<ColumnPredicate> parsed = FilterPredicates.parse(group.filter());
        // the conjuncts of one predicate (a range's two bounds) together: the group's scans counted once for it
        Map<String, List<ColumnPredicate>> byKey = new LinkedHashMap<>();
        for (ColumnPredicate predicate : parsed) {
            if (predicate.kind() == PredicateKind.OTHER) {
                continue;
            }
            timeRange |= predicate.temporal() && predicate.kind() == PredicateKind.RANGE;
            // what only a query's rewrite mends (a function around the column, a leading wildcard) is kept per pattern: each pattern its own
            // recommendation with its own rewrite, not the busiest pattern's alone
            boolean rewrittenPerQuery = predicate.kind() == PredicateKind.WRAPPED || predicate.leadingWildcard();
            String key = group.table() + "|" + predicate.column() + "|" + predicate.kind() + "|" + predicate.function() + "|" + predicate.leadingWildcard()
                    + (rewrittenPerQuery ? "|" + group.patternHash() : "");
            byKey.computeIfAbsent(key, ignored -> new ArrayList<>()).add(predicate);
        }
        byKey.forEach((key, conjuncts) -> predicates.computeIfAbsent(key, ignored -> new PredicateAccumulator(group.table(), conjuncts.getFirst()))
                // a time range bounded by temporal literals, or a function around the column whose one value covers a known time
                // (date_format(ts, '%Y-%m-%d') = '2024-01-15' compares text, yet selects a day)
                .add(group, conjuncts, FilterPredicates.timeSelected(parsed, conjuncts.getFirst().column())));
        ScanAccumulator scan = scans.get(group.table());
        if (scan != null) {
            scan.filteredScans += group.estimated();
            scan.misestimatedScans += group.misestimated();
            if (!parsed.isEmpty() && parsed.stream().allMatch(predicate -> predicate.kind() == PredicateKind.EQUALITY)) {
                scan.misestimatedLookups += group.misestimated();
            }
        }
        if (timeRange && scan != null) {
            scan.timeRangeScans += group.scans();
            scan.timeRangeScansUnpruned += group.noManifestSkipped();
            scan.timeRangeFiles += group.files();
            scan.timeRangeBytes += group.bytes();
        }
    }

    private static final class ScanAccumulator
    {
        private final String table;
        private final long scans;
        private final double files;
        private final double bytesPerFile;
        private final double pruning;
        private final double manifestsSkipped;
        private final double deleteFiles;
        private final String partitionFields;
        private final List<String> clusters;
        private long timeRangeScans;
        private long timeRangeScansUnpruned;
        private double timeRangeFiles;
        private double timeRangeBytes;
        private long filteredScans;
        private long misestimatedScans;
        private long misestimatedLookups;

        ScanAccumulator(String table, long scans, double files, double bytesPerFile, double pruning, double manifestsSkipped, double deleteFiles,
                String partitionFields, List<String> clusters)
        {
            this.table = table;
            this.scans = scans;
            this.files = files;
            this.bytesPerFile = bytesPerFile;
            this.pruning = pruning;
            this.manifestsSkipped = manifestsSkipped;
            this.deleteFiles = deleteFiles;
            this.partitionFields = partitionFields;
            this.clusters = clusters;
        }

        TableScanFact fact()
        {
            List<String> fields = partitionFields == null || partitionFields.isEmpty() ? List.of() : Arrays.asList(partitionFields.split("\\|"));
            return new TableScanFact(table, scans, files, bytesPerFile, pruning, manifestsSkipped, timeRangeScans, timeRangeScansUnpruned, fields,
                    timeRangeScans == 0 ? 0 : timeRangeFiles / timeRangeScans, timeRangeScans == 0 ? 0 : timeRangeBytes / timeRangeScans, clusters,
                    filteredScans, misestimatedScans, misestimatedLookups, deleteFiles);
        }
    }

    private static final class PredicateAccumulator
    {
        private final String table;
        private final ColumnPredicate first;
        private long distinctValues;
        private long scans;
        private double prunedFilesSum;
        private long bestScans;
        private String patternHash;
        private boolean temporal;
        private double files;
        private double bytes;
        private double bytesRead;
        /** Scans whose filter bounds the time on both sides, and the hours they select together. */
        private long boundedScans;
        private double hoursSelected;
        private java.time.Instant earliest;
        private long onlyFilterScans;
        private double valuesCompared;

        PredicateAccumulator(String table, ColumnPredicate first)
        {
            this.table = table;
            this.first = first;
        }

        void add(FilterGroup group, List<ColumnPredicate> conjuncts, Optional<java.time.Duration> selected)
        {
            scans += group.scans();
            onlyFilterScans += group.onlyFilterScans();
            files += group.files();
            bytes += group.bytes();
            bytesRead += group.bytesRead();
            selected.ifPresent(duration -> {
                boundedScans += group.scans();
                hoursSelected += group.scans() * duration.toSeconds() / 3600.0;
            });
            // the example filter's lower bound (not a range's upper one): the oldest of the group's is not known, so the earliest is of the examples seen
            conjuncts.stream().flatMap(conjunct -> conjunct.lowerBound().stream())
                    .filter(instant -> earliest == null || instant.isBefore(earliest)).forEach(instant -> earliest = instant);
            prunedFilesSum += group.pruning() * group.scans();
            // the example filter's list stands for its group's (their texts differ only in their literals)
            valuesCompared += group.scans() * (double) conjuncts.stream().mapToInt(ColumnPredicate::values).max().orElse(1);
            distinctValues += group.distinctFilters();
            temporal |= conjuncts.stream().anyMatch(ColumnPredicate::temporal);
            if (group.scans() > bestScans && group.patternHash() != null) {
                bestScans = group.scans();
                patternHash = group.patternHash();
            }
        }

        PredicateFact fact(Map<String, String> sampleQueries)
        {
            return new PredicateFact(table, first.column(), first.kind(), first.function(), temporal, first.text(), patternHash, sampleQueries.get(patternHash),
                    scans, distinctValues, scans == 0 ? 0 : prunedFilesSum / scans, scans == 0 ? 0 : files / scans, scans == 0 ? 0 : bytes / scans,
                    scans == 0 ? 0 : bytesRead / scans, boundedScans == 0 ? -1 : hoursSelected / boundedScans, earliest, first.leadingWildcard(), scans > 0 && onlyFilterScans == scans,
                    scans == 0 ? 1 : valuesCompared / scans);
        }
    }
}
