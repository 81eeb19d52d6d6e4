package dev.icetune.engine;

import dev.icetune.engine.iceberg.TableFactSource;
import dev.icetune.engine.iceberg.TableMetadataReader;
import dev.icetune.engine.model.Advice;
import dev.icetune.engine.model.Benefit;
import dev.icetune.engine.model.KillQueries;
import dev.icetune.engine.model.Level;
import dev.icetune.engine.model.PartitionSpec;
import dev.icetune.engine.model.QueryRewrite;
import dev.icetune.engine.model.Recommendation;
import dev.icetune.engine.rules.RuleBookHolder;
import dev.icetune.engine.store.RecommendationStore;
import dev.icetune.listener.IcetuneEventListenerFactory;
import dev.icetune.store.Database;
import dev.icetune.testing.CapturedRows;
import dev.icetune.testing.IcebergTrino;
import dev.icetune.testing.TestingPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trino.spi.eventlistener.EventListener;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The query insights and the runbook's rows beyond its list, on the real in-process Trino with the real Iceberg connector
 * and the capture plugin, at the shipped thresholds: for each, a workload that has the problem (one recommendation, of
 * its pattern, with its evidence and an estimate) beside one that does not (none). A hung query is a real query left
 * running past a minute and ten times its pattern's p95, evaluated while it runs. Spilling is Trino's own, enabled for
 * one pattern by its session and made to spill all it can as Trino's spill tests do.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestQueryInsightsEndToEnd
{
    /** Three cross-joined sequences: milliseconds with small bounds, hours with large ones; one pattern either way. */
    private static final String TRIPLE = "SELECT count(*) FROM UNNEST(sequence(1, %d)) a(x) CROSS JOIN UNNEST(sequence(1, %d)) b(y) CROSS JOIN UNNEST(sequence(1, %d)) c(z) WHERE (x + y + z) %% 7 = 3";

    @TempDir
    static Path temporary;

    private EventListener listener;
    private IcebergTrino trino;
    private TableMetadataReader iceberg;
    private Evaluator evaluator;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private CapturedRows rows;
    private final Map<String, String> patternOf = new HashMap<>();
    private CompletableFuture<Void> hung;
    private List<Recommendation> recommendations;

    @BeforeAll
    void start()
            throws Exception
    {
        TestingPostgres postgres = TestingPostgres.shared();
        String captureUrl = postgres.createDatabase("insights_capture");
        String catalogUrl = postgres.createDatabase("insights_catalog");
        Path warehouse = temporary.resolve("warehouse");
        rows = new CapturedRows(captureUrl);
        listener = new IcetuneEventListenerFactory().create(Map.of("icetune.db.url", captureUrl, "icetune.db.user", "postgres",
                "icetune.spool.dir", temporary.resolve("spool").toString()), null);
        trino = IcebergTrino.start(listener, catalogUrl, warehouse, IcebergTrino.spilling(temporary.resolve("spill")));

        // the hung query first: its minute runs while the rest is built and run
        for (int i = 0; i < 5; i++) {
            run("triple", TRIPLE.formatted(10, 10, 10 + i));
        }
        hung = CompletableFuture.runAsync(() -> trino.executeFailing(TRIPLE.formatted(10_000, 10_000, 10_000)));
        Instant hungSince = Instant.now();

        // wide: 120 files, one a partition; small: one file
        trino.execute("CREATE TABLE wide (k integer, payload varchar) WITH (partitioning = ARRAY['k'])");
        trino.execute("INSERT INTO wide SELECT x % 120, lower(to_hex(md5(to_utf8(CAST(x AS varchar))))) FROM UNNEST(sequence(1, 10000)) t(x)");
        trino.execute("CREATE TABLE small AS SELECT x AS k, CAST(x AS varchar) AS payload FROM UNNEST(sequence(1, 100)) t(x)");
        // joins: 4,000 rows on 10 keys each side, and 500-row tables to cross
        trino.execute("CREATE TABLE dup_a AS SELECT x, x % 10 AS k FROM UNNEST(sequence(1, 4000)) t(x)");
        trino.execute("CREATE TABLE dup_b AS SELECT x, x % 10 AS k FROM UNNEST(sequence(1, 4000)) t(x)");
        trino.execute("CREATE TABLE cross_a AS SELECT x FROM UNNEST(sequence(1, 500)) t(x)");
        trino.execute("CREATE TABLE cross_b AS SELECT x FROM UNNEST(sequence(1, 500)) t(x)");
        // 120,000 rows (a sequence holds at most 10,000)
        trino.execute("CREATE TABLE listing AS SELECT (a - 1) * 300 + b AS x, CAST(((a - 1) * 300 + b) * 7 AS varchar) AS name "
                + "FROM UNNEST(sequence(1, 400)) s(a) CROSS JOIN UNNEST(sequence(1, 300)) t(b)");
        // by month and by day, twelve loads of three months each
        trino.execute("CREATE TABLE monthly (ts timestamp(6), v bigint) WITH (partitioning = ARRAY['month(ts)'])");
        trino.execute("CREATE TABLE daily (ts timestamp(6), v bigint) WITH (partitioning = ARRAY['day(ts)'])");
        for (int load = 0; load < 12; load++) {
            for (String table : List.of("monthly", "daily")) {
                trino.execute("INSERT INTO %s SELECT TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '1' HOUR * (x * 12 + %d), x FROM UNNEST(sequence(0, 179)) t(x)"
                        .formatted(table, load));
            }
        }

        // upserted: loaded by MERGE and DELETE, read by nothing else; each leaves delete files that the next one's read merges
        trino.execute("CREATE TABLE upserted (k bigint, v bigint)");
        trino.execute("INSERT INTO upserted SELECT x, 0 FROM UNNEST(sequence(1, 1000)) t(x)");
        for (int load = 1; load <= 8; load++) {
            trino.execute("MERGE INTO upserted u USING (SELECT x * 7 %% 1000 AS k FROM UNNEST(sequence(1, 20)) t(x)) s ON u.k = s.k WHEN MATCHED THEN UPDATE SET v = %d"
                    .formatted(load));
            trino.execute("DELETE FROM upserted WHERE k = " + load);
        }

        for (int i = 0; i < 3; i++) {
            run("full-scan", "SELECT max(payload) FROM wide");
            run("small-scan", "SELECT max(payload) FROM small");
            run("pruned-scan", "SELECT max(payload) FROM wide WHERE k = " + i);
            run("suffix", "SELECT count(*) FROM wide WHERE payload LIKE '%" + "abc".substring(i) + "'");
            // met from outside: the partition's equality pushed into the scan, the LIKE alone above it, a scan of one file
            run("pruned-suffix", "SELECT count(*) FROM wide WHERE payload LIKE '%" + "abc".substring(i) + "' AND k = " + i);
            run("prefix", "SELECT count(*) FROM wide WHERE payload LIKE '" + "abc".substring(i) + "%'");
            run("exploding", "SELECT sum(a.x * b.x) FROM dup_a a JOIN dup_b b ON a.k = b.k");
            run("keyed", "SELECT sum(a.x + b.x) FROM dup_a a JOIN dup_b b ON a.x = b.x");
            run("cross", "SELECT count(*) FROM cross_a CROSS JOIN cross_b");
            run("scalar-cross", "SELECT count(*) FROM cross_a CROSS JOIN (SELECT max(x) AS m FROM cross_b)");
            run("sorted", "SELECT x, name FROM listing ORDER BY name");
            patternOf.put(trino.run(Map.of("spill_enabled", "true"), "SELECT name, count(*) FROM listing GROUP BY name HAVING count(*) > " + i), "spilling");
            run("in-memory", "SELECT name, count(*) FROM listing WHERE x > " + i + " GROUP BY name");
            run("sorted-limit", "SELECT x, name FROM listing ORDER BY name LIMIT 10");
            run("monthly-day", "SELECT sum(v) FROM monthly WHERE ts >= TIMESTAMP '2024-02-%02d 00:00:00' AND ts < TIMESTAMP '2024-02-%02d 00:00:00'".formatted(i + 1, i + 2));
            run("daily-day", "SELECT sum(v) FROM daily WHERE ts >= TIMESTAMP '2024-02-%02d 00:00:00' AND ts < TIMESTAMP '2024-02-%02d 00:00:00'".formatted(i + 1, i + 2));
        }
        // a pattern that fails on the time limit, twice, beside one that succeeds
        for (int i = 0; i < 2; i++) {
            assertThat(trino.executeFailing(Map.of("query_max_execution_time", "1s"), TRIPLE.replace("count(*)", "max(x + y)").formatted(10_000, 10_000, 10 + i)))
                    .contains("exceeded");
        }
        for (String queryId : patternOf.keySet()) {
            rows.awaitQuery(queryId);
        }
        rows.await(2, "SELECT * FROM query_logs WHERE error_code = 'EXCEEDED_TIME_LIMIT'");

        Database.of(captureUrl, "postgres", "icetune-test").migrate();
        Jdbi jdbi = Jdbi.create(captureUrl, "postgres", "");
        iceberg = TestingIceberg.reader(catalogUrl, warehouse);
        evaluator = new Evaluator(jdbi, new RuleBookHolder(Path.of("../rules"), System.err::println), Optional.of((TableFactSource) iceberg), Duration.ofHours(1),
                Duration.ofDays(7), 3, new RecommendationStore(jdbi), meters);

        // the hung query has run for a minute (hung.min_running_minutes) and more: a real wait, as an operator's would be
        Duration left = Duration.ofSeconds(65).minus(Duration.between(hungSince, Instant.now()));
        if (!left.isNegative()) {
            Thread.sleep(left);
        }
        assertThat(hung).as("the long query is still running").isNotDone();
        recommendations = evaluator.evaluate(Instant.now(), System.out::println).recommendations();
    }

    @AfterAll
    void stop()
            throws Exception
    {
        if (trino != null) {
            for (var row : trino.execute("SELECT query_id FROM system.runtime.queries WHERE state = 'RUNNING' AND query LIKE 'SELECT count(*) FROM UNNEST(sequence(1, 10000))%'").getMaterializedRows()) {
                trino.execute("CALL system.runtime.kill_query(query_id => '" + row.getField(0) + "', message => 'test over')");
            }
            trino.close();
        }
        if (iceberg != null) {
            iceberg.close();
        }
    }

    @Test
    void aScanWithNoFilterOfALargeTableAndNotOfASmallOneOrAPrunedOne()
    {
        Recommendation full = only("full-scan");
        assertThat(full.target()).isEqualTo(patternOf("full-scan"));
        assertThat(full.evidence()).containsEntry("table", "iceberg.demo.wide").containsEntry("avg_files_scanned", 120.0);
        assertThat(full.estimate().isKnown()).isTrue();
        assertThat(full.estimate().filesPerQueryAfter()).isLessThan(full.estimate().filesPerQueryBefore());
    }

    @Test
    void aLeadingWildcardLikeAsTheOnlyFilterAndNotAPrefixOrOneBesideAPrunedPartition()
    {
        Recommendation like = only("leading-wildcard-like");
        assertThat(like.target()).isEqualTo(patternOf("suffix"));
        assertThat(like.evidence()).containsEntry("column", "payload");
        assertThat(like.fix()).isInstanceOf(Advice.class);
        assertThat(like.estimate().isKnown()).isTrue();
    }

    @Test
    void anExplodingJoinAndACrossJoinButNotAKeyJoinOrAScalarCross()
    {
        Recommendation exploding = only("exploding-join");
        assertThat(exploding.target()).isEqualTo(patternOf("exploding"));
        // 10 keys of 400 rows a side: 1,600,000 rows out of 8,000 in
        assertThat((Double) exploding.evidence().get("join_output_rows")).isEqualTo(1_600_000.0);
        assertThat((Double) exploding.evidence().get("join_input_rows")).isEqualTo(8_000.0);
        assertThat(exploding.estimate().secondsSavedPerDay()).isPositive();

        Recommendation cross = only("cross-join");
        assertThat(cross.target()).isEqualTo(patternOf("cross"));
        assertThat((Double) cross.evidence().get("join_output_rows")).isEqualTo(250_000.0);
    }

    @Test
    void aLargeSortWithoutLimitGetsItsLimitAndASortWithOneDoesNot()
    {
        Recommendation sorted = only("sort-without-limit");
        assertThat(sorted.target()).isEqualTo(patternOf("sorted"));
        assertThat((Double) sorted.evidence().get("avg_rows_returned")).isEqualTo(120_000.0);
        assertThat(sorted.fix()).isEqualTo(new QueryRewrite("SELECT x, name FROM listing ORDER BY name\nLIMIT 1000", Benefit.LIMITED_SORT));
    }

    @Test
    void aPatternThatSpillsWithItsPeakMemoryAndNotOneThatFits()
    {
        Recommendation spill = only("spill");
        assertThat(spill.target()).isEqualTo(patternOf("spilling"));
        // Trino decides whether a run spills (all three did on most runs of this test, two on one): the evidence counts those it reported
        long spilled = rows.count("SELECT count(*) FROM query_logs WHERE query_id = ANY(?) AND spilled_bytes > 0",
                (Object) patternOf.entrySet().stream().filter(entry -> entry.getValue().equals("spilling")).map(Map.Entry::getKey).toArray(String[]::new));
        assertThat(spilled).as("runs that spilled").isPositive();
        assertThat((Long) spill.evidence().get("spilling_runs")).isEqualTo(spilled);
        assertThat((Double) spill.evidence().get("peak_memory_bytes")).isPositive();
        assertThat(spill.estimate().bytesSavedPerDay()).isPositive();
    }

    @Test
    void aMonthlyPartitionReadByTheDayEvolvesToDaysAndADailyOneStays()
    {
        Recommendation granularity = only("partition-granularity");
        assertThat(granularity.target()).isEqualTo("iceberg.demo.monthly");
        assertThat(granularity.fix()).isInstanceOfSatisfying(PartitionSpec.class, spec -> {
            assertThat(spec.from()).containsExactly("month(ts)");
            assertThat(spec.to()).containsExactly("day(ts)");
            assertThat(spec.rewrite()).isNotNull();
        });
        assertThat(granularity.estimate().filesPerQueryAfter()).isLessThan(granularity.estimate().filesPerQueryBefore());
        assertThat(recommendations).noneMatch(each -> each.target().equals("iceberg.demo.daily") && each.ruleId().startsWith("partition"));
    }

    @Test
    void aPatternFailingOnTheTimeLimit()
    {
        Recommendation failures = only("resource-limit-failures");
        assertThat(failures.evidence()).containsEntry("failures", 2L).containsEntry("error", "EXCEEDED_TIME_LIMIT");
        assertThat(failures.level()).isEqualTo(Level.L1);
    }

    @Test
    void aQueryRunningFarPastItsPatternsP95IsAnAlertWithItsIdAndUser()
    {
        Recommendation alert = only("hung-queries");
        assertThat(alert.target()).isEqualTo(patternOf("triple"));
        List<?> ids = (List<?>) alert.evidence().get("query_ids");
        assertThat(ids).hasSize(1);
        assertThat(rows.query("SELECT query_id FROM query_logs WHERE query_id = ?", ids.getFirst())).as("not completed").isEmpty();
        assertThat(alert.evidence().get("users")).isEqualTo(List.of("user"));
        assertThat(alert.explanation()).as("one query, said so").startsWith("1 query of '").contains("(user user) has been running for up to");
        assertThat(alert.fix()).isEqualTo(new KillQueries(List.of((String) ids.getFirst())));
        assertThat(alert.fix().render()).contains("CALL system.runtime.kill_query(query_id => '" + ids.getFirst() + "'");
        assertThat(meters.get("icetune.queries.hung").gauge().value()).as("the alert's gauge").isEqualTo(1);
    }

    @Test
    void aTableOnlyItsLoadsReadHasItsDeleteFilesValuedOnTheirReads()
    {
        Recommendation deletes = only("delete-file-buildup");
        assertThat(deletes.target()).isEqualTo("iceberg.demo.upserted");
        assertThat(deletes.estimate().isKnown()).as("the reads of its MERGEs and DELETEs: " + deletes.estimate()).isTrue();
        assertThat(deletes.estimate().queriesPerDay()).as("16 loads in the hour, 24 hours").isEqualTo(16 * 24);
        assertThat(deletes.estimate().filesPerQueryAfter()).isLessThan(deletes.estimate().filesPerQueryBefore());
    }

    @Test
    void aClusterWhoseQueriesDoNotQueueGetsNoLevel4()
    {
        assertThat(recommendations).noneMatch(each -> each.level() == Level.L4);
    }

    private Recommendation only(String rule)
    {
        List<Recommendation> found = recommendations.stream().filter(each -> each.ruleId().equals(rule)).toList();
        assertThat(found).as(rule + " among " + recommendations.stream().map(each -> each.ruleId() + ":" + each.target()).toList()).hasSize(1);
        return found.getFirst();
    }

    private String patternOf(String name)
    {
        return patternOf.entrySet().stream().filter(entry -> entry.getValue().equals(name)).map(entry -> rows.awaitQuery(entry.getKey()).get("query_pattern_hash"))
                .map(String::valueOf).findFirst().orElseThrow();
    }

    private void run(String name, String sql)
    {
        patternOf.put(trino.run(sql), name);
    }
}
