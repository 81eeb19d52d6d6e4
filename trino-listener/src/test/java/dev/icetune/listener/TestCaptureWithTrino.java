package dev.icetune.listener;

import dev.icetune.testing.CapturedRows;
import dev.icetune.plan.FilterPredicates;
import dev.icetune.plan.PredicateKind;
import dev.icetune.testing.IcebergTrino;
import dev.icetune.testing.TestingPostgres;
import io.trino.spi.eventlistener.EventListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The plugin in a real Trino with the real Iceberg connector, writing to a real PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestCaptureWithTrino
{
    private static final int DAYS = 20;
    private static final String RUNBOOK_REPORT = """
            SELECT
              query_pattern,
              avg(latency) as avg_latency,
              count(*) as frequency,
              sum(bytes_scanned) as total_bytes
            FROM query_logs
            WHERE timestamp > now() - interval '1 hour'
            GROUP BY query_pattern
            ORDER BY avg_latency DESC
            LIMIT 10;
            """;

    @TempDir
    static Path temporary;

    private EventListener listener;
    private IcebergTrino trino;
    private CapturedRows rows;

    @BeforeAll
    void start()
            throws Exception
    {
        TestingPostgres postgres = TestingPostgres.shared();
        String captureUrl = postgres.createDatabase("capture");
        rows = new CapturedRows(captureUrl);
        // the real factory path: the plugin's factory, given what etc/event-listener.properties would hold
        listener = new IcetunePlugin().getEventListenerFactories().iterator().next().create(Map.of(
                "icetune.db.url", captureUrl,
                "icetune.db.user", "postgres",
                "icetune.plan.keep", "true",
                "icetune.spool.dir", temporary.resolve("spool").toString()), null);
        trino = IcebergTrino.start(listener, postgres.createDatabase("catalog"), temporary.resolve("warehouse"));

        trino.execute("CREATE TABLE small_files (ts timestamp(6), event_type varchar, user_id bigint)");
        trino.execute("CREATE TABLE events_by_day (ts timestamp(6), event_type varchar, user_id bigint) WITH (partitioning = ARRAY['day(ts)'])");
        for (int day = 1; day <= DAYS; day++) {
            // one INSERT a day: one data file and one manifest a day
            String values = "(TIMESTAMP '2024-01-%02d 10:00:00', 'click', %d), (TIMESTAMP '2024-01-%02d 11:00:00', 'view', %d)".formatted(day, day, day, day + 100);
            trino.execute("INSERT INTO small_files VALUES " + values);
            trino.execute("INSERT INTO events_by_day VALUES " + values);
        }
    }

    @AfterAll
    void stop()
    {
        if (trino != null) {
            trino.close();
        }
    }

    @Test
    void rangeScanOnUnpartitionedTableReadsOneFileButSkipsNoManifest()
    {
        String queryId = trino.run("SELECT count(*) FROM small_files WHERE ts >= TIMESTAMP '2024-01-05 00:00:00' AND ts < TIMESTAMP '2024-01-06 00:00:00'");

        Map<String, Object> query = rows.awaitQuery(queryId);
        assertThat(query).containsEntry("success", true).containsEntry("state", "FINISHED").containsEntry("user_name", "user")
                .containsEntry("source", "icetune-test").containsEntry("catalog", "iceberg").containsEntry("schema_name", "demo")
                .containsEntry("rows_returned", 1L).containsEntry("files_scanned", 1L).containsEntry("input_count", 1);
        assertThat((Long) query.get("latency")).isPositive();
        assertThat((Long) query.get("bytes_scanned")).isPositive();
        assertThat((String) query.get("server_version")).isNotBlank();
        // no icetune.cluster-name: the cluster is Trino's node.environment, "testing" in the test server
        assertThat(query).containsEntry("cluster_name", "testing").containsEntry("cross_join", false).containsEntry("sort_without_limit", false)
                .containsEntry("join_output_rows", null);
        assertThat(rows.query("SELECT cluster_name FROM query_starts WHERE query_id = ?", queryId)).singleElement()
                .satisfies(start -> assertThat(start).containsEntry("cluster_name", "testing"));

        Map<String, Object> input = rows.inputs(queryId).getFirst();
        assertThat(input).containsEntry("cluster_name", "testing");
        assertThat(input).containsEntry("table_name", "small_files").containsEntry("connector", "iceberg")
                .containsEntry("total_data_files", (long) DAYS).containsEntry("files_scanned", 1L)
                .containsEntry("manifests_skipped", 0L).containsEntry("manifests_scanned", (long) DAYS)
                .containsEntry("partition_fields", List.of()).containsEntry("format_version", 2)
                .containsEntry("pruning_ratio", 1.0 / DAYS);
        assertThat((Long) input.get("bytes_scanned")).isPositive();
        assertThat((Long) input.get("snapshot_id")).isNotNull();
        assertThat((Long) input.get("total_records")).isEqualTo(2L * DAYS);
        assertThat(input.get("columns")).isEqualTo(List.of("ts"));
        // without a partition on ts the range stays a filter above the scan: min/max pruned files, nothing pruned manifests
        assertThat(input.get("constraint_columns")).isEqualTo(List.of());
        assertThat((String) input.get("filter_predicate")).contains("ts < timestamp(6) '2024-01-06 00:00:00.000000'");
        assertThat(input).as("a plan without a join asks for no estimate of the rows").containsEntry("estimated_rows", null).containsEntry("output_rows", null);
    }

    @Test
    void aFilteredScanAJoinDependsOnCarriesThePlannersEstimateOfItsRows()
    {
        String queryId = trino.run("SELECT count(*) FROM events_by_day e JOIN small_files s ON e.user_id = s.user_id WHERE s.event_type = 'click'");

        rows.awaitQuery(queryId);
        Map<String, Object> filtered = rows.inputs(queryId).stream().filter(input -> input.get("table_name").equals("small_files")).findFirst().orElseThrow();
        // the rows the filter kept, and the planner's estimate of them from the statistics Trino wrote with the data (two event types)
        assertThat(filtered).containsEntry("output_rows", (long) DAYS);
        assertThat((Double) filtered.get("estimated_rows")).isBetween(DAYS / 2.0, DAYS * 2.0);
        Map<String, Object> probed = rows.inputs(queryId).stream().filter(input -> input.get("table_name").equals("events_by_day")).findFirst().orElseThrow();
        assertThat(probed).as("no filter of its own").containsEntry("estimated_rows", null);
    }

    @Test
    void rangeScanOnDayPartitionedTableSkipsManifests()
    {
        String queryId = trino.run("SELECT count(*) FROM events_by_day WHERE ts >= TIMESTAMP '2024-01-05 00:00:00' AND ts < TIMESTAMP '2024-01-06 00:00:00'");

        rows.awaitQuery(queryId);
        Map<String, Object> input = rows.inputs(queryId).getFirst();
        assertThat(input).containsEntry("table_name", "events_by_day").containsEntry("files_scanned", 1L)
                .containsEntry("total_data_files", (long) DAYS).containsEntry("manifests_skipped", (long) DAYS - 1)
                .as("Trino's dataManifests counts the manifests read, not all of them").containsEntry("manifests_scanned", 1L)
                .containsEntry("partition_fields", List.of("ts_day: day"));
        assertThat(input.get("constraint_columns")).isEqualTo(List.of("ts"));
        assertThat(input.get("filter_predicate")).isNull();
        assertThat(input).as("no filter: no estimate of one").containsEntry("estimated_rows", null).containsEntry("output_rows", null);
    }

    @Test
    void aScanOfTheTableAsItWasIsMarked()
    {
        // the table after its first day's INSERT (the first snapshot is its empty CREATE)
        long first = (long) trino.execute("SELECT snapshot_id FROM \"events_by_day$snapshots\" ORDER BY committed_at OFFSET 1 LIMIT 1").getOnlyValue();
        String asOf = trino.run("SELECT count(*) FROM events_by_day FOR VERSION AS OF " + first);
        String now = trino.run("SELECT count(*) FROM events_by_day");

        rows.awaitQuery(asOf);
        rows.awaitQuery(now);
        assertThat(rows.inputs(asOf).getFirst()).containsEntry("reads_as_of", true).containsEntry("snapshot_id", first).containsEntry("total_data_files", 1L);
        assertThat(rows.inputs(now).getFirst()).containsEntry("reads_as_of", false).containsEntry("total_data_files", (long) DAYS);

        // joined with a table read as it is: that one's scan tells of its layout now
        String join = trino.run("SELECT count(*) FROM events_by_day FOR VERSION AS OF " + first + " d JOIN small_files s ON d.user_id = s.user_id");
        rows.awaitQuery(join);
        assertThat(rows.inputs(join)).extracting(input -> input.get("table_name"), input -> input.get("reads_as_of"))
                .containsExactlyInAnyOrder(tuple("events_by_day", true), tuple("small_files", false));
    }

    @Test
    void functionAroundTheColumnDefeatsPruningAndStaysAboveTheScan()
    {
        String queryId = trino.run("SELECT count(*) FROM events_by_day WHERE date_format(ts, '%Y-%m-%d') = '2024-01-05'");

        assertThat(rows.awaitQuery(queryId)).containsEntry("files_scanned", (long) DAYS);
        Map<String, Object> input = rows.inputs(queryId).getFirst();
        assertThat(input).containsEntry("files_scanned", (long) DAYS).containsEntry("manifests_skipped", 0L).containsEntry("pruning_ratio", 1.0);
        assertThat(input.get("constraint_columns")).isEqualTo(List.of());
        assertThat((String) input.get("filter_predicate")).contains("date_format").contains("2024-01-05");
    }

    @Test
    void theFilterNamesTheTablesColumnsNotThePlannersSymbols()
    {
        // both tables have ts and user_id: the planner calls the second table's ts_0 and user_id_0, and carries user_id = 7 to both
        String joined = trino.run("SELECT count(*) FROM small_files s JOIN events_by_day e ON s.user_id = e.user_id "
                + "WHERE s.ts >= TIMESTAMP '2024-01-05 00:00:00' AND e.ts < TIMESTAMP '2024-01-06 00:00:00' AND s.user_id = 7");
        rows.awaitQuery(joined);
        // events_by_day's range went into the scan, as its partition allows
        assertThat(rows.inputs(joined)).hasSize(2).allSatisfy(input -> assertThat(FilterPredicates.parse((String) input.get("filter_predicate")))
                .as("%s: %s", input.get("table_name"), input.get("filter_predicate")).extracting(FilterPredicates.ColumnPredicate::column)
                .containsExactlyInAnyOrderElementsOf(input.get("table_name").equals("small_files") ? List.of("ts", "user_id") : List.of("user_id")));

        // Trino's symbols for these are event_time and zeitstempel
        trino.execute("CREATE TABLE spaced (\"event time\" timestamp(6), \"zeitstempel_ä\" timestamp(6))");
        trino.execute("INSERT INTO spaced VALUES (TIMESTAMP '2024-01-05 10:00:00', TIMESTAMP '2024-01-05 10:00:00')");
        String spaced = trino.run("SELECT count(*) FROM spaced WHERE \"event time\" >= TIMESTAMP '2024-01-05 00:00:00' "
                + "AND \"event time\" < TIMESTAMP '2024-01-06 00:00:00' AND date_format(\"zeitstempel_ä\", '%Y') = '2024'");
        rows.awaitQuery(spaced);
        String filter = (String) rows.inputs(spaced).getFirst().get("filter_predicate");
        assertThat(filter).contains("<= \"event time\")", "date_format(\"zeitstempel_ä\", ");
        assertThat(FilterPredicates.parse(filter)).extracting(FilterPredicates.ColumnPredicate::column).containsExactlyInAnyOrder("event time", "event time", "zeitstempel_ä");

        // a field of a row column, whose handle Trino names user_id as the top-level column's: its path, never that column
        trino.execute("CREATE TABLE nested (user_id bigint, payload ROW(user_id bigint, kind varchar))");
        trino.execute("INSERT INTO nested VALUES (10, ROW(20, 'a'))");
        String nested = trino.run("SELECT count(*) FROM nested WHERE payload.user_id = 20 AND user_id > 5");
        rows.awaitQuery(nested);
        assertThat(FilterPredicates.parse((String) rows.inputs(nested).getFirst().get("filter_predicate"))).extracting(FilterPredicates.ColumnPredicate::column)
                .containsExactlyInAnyOrder("payload.user_id", "user_id");
    }

    /**
     * Met from outside: an application's lookups of 20,000 ids stored a filter of 331 kB on every scan, beside a query text cut at
     * icetune.query-text.max-length. The filter is kept within that length too, as the conjuncts that fit: the day still reads.
     */
    @Test
    void aFilterLongerThanTheStoredTextKeepsTheConjunctsThatFit()
    {
        String ids = IntStream.range(0, 8_000).mapToObj(i -> String.valueOf(1_000_000 + 13 * i)).collect(java.util.stream.Collectors.joining(", "));
        String queryId = trino.run("SELECT count(*) FROM small_files WHERE user_id IN (" + ids + ") "
                + "AND ts >= TIMESTAMP '2024-01-05 00:00:00' AND ts < TIMESTAMP '2024-01-06 00:00:00'");

        assertThat(rows.awaitQuery(queryId)).containsEntry("query_text_truncated", false);
        String filter = (String) rows.inputs(queryId).getFirst().get("filter_predicate");
        assertThat(filter).hasSizeLessThanOrEqualTo(100_000).doesNotContain("1000000");
        assertThat(FilterPredicates.parse(filter)).extracting(FilterPredicates.ColumnPredicate::column, FilterPredicates.ColumnPredicate::kind)
                .containsExactly(tuple("ts", PredicateKind.RANGE), tuple("ts", PredicateKind.RANGE));

        // the list alone: a filter all the same, so that the lookups are not taken for full scans
        String listOnly = trino.run("SELECT count(*) FROM small_files WHERE user_id IN (" + ids + ")");
        rows.awaitQuery(listOnly);
        assertThat(rows.inputs(listOnly).getFirst()).containsEntry("filter_predicate", FilterPredicates.NOT_KEPT);
    }

    @Test
    void deleteFilesAreCountedAgainstTheTable()
    {
        trino.execute("CREATE TABLE with_deletes (id bigint, note varchar)");
        trino.execute("INSERT INTO with_deletes VALUES (1, 'a'), (2, 'b'), (3, 'c')");
        trino.execute("DELETE FROM with_deletes WHERE id = 2");

        String queryId = trino.run("SELECT count(*) FROM with_deletes");

        assertThat(rows.awaitQuery(queryId)).containsEntry("files_scanned", 1L);
        assertThat(rows.inputs(queryId).getFirst()).containsEntry("total_data_files", 1L)
                .containsEntry("total_delete_files", 1L).containsEntry("delete_files_scanned", 1L);

        // format version 3: the delete is a deletion vector, which Trino counts apart
        trino.execute("CREATE TABLE with_vectors (id bigint, note varchar) WITH (format_version = 3)");
        trino.execute("INSERT INTO with_vectors VALUES (1, 'a'), (2, 'b'), (3, 'c')");
        trino.execute("DELETE FROM with_vectors WHERE id = 2");
        String vectors = trino.run("SELECT count(*) FROM with_vectors");
        rows.awaitQuery(vectors);
        assertThat(rows.inputs(vectors).getFirst()).containsEntry("format_version", 3).containsEntry("total_delete_files", 1L).containsEntry("delete_files_scanned", 1L);
    }

    @Test
    void failedQueryKeepsItsErrorDetails()
    {
        trino.executeFailing("SELECT count(*) / 0 FROM small_files");

        Map<String, Object> query = rows.await(1, "SELECT * FROM query_logs WHERE query_text = ?", "SELECT count(*) / 0 FROM small_files").getFirst();
        assertThat(query).containsEntry("success", false).containsEntry("state", "FAILED")
                .containsEntry("error_code", "DIVISION_BY_ZERO").containsEntry("error_type", "USER_ERROR");
        assertThat((String) query.get("error_message")).containsIgnoringCase("division by zero");
    }

    @Test
    void queriesDifferingOnlyInLiteralsShareOnePattern()
    {
        List<String> ids = List.of(
                trino.run("SELECT count(*) FROM small_files WHERE user_id = 7 AND event_type = 'click'"),
                trino.run("select count(*)   from small_files where user_id = 42 and event_type = 'view' -- other literals"),
                trino.run("SELECT count(*) FROM small_files WHERE user_id IN (1, 2, 3) AND event_type = 'x'"),
                trino.run("SELECT count(*) FROM small_files WHERE user_id IN (5) AND event_type = 'y'"));

        List<Map<String, Object>> stored = ids.stream().map(rows::awaitQuery).toList();
        assertThat(stored.get(0).get("query_pattern")).isEqualTo("select count(*) from small_files where user_id = ? and event_type = ?");
        assertThat(stored.get(1).get("query_pattern_hash")).isEqualTo(stored.get(0).get("query_pattern_hash"));
        assertThat(stored.get(2).get("query_pattern")).isEqualTo("select count(*) from small_files where user_id in (?) and event_type = ?");
        assertThat(stored.get(3).get("query_pattern_hash")).isEqualTo(stored.get(2).get("query_pattern_hash"));
        assertThat(stored.get(2).get("query_pattern_hash")).isNotEqualTo(stored.get(0).get("query_pattern_hash"));
    }

    @Test
    void aQueryWithParametersHasThePatternOfItsStatementHoweverTheClientSendsIt()
            throws Exception
    {
        String byUser = "SELECT count(*) FROM small_files WHERE user_id = ?";
        String byType = "SELECT count(*) FROM small_files WHERE event_type = ?";
        Object plain = rows.awaitQuery(trino.run("SELECT count(*) FROM small_files WHERE user_id = 3")).get("query_pattern_hash");

        // the Trino JDBC driver sends EXECUTE IMMEDIATE '<statement>' USING ...: the pattern is the statement's
        executeWithParameter("immediate", false, byUser, 7);
        executeWithParameter("immediate", false, byType, "view");
        List<Map<String, Object>> immediate = rows.await(2, "SELECT * FROM query_logs WHERE user_name = 'immediate' AND query_text LIKE 'EXECUTE IMMEDIATE%' ORDER BY query_text DESC");
        assertThat(immediate).extracting(row -> row.get("query_pattern"))
                .containsExactly("select count(*) from small_files where user_id = ?", "select count(*) from small_files where event_type = ?");
        assertThat(immediate.getFirst()).containsEntry("query_pattern_hash", plain).containsEntry("success", true).containsEntry("input_count", 1);
        assertThat(immediate).as("the text holds its statement").allSatisfy(row -> assertThat(row.get("prepared_statement")).isNull());

        // with explicitPrepare, PREPARE statement1 and EXECUTE statement1 USING ...: each connection names its first statement
        // statement1, so the name says nothing; the pattern is the statement Trino prepared under it
        executeWithParameter("prepared", true, byUser, 7);
        executeWithParameter("prepared", true, byUser, 8);
        executeWithParameter("prepared", true, byType, "view");
        List<Map<String, Object>> prepared = rows.await(3, "SELECT * FROM query_logs WHERE user_name = 'prepared' AND query_text LIKE 'EXECUTE statement1 USING%' ORDER BY \"timestamp\"");
        assertThat(prepared).extracting(row -> (String) row.get("query_pattern")).allSatisfy(pattern -> assertThat(pattern).startsWith("select count(*) from small_files where"));
        assertThat(prepared.get(1)).containsEntry("query_pattern_hash", prepared.get(0).get("query_pattern_hash")).containsEntry("success", true);
        assertThat(prepared.get(2).get("query_pattern_hash")).isNotEqualTo(prepared.get(0).get("query_pattern_hash"));
        // the text names the statement only: the statement is kept beside it, for a sample to run again
        assertThat(prepared).extracting(row -> ((String) row.get("prepared_statement")).strip().replaceAll("\\s+", " ")).as("as Trino prepared (and formatted) it")
                .containsExactly("SELECT count(*) FROM small_files WHERE (user_id = ?)", "SELECT count(*) FROM small_files WHERE (user_id = ?)",
                        "SELECT count(*) FROM small_files WHERE (event_type = ?)");

        // the start of each has the pattern of its completion: the hung-queries check compares a running query with its pattern's latency
        for (Map<String, Object> row : Stream.concat(immediate.stream(), prepared.stream()).toList()) {
            assertThat(rows.query("SELECT query_pattern_hash FROM query_starts WHERE query_id = ?", row.get("query_id"))).singleElement()
                    .satisfies(start -> assertThat(start).containsEntry("query_pattern_hash", row.get("query_pattern_hash")));
        }
    }

    /** As an application runs a query with a parameter through the Trino JDBC driver, on a connection of its own. */
    private void executeWithParameter(String user, boolean explicitPrepare, String sql, Object parameter)
            throws Exception
    {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("explicitPrepare", String.valueOf(explicitPrepare));
        try (Connection connection = DriverManager.getConnection(trino.jdbcUrl(), properties);
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, parameter);
            try (ResultSet result = statement.executeQuery()) {
                assertThat(result.next()).isTrue();
            }
        }
    }

    @Test
    void runbookReportRunsVerbatim()
    {
        List<String> ids = IntStream.range(0, 3)
                .mapToObj(day -> trino.run("SELECT count(*) FROM small_files WHERE ts > TIMESTAMP '2024-01-1%s 00:00:00'".formatted(day)))
                .toList();
        ids.forEach(rows::awaitQuery);

        List<Map<String, Object>> report = rows.query(RUNBOOK_REPORT);
        // the other tests' queries share the hour: the pattern is found among all, and the report is their top ten
        List<Map<String, Object>> all = rows.query(RUNBOOK_REPORT.replace("LIMIT 10", ""));
        assertThat(report).hasSize(Math.min(10, all.size()));
        assertThat(report).extracting(row -> row.get("avg_latency")).containsExactlyElementsOf(all.subList(0, report.size()).stream().map(row -> row.get("avg_latency")).toList());
        assertThat(all).anySatisfy(row -> assertThat(row)
                .containsEntry("query_pattern", "select count(*) from small_files where ts > timestamp ?")
                .containsEntry("frequency", 3L));
        assertThat(report).allSatisfy(row -> assertThat(row).containsKeys("avg_latency", "total_bytes"));
    }

    @Test
    void queryCreatedEventsAnswerHowManyQueriesRanAtATime()
            throws Exception
    {
        rows.awaitQuery(trino.run("SELECT count(*) FROM small_files WHERE user_id > 0")); // finished before: not counted
        String slow = "SELECT count(*) FROM UNNEST(sequence(1, 10000)) a(x) CROSS JOIN UNNEST(sequence(1, 10000)) b(y) WHERE (x * y) % 7 = 3";
        CompletableFuture<String> slowQuery = CompletableFuture.supplyAsync(() -> trino.run(slow));
        while (trino.execute("SELECT count(*) FROM system.runtime.queries WHERE state = 'RUNNING' AND query = '" + slow.replace("'", "''") + "'").getOnlyValue().equals(0L)) {
            assertThat(slowQuery).as("the slow query is still running when the quick one starts").isNotDone();
            Thread.sleep(20);
        }
        String quick = trino.run("SELECT count(*) FROM small_files");
        assertThat(slowQuery).as("the slow query outlasts the quick one").isNotDone();
        rows.awaitQuery(slowQuery.get());
        rows.awaitQuery(quick);

        rows.await(1, "SELECT * FROM query_starts WHERE query_id = ?", quick);
        long running = rows.count("""
                SELECT count(*) FROM query_starts s LEFT JOIN query_logs l ON l.query_id = s.query_id
                WHERE s.create_time <= (SELECT create_time + (end_time - create_time) / 2 FROM query_logs WHERE query_id = ?)
                  AND (l."timestamp" IS NULL OR l."timestamp" > (SELECT create_time + (end_time - create_time) / 2 FROM query_logs WHERE query_id = ?))
                """, quick, quick);
        assertThat(running).as("the quick query and the slow one around it").isEqualTo(2);
    }

    @Test
    void metricsArePublishedToJmx()
            throws Exception
    {
        rows.awaitQuery(trino.run("SELECT 1"));
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        List<String> names = server.queryNames(new ObjectName("icetune:*"), null).stream().map(ObjectName::toString).toList();
        assertThat(names).anyMatch(name -> name.contains("EventsReceived"))
                .anyMatch(name -> name.contains("EventsWritten"))
                .anyMatch(name -> name.contains("EventsSpooled"))
                .anyMatch(name -> name.contains("EventsReplayed"))
                .anyMatch(name -> name.contains("EventsDropped"))
                .anyMatch(name -> name.contains("BatchLatency"))
                .anyMatch(name -> name.contains("QueueDepth"));
    }
}
