package dev.icetune.rules.evidence;

import dev.icetune.rules.facts.LoadFact;
import dev.icetune.rules.facts.PatternFact;
import dev.icetune.rules.facts.PredicateFact;
import dev.icetune.rules.facts.TableScanFact;
import dev.icetune.rules.evidence.PredicateParser.ColumnPredicate;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Turns query_logs into facts for one evaluation window, against the baseline window before it.
 * The aggregation runs in PostgreSQL; Java only parses the few distinct residual filters.
 */
public final class EvidenceReader
{
    /** What the rules see of one window. */
    public record Evidence(List<PatternFact> patterns, List<TableScanFact> tableScans, List<PredicateFact> predicates, LoadFact load)
    {
        public List<Object> all()
        {
            List<Object> all = new ArrayList<>(patterns);
            all.addAll(tableScans);
            all.addAll(predicates);
            all.add(load);
            return all;
        }
    }

    private static final String PATTERNS = """
            WITH cur AS (
                SELECT query_pattern_hash AS h, min(query_pattern) AS pattern, min(query_text) AS sample_query, count(*) AS executions,
                       avg(CASE WHEN success THEN 0.0 ELSE 1.0 END) AS error_rate, count(DISTINCT user_name) AS users,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY latency) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY latency) AS p95,
                       avg(coalesce(files_scanned, 0)) AS files, avg(coalesce(bytes_scanned, 0)) AS bytes, avg(coalesce(rows_returned, 0)) AS rows_out,
                       coalesce(max(skew_ratio), 0) AS skew, (array_agg(skew_stage_id ORDER BY skew_ratio DESC NULLS LAST))[1] AS skew_stage,
                       bool_or(query_pattern ~ '\\mgroup by\\M') AS aggregation
                FROM query_logs
                WHERE "timestamp" >= :start AND "timestamp" < :end AND update_type IS NULL AND query_pattern_hash IS NOT NULL
                GROUP BY query_pattern_hash),
            base AS (
                SELECT query_pattern_hash AS h, count(*) AS executions,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY latency) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY latency) AS p95,
                       avg(coalesce(files_scanned, 0)) AS files, avg(coalesce(bytes_scanned, 0)) AS bytes
                FROM query_logs
                WHERE "timestamp" >= :baseline_start AND "timestamp" < :start AND update_type IS NULL
                  AND query_pattern_hash IN (SELECT h FROM cur)
                GROUP BY query_pattern_hash),
            inputs AS (
                SELECT l.query_pattern_hash AS h, l."timestamp" >= :start AS current, i.catalog || '.' || i.schema_name || '.' || i.table_name AS tbl,
                       i.snapshot_id, i.bytes_scanned
                FROM query_inputs i JOIN query_logs l USING (query_id, "timestamp")
                WHERE i."timestamp" >= :baseline_start AND i."timestamp" < :end AND l.update_type IS NULL
                  AND l.query_pattern_hash IN (SELECT h FROM cur)),
            main_table AS (
                SELECT DISTINCT ON (h) h, tbl FROM inputs WHERE current GROUP BY h, tbl ORDER BY h, sum(coalesce(bytes_scanned, 0)) DESC, tbl),
            snapshots AS (
                SELECT h, count(DISTINCT snapshot_id) FILTER (WHERE current) AS now, count(DISTINCT snapshot_id) FILTER (WHERE NOT current) AS before
                FROM inputs GROUP BY h),
            signatures AS (
                SELECT i.query_id, i."timestamp", string_agg(coalesce(i.snapshot_id::text, '-'), ',' ORDER BY i.input_index) AS snapshots
                FROM query_inputs i WHERE i."timestamp" >= :start AND i."timestamp" < :end GROUP BY i.query_id, i."timestamp"),
            repeats AS (
                SELECT h, count(*) FILTER (WHERE previous IS NOT NULL AND "timestamp" - previous <= make_interval(secs => :ttl_seconds)) AS repeated
                FROM (SELECT l.query_pattern_hash AS h, l."timestamp",
                             lag(l."timestamp") OVER (PARTITION BY md5(l.query_text), s.snapshots ORDER BY l."timestamp") AS previous
                      FROM query_logs l LEFT JOIN signatures s USING (query_id, "timestamp")
                      WHERE l."timestamp" >= :start AND l."timestamp" < :end AND l.update_type IS NULL AND l.success
                        AND NOT l.query_text_truncated) ordered
                GROUP BY h)
            SELECT cur.*, base.executions AS b_executions, base.p50 AS b_p50, base.p95 AS b_p95, base.files AS b_files, base.bytes AS b_bytes,
                   main_table.tbl, snapshots.now AS snapshots_now, snapshots.before AS snapshots_before, repeats.repeated
            FROM cur
            LEFT JOIN base USING (h) LEFT JOIN main_table USING (h) LEFT JOIN snapshots USING (h) LEFT JOIN repeats USING (h)
            """;

    private static final String SCANS = """
            SELECT i.catalog || '.' || i.schema_name || '.' || i.table_name AS tbl, count(*) AS scans,
                   avg(i.files_scanned) AS files, sum(i.bytes_scanned)::float8 / nullif(sum(i.files_scanned), 0) AS bytes_per_file,
                   avg(i.pruning_ratio) AS pruning, avg(coalesce(i.manifests_skipped, 0)) AS manifests_skipped,
                   (array_agg(array_to_string(i.partition_fields, '|') ORDER BY i."timestamp" DESC))[1] AS partition_fields
            FROM query_inputs i JOIN query_logs l USING (query_id, "timestamp")
            WHERE i."timestamp" >= :start AND i."timestamp" < :end AND l.update_type IS NULL AND i.files_scanned IS NOT NULL
            GROUP BY 1
            """;

    /**
     * Scans grouped by the shape of the filter Trino left above them (literals blanked), so that a million
     * lookups of different ids are one group; the distinct filters of a group count the values looked up.
     */
    private static final String FILTERS = """
            SELECT i.catalog || '.' || i.schema_name || '.' || i.table_name AS tbl, l.query_pattern_hash AS h,
                   min(i.filter_predicate) AS example, min(l.query_text) AS sample_query, count(*) AS scans,
                   count(DISTINCT i.filter_predicate) AS distinct_filters, avg(coalesce(i.pruning_ratio, 1)) AS pruning,
                   count(*) FILTER (WHERE coalesce(i.manifests_skipped, 0) = 0) AS no_manifest_skipped
            FROM query_inputs i JOIN query_logs l USING (query_id, "timestamp")
            WHERE i."timestamp" >= :start AND i."timestamp" < :end AND l.update_type IS NULL AND i.files_scanned IS NOT NULL
              AND i.filter_predicate IS NOT NULL
            GROUP BY 1, 2, regexp_replace(i.filter_predicate, '''(?:[^'']|'''')*''', '?', 'g')
            """;

    private static final String LOAD = """
            WITH window_queries AS (
                SELECT create_time, "timestamp", user_name, bytes_scanned FROM query_logs WHERE "timestamp" >= :start AND "timestamp" < :end),
            edges AS (
                SELECT create_time AS at, 1 AS delta FROM window_queries UNION ALL SELECT "timestamp", -1 FROM window_queries)
            SELECT (SELECT count(*) FROM window_queries) AS queries,
                   coalesce((SELECT max(running) FROM (SELECT sum(delta) OVER (ORDER BY at, delta DESC ROWS UNBOUNDED PRECEDING) AS running FROM edges) r), 0) AS peak,
                   (SELECT coalesce(sum(bytes_scanned), 0) FROM window_queries) AS bytes,
                   (SELECT count(DISTINCT user_name) FROM window_queries) AS users
            """;

    private final Jdbi jdbi;

    public EvidenceReader(Jdbi jdbi)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
    }

    public Evidence read(Instant end, Duration window, Duration baseline, Duration cacheTtl)
    {
        Instant start = end.minus(window);
        Instant baselineStart = start.minus(baseline);
        return jdbi.withHandle(handle -> {
            handle.execute("SET work_mem = '256MB'");
            List<PatternFact> patterns = patterns(handle, start, end, baselineStart, cacheTtl);
            Map<String, ScanAccumulator> scans = new LinkedHashMap<>();
            handle.createQuery(SCANS).bind("start", Timestamp.from(start)).bind("end", Timestamp.from(end))
                    .map((rs, ctx) -> new ScanAccumulator(rs.getString("tbl"), rs.getLong("scans"), rs.getDouble("files"), rs.getDouble("bytes_per_file"),
                            rs.getDouble("pruning"), rs.getDouble("manifests_skipped"), rs.getString("partition_fields")))
                    .forEach(scan -> scans.put(scan.table, scan));
            Map<String, PredicateAccumulator> predicates = new LinkedHashMap<>();
            handle.createQuery(FILTERS).bind("start", Timestamp.from(start)).bind("end", Timestamp.from(end))
                    .map((rs, ctx) -> new FilterGroup(rs.getString("tbl"), rs.getString("example"), rs.getString("h"), rs.getString("sample_query"),
                            rs.getLong("scans"), rs.getLong("distinct_filters"), rs.getDouble("pruning"), rs.getLong("no_manifest_skipped")))
                    .forEach(group -> accumulate(group, scans, predicates));
            LoadFact load = handle.createQuery(LOAD).bind("start", Timestamp.from(start)).bind("end", Timestamp.from(end))
                    .map((rs, ctx) -> new LoadFact(rs.getLong("queries"), rs.getLong("peak"), rs.getLong("bytes"), rs.getLong("users"))).one();
            return new Evidence(patterns, scans.values().stream().map(ScanAccumulator::fact).toList(),
                    predicates.values().stream().map(PredicateAccumulator::fact).toList(), load);
        });
    }

    private static List<PatternFact> patterns(Handle handle, Instant start, Instant end, Instant baselineStart, Duration cacheTtl)
    {
        return handle.createQuery(PATTERNS)
                .bind("start", Timestamp.from(start)).bind("end", Timestamp.from(end)).bind("baseline_start", Timestamp.from(baselineStart))
                .bind("ttl_seconds", cacheTtl.toSeconds())
                .map((rs, ctx) -> new PatternFact(
                        rs.getString("h"), rs.getString("pattern"), rs.getString("sample_query"), rs.getString("tbl"),
                        rs.getLong("executions"), rs.getDouble("error_rate"), rs.getLong("users"), rs.getDouble("p50"), rs.getDouble("p95"),
                        rs.getLong("b_executions"), rs.getDouble("b_p50"), rs.getDouble("b_p95"), rs.getDouble("files"), rs.getDouble("b_files"),
                        rs.getDouble("bytes"), rs.getDouble("b_bytes"), rs.getDouble("rows_out"), rs.getDouble("skew"), rs.getInt("skew_stage"),
                        rs.getLong("snapshots_now"), rs.getLong("snapshots_before"), rs.getLong("repeated"), rs.getBoolean("aggregation")))
                .list();
    }

    private record FilterGroup(String table, String filter, String patternHash, String sampleQuery, long scans, long distinctFilters, double pruning, long noManifestSkipped) {}

    private static void accumulate(FilterGroup group, Map<String, ScanAccumulator> scans, Map<String, PredicateAccumulator> predicates)
    {
        boolean timeRange = false;
        for (ColumnPredicate predicate : PredicateParser.parse(group.filter())) {
            if (predicate.kind().equals("OTHER")) {
                continue;
            }
            timeRange |= predicate.temporal() && predicate.kind().equals(PredicateFact.RANGE);
            String key = group.table() + "|" + predicate.column() + "|" + predicate.kind() + "|" + predicate.function();
            predicates.computeIfAbsent(key, ignored -> new PredicateAccumulator(group.table(), predicate)).add(group, predicate);
        }
        ScanAccumulator scan = scans.get(group.table());
        if (timeRange && scan != null) {
            scan.timeRangeScans += group.scans();
            scan.timeRangeScansUnpruned += group.noManifestSkipped();
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
        private final String partitionFields;
        private long timeRangeScans;
        private long timeRangeScansUnpruned;

        ScanAccumulator(String table, long scans, double files, double bytesPerFile, double pruning, double manifestsSkipped, String partitionFields)
        {
            this.table = table;
            this.scans = scans;
            this.files = files;
            this.bytesPerFile = bytesPerFile;
            this.pruning = pruning;
            this.manifestsSkipped = manifestsSkipped;
            this.partitionFields = partitionFields;
        }

        TableScanFact fact()
        {
            List<String> fields = partitionFields == null || partitionFields.isEmpty() ? List.of() : Arrays.asList(partitionFields.split("\\|"));
            return new TableScanFact(table, scans, files, bytesPerFile, pruning, manifestsSkipped, timeRangeScans, timeRangeScansUnpruned, fields);
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
        private String sampleQuery;
        private boolean temporal;

        PredicateAccumulator(String table, ColumnPredicate first)
        {
            this.table = table;
            this.first = first;
        }

        void add(FilterGroup group, ColumnPredicate predicate)
        {
            scans += group.scans();
            prunedFilesSum += group.pruning() * group.scans();
            distinctValues += group.distinctFilters();
            temporal |= predicate.temporal();
            if (group.scans() > bestScans && group.patternHash() != null) {
                bestScans = group.scans();
                patternHash = group.patternHash();
                sampleQuery = group.sampleQuery();
            }
        }

        PredicateFact fact()
        {
            return new PredicateFact(table, first.column(), first.kind(), first.function(), temporal, first.text(), patternHash, sampleQuery,
                    scans, distinctValues, scans == 0 ? 0 : prunedFilesSum / scans);
        }
    }
}
