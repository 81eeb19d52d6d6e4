package dev.icetune.store;

import dev.icetune.testing.TestingPostgres;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class TestReports
{
    @Test
    void theIndexNamesEveryReportAndEachRunsOnTheSchema()
            throws Exception
    {
        try (Stream<Path> files = Files.list(Path.of("reports"))) {
            assertThat(Reports.NAMES).containsExactlyInAnyOrderElementsOf(files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".sql")).map(name -> name.substring(0, name.length() - 4)).toList());
        }
        String url = migrated("reports");
        for (String name : Reports.NAMES) {
            TestingPostgres.execute(url, Reports.sql(name).orElseThrow());
        }
        assertThat(Reports.sql("no-such-report")).isEmpty();
        assertThat(Reports.sql("../etc/passwd")).isEmpty();
    }

    @Test
    void tablesAreNamedAsRecommendationsNameThemAndTwoThatReadAlikeStayTwo()
            throws Exception
    {
        String url = migrated("report_tables");
        // iceberg."eu.sales".orders and iceberg.eu."sales.orders": one text without quotes, two tables
        List<TableName> tables = List.of(new TableName("iceberg", "eu.sales", "orders"), new TableName("iceberg", "eu", "sales.orders"),
                new TableName("iceberg", "demo", "events"));
        for (TableName table : tables) {
            for (int scan = 0; scan < 3; scan++) {
                TestingPostgres.execute(url, """
                        INSERT INTO query_inputs (query_id, "timestamp", input_index, catalog, schema_name, table_name, files_scanned, bytes_scanned,
                            total_data_files, constraint_columns, filter_predicate)
                        VALUES ('%s', now(), 0, '%s', '%s', '%s', 40, 40960, 40, ARRAY['ts'], 'x = 1')"""
                        .formatted(table + "-" + scan, table.catalog(), table.schema(), table.table()));
            }
        }
        try (Connection connection = DriverManager.getConnection(url, "postgres", ""); Statement statement = connection.createStatement()) {
            for (String report : List.of("small-file-tables", "scan-efficiency", "predicate-pushdown")) {
                List<String> named = new java.util.ArrayList<>();
                try (ResultSet rows = statement.executeQuery(Reports.sql(report).orElseThrow())) {
                    while (rows.next()) {
                        named.add(rows.getString("table_name"));
                        assertThat(rows.getLong("scans")).as(report).isEqualTo(3);
                    }
                }
                assertThat(named).as(report).containsExactlyInAnyOrderElementsOf(tables.stream().map(TableName::toString).toList());
            }
        }
    }

    /**
     * Met from outside: a table compacted stayed in small-file-tables for the hour its scans before the compaction took to leave
     * the report's window. A scan as of an older snapshot (fewer files then) is no compaction.
     */
    @Test
    void aTableCompactedLeavesTheSmallFileReportAtItsNextScans()
            throws Exception
    {
        String url = migrated("report_compacted");
        String scan = """
                INSERT INTO query_inputs (query_id, "timestamp", input_index, catalog, schema_name, table_name, files_scanned, bytes_scanned,
                    total_data_files, reads_as_of)
                VALUES ('%s', now() - interval '%d minutes', 0, 'iceberg', 'demo', '%s', %d, %d, %d, %s)""";
        for (int minute = 50; minute > 30; minute -= 5) {
            // 40 files of 1 kB, read whole
            TestingPostgres.execute(url, scan.formatted("events-" + minute, minute, "events", 40, 40_960, 40, "NULL"),
                    scan.formatted("visits-" + minute, minute, "visits", 40, 40_960, 40, "NULL"));
        }
        // events compacted into one file; visits read once as it was before its first 35 files were written
        TestingPostgres.execute(url, scan.formatted("events-10", 10, "events", 1, 40_960, 1, "NULL"),
                scan.formatted("visits-10", 10, "visits", 5, 5_120, 5, "true"));
        try (Connection connection = DriverManager.getConnection(url, "postgres", ""); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(Reports.sql("small-file-tables").orElseThrow())) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString("table_name")).isEqualTo("iceberg.demo.visits");
            assertThat(rows.getLong("scans")).isEqualTo(4);
            assertThat(rows.next()).isFalse();
        }
    }

    /**
     * Met from outside: after an apply, the top of top-expensive-patterns was icetune's own compaction (ALTER TABLE ... EXECUTE
     * optimize), which no evaluation reads as the workload's; lint's EXPLAIN is a read of its own as p95-vs-baseline reads them.
     */
    @Test
    void theReportsOfPatternsAreTheWorkloadsNotIcetunesOwnStatements()
            throws Exception
    {
        String url = migrated("report_own");
        String row = """
                INSERT INTO query_logs (query_id, "timestamp", state, success, user_name, source, update_type, query_text, query_pattern, query_pattern_hash,
                    query_text_length, query_text_truncated, create_time, end_time, latency, input_count)
                VALUES ('%1$s', now(), 'FINISHED', true, '%2$s', %3$s, %4$s, '%5$s', '%5$s', md5('%5$s'), 8, false, now(), now(), %6$d, 1)""";
        TestingPostgres.execute(url,
                row.formatted("dashboard", "analyst", "'trino-jdbc'", "NULL", "select count(*) from iceberg.demo.events", 900),
                row.formatted("no-source", "analyst", "NULL", "NULL", "select * from iceberg.demo.visits", 300),
                row.formatted("compaction", "icetune", "'icetune'", "'ALTER TABLE EXECUTE'", "alter table \"iceberg\".\"demo\".\"events\" execute optimize", 20_000),
                row.formatted("lint", "icetune", "'icetune'", "NULL", "explain select count(*) from iceberg.demo.events", 2_000));
        for (String report : List.of("top-expensive-patterns", "p95-vs-baseline")) {
            List<String> patterns = new java.util.ArrayList<>();
            try (Connection connection = DriverManager.getConnection(url, "postgres", ""); Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery(Reports.sql(report).orElseThrow())) {
                while (rows.next()) {
                    patterns.add(rows.getString("query_pattern"));
                }
            }
            assertThat(patterns).as(report).containsExactly("select count(*) from iceberg.demo.events", "select * from iceberg.demo.visits");
        }
    }

    /**
     * Met from outside: lookups of one order id of 40 files read one (Iceberg skips files by their min/max statistics for a filter
     * Trino leaves above the scan), and the report said 0% pushed down.
     */
    @Test
    void aFilterLeftAboveTheScanThatSkippedFilesIsPushedDownSuccessfully()
            throws Exception
    {
        String url = migrated("report_pushdown");
        // by partition; a lookup that read 1 file of 40; one that read all 40
        String[] scans = {"ARRAY['ts'], 'x = 1', 1, 0.025", "ARRAY[]::text[], 'order_id = 7', 1, 0.025", "NULL, 'order_id = 8', 40, 1"};
        for (int scan = 0; scan < scans.length; scan++) {
            TestingPostgres.execute(url, """
                    INSERT INTO query_inputs (query_id, "timestamp", input_index, catalog, schema_name, table_name, total_data_files, bytes_scanned,
                        constraint_columns, filter_predicate, files_scanned, pruning_ratio)
                    VALUES ('q%d', now(), 0, 'iceberg', 'sales', 'orders', 40, 4096, %s)""".formatted(scan, scans[scan]));
        }
        try (Connection connection = DriverManager.getConnection(url, "postgres", ""); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(Reports.sql("predicate-pushdown").orElseThrow())) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getLong("pushed_down")).isEqualTo(1);
            assertThat(rows.getLong("skipped_by_file_statistics")).isEqualTo(1);
            assertThat(rows.getLong("filtered_above_scan")).isEqualTo(3);
            assertThat(rows.getDouble("pushdown_success_pct")).isEqualTo(66.7);
        }
    }

    @Test
    void measuredFiguresAreNumbers()
            throws Exception
    {
        // as an evaluation leaves an applied fix: its estimate and its measured effect, figures stored in JSON
        String url = migrated("report_figures");
        TestingPostgres.execute(url, """
                INSERT INTO recommendations (dedupe_key, rule_id, target_type, target, severity, level, status, explanation, proposed_fix, fix,
                    evidence, first_seen, last_seen, updated_at, estimate, measured_effect)
                VALUES ('k', 'small-files', 'TABLE', 'iceberg.demo.events', 'HIGH', 'L1', 'verified', 'e', 'p', '{"kind": "advice"}', '{}',
                    now(), now(), now(), '{"scope": "s", "files_per_query_after": 1, "bytes_per_query_after": 4674442.4, "misestimated_share_after": 0.1}',
                    '{"verdict": "verified", "queries_before": 25, "queries_after": 25, "p95_ms_before": 3310.357, "p95_ms_after": 426.25,
                      "files_per_query_before": 804.8, "files_per_query_after": 33.8, "bytes_per_query_before": 4674442.4,
                      "bytes_per_query_after": 3783208.6, "own_queries_after": 25, "own_files_per_query_before": 804.8,
                      "own_files_per_query_after": 33.8, "files_saved_measured_over_estimated": 0.959, "bytes_saved_measured_over_estimated": 23.051,
                      "own_misestimated_share_before": 0.5, "own_misestimated_share_after": 0.125, "misestimates_fixed_measured_over_estimated": 0.938}')""",
                """
                INSERT INTO fix_audit (recommendation_id, at, actor, approved_by, action, change, result)
                SELECT id, now(), 'alice', 'bob', 'apply', 'compact', 'applied' FROM recommendations""");
        Map<String, List<String>> figures = Map.of(
                "fix-effects", List.of("queries_before", "queries_after", "p95_ms_before", "p95_ms_after", "files_before", "files_after", "bytes_before", "bytes_after"),
                "recommendations", List.of("files_before", "files_after", "p95_before", "p95_after"),
                "estimate-accuracy", List.of("files_saving_ratio", "bytes_saving_ratio", "misestimated_before", "misestimated_after_estimated",
                        "misestimated_after_measured", "misestimates_ratio"));
        try (Connection connection = DriverManager.getConnection(url, "postgres", ""); Statement statement = connection.createStatement()) {
            for (Map.Entry<String, List<String>> report : figures.entrySet()) {
                try (ResultSet rows = statement.executeQuery(Reports.sql(report.getKey()).orElseThrow())) {
                    assertThat(rows.next()).as(report.getKey()).isTrue();
                    for (String column : report.getValue()) {
                        // a number, so that a table rounds it and --json keeps it whole as a number, not as text
                        assertThat(rows.getObject(column)).as(report.getKey() + "." + column).isInstanceOf(BigDecimal.class);
                    }
                }
            }
            try (ResultSet rows = statement.executeQuery(Reports.sql("fix-effects").orElseThrow())) {
                rows.next();
                assertThat(rows.getBigDecimal("p95_ms_before")).isEqualByComparingTo("3310.357");
                assertThat(rows.getObject("rolled_back_at")).as("not rolled back").isNull();
            }
            // undone since: the row says when and by whom, beside the apply it undid
            statement.execute("INSERT INTO fix_audit (recommendation_id, at, actor, action, change, result) SELECT id, now(), 'carol', 'rollback', 'undo', 'rolled-back' FROM recommendations");
            try (ResultSet rows = statement.executeQuery(Reports.sql("fix-effects").orElseThrow())) {
                rows.next();
                assertThat(rows.getString("applied_by")).isEqualTo("alice");
                assertThat(rows.getObject("rolled_back_at")).isNotNull();
                assertThat(rows.getString("rolled_back_by")).isEqualTo("carol");
            }
        }
    }

    /** A new database of {@code name}, with the schema the reports read. */
    private static String migrated(String name)
    {
        String url = TestingPostgres.shared().createDatabase(name);
        TestSchemaMigration.database(url).migrate();
        return url;
    }
}
