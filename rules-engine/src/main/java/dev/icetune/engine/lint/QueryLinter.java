package dev.icetune.engine.lint;

import dev.icetune.engine.TrinoConnections;
import dev.icetune.engine.facts.TableFact;
import dev.icetune.engine.iceberg.TableMetadataReader;
import dev.icetune.engine.model.Rewrites;
import dev.icetune.plan.FilterPredicates;
import dev.icetune.plan.PredicateKind;
import dev.icetune.plan.QueryPlan;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The runbook's query review before a query ships: EXPLAIN through Trino, then the query-level rules on
 * what the plan would scan: a function around a partition, sort or time column (with the rewrite), a
 * partitioned table read without a filter on its partition column, and a full scan of a large table.
 */
public final class QueryLinter
{
    public record Finding(String table, String rule, String message, String suggestion) {}

    public record Report(List<String> scans, List<Finding> findings) {}

    private final TrinoConnections trino;
    private final Optional<TableMetadataReader> iceberg;
    private final long fullScanMinFiles;

    public QueryLinter(TrinoConnections trino, Optional<TableMetadataReader> iceberg, long fullScanMinFiles)
    {
        this.trino = requireNonNull(trino, "trino is null");
        this.iceberg = requireNonNull(iceberg, "iceberg is null");
        this.fullScanMinFiles = fullScanMinFiles;
    }

    public Report lint(String sql)
            throws SQLException
    {
        String plan;
        try (Connection connection = trino.open(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("EXPLAIN (TYPE DISTRIBUTED, FORMAT JSON) " + sql)) {
            result.next();
            plan = result.getString(1);
        }
        List<String> scans = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        for (QueryPlan.Scan scan : QueryPlan.parse(plan).scans().values()) {
            String table = scan.table();
            Optional<TableFact> fact = iceberg.flatMap(reader -> reader.read(table, 0, Instant.now()));
            List<FilterPredicates.ColumnPredicate> predicates = FilterPredicates.parse(scan.filterPredicate().orElse(null));
            scans.add(describe(table, scan, fact));
            for (FilterPredicates.ColumnPredicate predicate : predicates) {
                boolean keyColumn = fact.map(t -> t.partitionedOn(predicate.column()) || t.timestampColumns().contains(predicate.column())
                        || t.sortFields().contains(predicate.column())).orElse(true);
                if (predicate.kind() == PredicateKind.WRAPPED && keyColumn) {
                    findings.add(new Finding(table, "non-sargable-predicate",
                            predicate.function() + "(" + predicate.column() + ", ...) hides " + predicate.column() + " from pruning: every file of " + table + " is read",
                            Rewrites.sargable(sql, predicate.column()).orElse("compare " + predicate.column() + " itself against a range")));
                }
            }
            if (fact.isPresent() && !fact.get().partitionFields().isEmpty()) {
                TableFact t = fact.get();
                boolean partitionFiltered = scan.constraintColumns().stream().anyMatch(t::partitionedOn)
                        || predicates.stream().anyMatch(p -> p.kind() != PredicateKind.WRAPPED && t.partitionedOn(p.column()));
                if (!partitionFiltered) {
                    findings.add(new Finding(table, "missing-partition-filter",
                            table + " is partitioned by " + t.partitionFields() + " but the query does not filter on it: all " + t.dataFiles() + " files are read",
                            "add a range on the partition column"));
                }
            }
            if (scan.constraintColumns().isEmpty() && scan.filterPredicate().isEmpty() && fact.isPresent() && fact.get().dataFiles() >= fullScanMinFiles) {
                findings.add(new Finding(table, "full-scan", "reads all " + fact.get().dataFiles() + " files (" + fact.get().totalDataBytes() + " bytes) of " + table,
                        "filter on the partition or time column, or aggregate from a materialized view"));
            }
        }
        return new Report(scans, findings);
    }

    private static String describe(String table, QueryPlan.Scan scan, Optional<TableFact> fact)
    {
        String files = fact.map(t -> "up to " + t.dataFiles() + " files, " + t.totalDataBytes() + " bytes").orElse("size unknown");
        String pushed = scan.constraintColumns().isEmpty() ? "nothing pushed into the scan" : "constraint on " + scan.constraintColumns() + " pushed into the scan";
        String above = scan.filterPredicate().map(filter -> "; filtered above the scan: " + filter).orElse("");
        return table + ": " + files + "; " + pushed + above;
    }
}
