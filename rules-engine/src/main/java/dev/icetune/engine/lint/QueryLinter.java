package dev.icetune.engine.lint;

import dev.icetune.engine.TrinoConnections;
import dev.icetune.engine.facts.TableFact;
import dev.icetune.engine.facts.Thresholds;
import dev.icetune.engine.iceberg.TableMetadataReader;
import dev.icetune.engine.model.Estimate;
import dev.icetune.engine.model.PartitionSpec;
import dev.icetune.engine.model.Rewrites;
import dev.icetune.engine.model.Sql;
import dev.icetune.plan.ExecutedStatement;
import dev.icetune.plan.FilterPredicates;
import dev.icetune.plan.PredicateKind;
import dev.icetune.plan.QueryPlan;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The runbook's query review before a query ships: EXPLAIN through Trino, then the query-level rules on
 * what the plan would scan: a function around a partition, sort or time column (with the rewrite), a
 * partitioned table read without a filter on its partition column, a LIKE that starts with a wildcard as a large table's only filter,
 * and a full scan of a large table; and on
 * what the planner estimates the query does: a cross join that multiplies rows, and a large result sorted
 * without a LIMIT. The limits are the rules' own thresholds, so that lint says before a query ships what
 * the rules would say of it after.
 */
public final class QueryLinter
{
    /** {@code table}: the table the finding is about; null for a finding about the query as a whole. */
    public record Finding(String table, String rule, String message, String suggestion) {}

    public record Report(List<String> scans, List<Finding> findings) {}

    /** Where Trino places an error: "line 2:22: ..." */
    private static final Pattern EXPLAIN_LINE = Pattern.compile("\\bline (\\d+):(?=\\d)");
    /** An integer literal as Trino's plan writes one: {@code bigint '7'}. */
    private static final Pattern INTEGER_LITERAL = Pattern.compile("\\b(?:tinyint|smallint|integer|bigint) '-?\\d+'");

    private final TrinoConnections trino;
    private final Optional<TableMetadataReader> iceberg;
    private final double fullScanMinFiles;
    private final double fullScanMinBytes;
    private final double likeMinTableBytes;
    private final double likeMinTableFiles;
    private final double crossJoinMinRows;
    private final double sortMinRows;
    private final long suggestedLimit;

    public QueryLinter(TrinoConnections trino, Optional<TableMetadataReader> iceberg, Thresholds thresholds)
    {
        this.trino = requireNonNull(trino, "trino is null");
        this.iceberg = requireNonNull(iceberg, "iceberg is null");
        this.fullScanMinFiles = thresholds.get("full_scan.min_files");
        this.fullScanMinBytes = thresholds.get("full_scan.min_bytes");
        this.likeMinTableBytes = thresholds.get("like.min_table_bytes");
        this.likeMinTableFiles = thresholds.get("like.min_table_files");
        this.crossJoinMinRows = thresholds.get("cross_join.min_output_rows");
        this.sortMinRows = thresholds.get("sort.min_rows");
        this.suggestedLimit = thresholds.getLong("sort.suggested_limit");
    }

    /** Trino's plan of {@code sql}. */
    private String explain(String sql)
            throws SQLException
    {
        try (Connection connection = trino.open(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("EXPLAIN (TYPE DISTRIBUTED, FORMAT JSON)\n" + sql)) {
            result.next();
            return result.getString(1);
        }
    }

    public Report lint(String query)
            throws SQLException
    {
        // a query copied from query_logs as a client sent it with parameters: the statement it ran, its values in place
        String sql = ExecutedStatement.runnable(query).orElse(query);
        String plan;
        try {
            plan = TrinoConnections.againIfCatalogConnectionLost(() -> explain(sql));
        }
        catch (SQLException e) {
            Matcher line = EXPLAIN_LINE.matcher(String.valueOf(e.getMessage()));
            if (!line.find()) {
                throw e;
            }
            // Trino places an error in the EXPLAIN's text, whose first line is ours: "line 2:22" is the query's line 1, column 22. Its
            // own message, not a wrapper's: the original stays a suppressed exception, not a cause that would say it again
            SQLException inQuery = new SQLException(line.replaceAll(at -> "line " + (Integer.parseInt(at.group(1)) - 1) + ":"), e.getSQLState(), e.getErrorCode());
            inQuery.addSuppressed(e);
            throw inQuery;
        }
        List<String> scans = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        QueryPlan parsed = QueryPlan.parse(plan);
        for (QueryPlan.Scan scan : parsed.scans().values()) {
            Optional<TableFact> fact = iceberg.flatMap(reader -> reader.read(scan.table(), 0, Instant.now()));
            // the plan's name of a table with dots in its schema or name can read several ways: the catalog's tells which it is
            String table = fact.map(TableFact::table).orElse(scan.table());
            List<FilterPredicates.ColumnPredicate> predicates = FilterPredicates.parse(scan.filterPredicate().orElse(null));
            scans.add(describe(table, scan, fact, predicates));
            // one finding a column: a BETWEEN of a function, or year(ts) = .. AND month(ts) = .., wraps it twice, and the rewrite is one
            Set<String> wrappedColumns = new HashSet<>();
            for (FilterPredicates.ColumnPredicate predicate : predicates) {
                boolean keyColumn = fact.map(t -> t.partitionedOn(predicate.column()) || t.hasTimeColumn(predicate.column())
                        || t.sortFields().contains(predicate.column())).orElse(true);
                if (predicate.kind() == PredicateKind.WRAPPED && keyColumn && wrappedColumns.add(predicate.column())) {
                    findings.add(new Finding(table, "non-sargable-predicate",
                            predicate.function() + "() around " + predicate.column() + " hides the column from pruning: every file of " + table + " is read",
                            Rewrites.sargable(sql, predicate.column(), fact.map(t -> t.timeType(predicate.column())).orElse(null)).orElseGet(() -> Rewrites.sargableAdvice(sql, predicate.column(), predicate.function()))));
                }
            }
            if (fact.isPresent() && !fact.get().partitionFields().isEmpty()) {
                TableFact t = fact.get();
                boolean partitionFiltered = scan.constraintColumns().stream().anyMatch(t::partitionedOn)
                        || predicates.stream().anyMatch(p -> prunes(t, p));
                Optional<ConsecutiveValues> consecutive = partitionFiltered ? Optional.empty()
                        : predicates.stream().map(FilterPredicates.ColumnPredicate::column).distinct().flatMap(column -> ConsecutiveValues.of(t, predicates, column).stream()).findFirst();
                // a function around a partition column filters on it and prunes nothing: the non-sargable finding says so, with its rewrite
                boolean wrappedPartitionColumn = predicates.stream().anyMatch(p -> p.kind() == PredicateKind.WRAPPED && t.partitionedOn(p.column()));
                if (!partitionFiltered && !wrappedPartitionColumn && consecutive.isEmpty()) {
                    findings.add(new Finding(table, "missing-partition-filter",
                            table + " is partitioned by " + String.join(", ", t.partitioning()) + " but the query does not filter on it: every file is read (" + Estimate.files(t.dataFiles()) + ")",
                            "add " + t.partitioning().stream().map(QueryLinter::prunedBy).collect(Collectors.joining(", or "))));
                }
                // as many values as buckets or more: every bucket holds some of them however they are written, and nothing is to be said
                consecutive.filter(ConsecutiveValues::fewerThanBuckets).ifPresent(values -> findings.add(new Finding(table, "missing-partition-filter",
                        "%s is partitioned by %s but its filter on %s, from %d to %d, is a range (Trino turns IN of consecutive values into one), and a range prunes no bucket: every file is read (%s)"
                                .formatted(table, String.join(", ", t.partitioning()), values.column(), values.low(), values.high(), Estimate.files(t.dataFiles())),
                        "look the values up one at a time, joined by UNION ALL: each equality reads its own bucket")));
            }
            // the only filter, nothing pushed into the scan, on a large table: what leading-wildcard-like says of such scans once they ran
            if (scan.constraintColumns().isEmpty() && FilterPredicates.isOneConjunct(scan.filterPredicate().orElse(null)) && fact.isPresent()
                    && (fact.get().totalDataBytes() >= likeMinTableBytes || fact.get().dataFiles() >= likeMinTableFiles)) {
                predicates.stream().filter(FilterPredicates.ColumnPredicate::leadingWildcard).findFirst().ifPresent(like -> findings.add(new Finding(table,
                        "leading-wildcard-like", "%s LIKE '%s' is the only filter, and a pattern that starts with a wildcard prunes nothing: every file of %s is read (%s, %s)"
                                .formatted(like.column(), like.literal(), table, Estimate.files(fact.get().dataFiles()), Estimate.bytes(fact.get().totalDataBytes())),
                        "anchor the pattern (%s LIKE 'prefix%%' prunes on min/max), match a column that holds the searched part, or add a filter that prunes, such as a time range"
                                .formatted(like.column()))));
            }
            if (scan.constraintColumns().isEmpty() && scan.filterPredicate().isEmpty() && fact.isPresent()
                    && (fact.get().dataFiles() >= fullScanMinFiles || fact.get().totalDataBytes() >= fullScanMinBytes)) {
                findings.add(new Finding(table, "full-scan", "reads every file of " + table + " (" + Estimate.files(fact.get().dataFiles()) + ", " + Estimate.bytes(fact.get().totalDataBytes()) + ")",
                        "filter on the partition or time column, or aggregate from a materialized view"));
            }
        }
        findings.addAll(shapeFindings(sql, parsed.shape()));
        return new Report(scans, findings);
    }

    /**
     * Whether a filter left above the scan prunes the table's partitions: one on a partition column, not inside a function, and
     * on a column partitioned into buckets alone, an equality or IN (a bucket holds hashes, not a range of values).
     */
    private static boolean prunes(TableFact table, FilterPredicates.ColumnPredicate predicate)
    {
        List<String> fields = table.partitionFieldsOn(predicate.column());
        boolean bucketsOnly = fields.stream().allMatch(field -> field.contains("bucket["));
        return predicate.kind() != PredicateKind.WRAPPED && !fields.isEmpty() && (!bucketsOnly || predicate.kind() == PredicateKind.EQUALITY || predicate.namesDays());
    }

    /**
     * A filter bounding integer column {@code column}, the table partitioned into its buckets alone, on both sides: how Trino's plan writes
     * {@code id IN (7, 8)} (consecutive values merge into a range), which a person wrote as a list and is read whole.
     */
    private record ConsecutiveValues(String column, long low, long high, long buckets)
    {
        static Optional<ConsecutiveValues> of(TableFact table, List<FilterPredicates.ColumnPredicate> predicates, String column)
        {
            // on a table partitioned on other columns too, or not into buckets, the finding names the filters that prune each field
            List<String> fields = table.partitioning();
            if (fields.isEmpty() || !fields.stream().allMatch(field -> PartitionSpec.buckets(field).isPresent()
                    && PartitionSpec.column(field).filter(Sql.propertyColumn(column)::equals).isPresent())) {
                return Optional.empty();
            }
            List<Long> bounds = predicates.stream()
                    .filter(predicate -> predicate.column().equals(column) && predicate.kind() == PredicateKind.RANGE && INTEGER_LITERAL.matcher(predicate.text()).find())
                    .map(predicate -> Long.parseLong(predicate.literal()))
                    .sorted().toList();
            long buckets = fields.stream().mapToLong(field -> PartitionSpec.buckets(field).orElseThrow()).min().orElseThrow();
            return bounds.size() == 2 ? Optional.of(new ConsecutiveValues(column, bounds.get(0), bounds.get(1), buckets)) : Optional.empty();
        }

        /** Fewer values than buckets: looked up one at a time, they read some of the buckets only. */
        boolean fewerThanBuckets()
        {
            long span = high - low; // negative when it overflows: a range of such width is no list of values
            return span >= 0 && span < buckets - 1;
        }
    }

    /** The filter that prunes the partitions of {@code field} (Trino's syntax): buckets and values only by their values, time by a range. */
    private static String prunedBy(String field)
    {
        String column = PartitionSpec.column(field).orElse(field);
        if (PartitionSpec.TIME_FIELD.matcher(field).matches()) {
            return "a range on " + column;
        }
        if (field.startsWith("bucket(")) {
            return "an equality or IN on " + column + " (a range does not prune buckets)";
        }
        return field.startsWith("truncate(") ? "an equality, IN or range on " + column : "an equality or IN on " + column;
    }

    /** What the planner's estimates say of the query as a whole; nothing where it could not estimate. */
    private List<Finding> shapeFindings(String sql, QueryPlan.Shape shape)
    {
        List<Finding> findings = new ArrayList<>();
        if (shape.crossJoinRows() >= crossJoinMinRows) {
            findings.add(new Finding(null, "cross-join",
                    String.format("a join without an equality condition (a cross join, or a join on inequalities only, run as a nested loop) is estimated to return %,.0f rows", shape.crossJoinRows()),
                    "join on an equality of keys; filter each side before joining"));
        }
        if (shape.sortWithoutLimit() && shape.resultRows() >= sortMinRows) {
            findings.add(new Finding(null, "sort-without-limit",
                    String.format("sorts an estimated %,.0f rows on one node and returns them all: ORDER BY without LIMIT", shape.resultRows()),
                    Rewrites.limited(sql, suggestedLimit).orElse("return the first rows only (LIMIT), or drop the ORDER BY when the reader sorts")));
        }
        return findings;
    }

    /**
     * A scan as the plan has it. A filter left above the scan on a column the table is partitioned on by a transform (a bucket, a
     * truncation) still prunes partitions: Iceberg plans the scan's files with it, though Trino's plan shows no constraint.
     */
    private static String describe(String table, QueryPlan.Scan scan, Optional<TableFact> fact, List<FilterPredicates.ColumnPredicate> predicates)
    {
        String files = fact.map(t -> "up to " + Estimate.files(t.dataFiles()) + ", " + Estimate.bytes(t.totalDataBytes())).orElse("size unknown");
        String pushed = scan.constraintColumns().isEmpty() ? "nothing pushed into the scan" : "constraint on " + scan.constraintColumns() + " pushed into the scan";
        List<String> pruning = fact.map(t -> predicates.stream().filter(p -> !scan.constraintColumns().contains(p.column()) && prunes(t, p))
                .map(FilterPredicates.ColumnPredicate::column).distinct().toList()).orElse(List.of());
        String above = scan.filterPredicate().map(filter -> "; filtered above the scan: " + filter
                + (pruning.isEmpty() ? "" : ", which still prunes the partitions on " + String.join(", ", pruning))).orElse("");
        return table + ": " + files + "; " + pushed + above;
    }
}
