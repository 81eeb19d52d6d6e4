package dev.icetune.engine;

import dev.icetune.engine.model.Advice;
import dev.icetune.engine.model.Analyze;
import dev.icetune.engine.model.ApplyOrder;
import dev.icetune.engine.model.Benefit;
import dev.icetune.engine.model.BloomFilters;
import dev.icetune.engine.model.Compact;
import dev.icetune.engine.model.ExpireSnapshots;
import dev.icetune.engine.model.Fix;
import dev.icetune.engine.model.FixJson;
import dev.icetune.engine.model.FixKind;
import dev.icetune.engine.model.KillQueries;
import dev.icetune.engine.model.MaterializedView;
import dev.icetune.engine.model.PartitionSpec;
import dev.icetune.engine.model.QueryRewrite;
import dev.icetune.engine.model.Rewrite;
import dev.icetune.engine.model.SortOrder;
import dev.icetune.engine.model.Sql;
import dev.icetune.engine.model.Status;
import dev.icetune.engine.model.TimeGrain;
import dev.icetune.engine.model.TrinoStatements;
import dev.icetune.engine.store.RecommendationStore;
import dev.icetune.store.Database;
import dev.icetune.testing.TestingPostgres;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Typed fixes: each renders the statements it stands for, round-trips through JSON, and old rows stay readable. */
class TestFixes
{
    private static final String EVENTS = "iceberg.demo.events";
    private static final List<Fix> ONE_OF_EACH = List.of(
            PartitionSpec.adding(EVENTS, List.of(), "day(ts)", new Rewrite(200L << 20)),
            new SortOrder(EVENTS, List.of("user_id"), null),
            BloomFilters.adding(EVENTS, List.of("session_id"), "user_id", new Rewrite(128L << 20)),
            new Compact(EVENTS, 128L << 20),
            new TrinoStatements(EVENTS, List.of("SELECT 1")),
            new Analyze(EVENTS),
            new ExpireSnapshots(EVENTS, 168),
            new MaterializedView("iceberg.demo.mv_events", EVENTS, "SELECT count(*) FROM events", 60),
            new QueryRewrite("SELECT 1 FROM events WHERE ts >= TIMESTAMP '2024-01-15 00:00:00'", Benefit.BARE_COLUMN),
            new KillQueries(List.of("20261202_050000_00001_abcde")),
            new Advice("add workers"));

    @Test
    void oneRecordPerKindAndEachSurvivesJson()
    {
        assertThat(ONE_OF_EACH).extracting(Fix::kind).containsExactlyInAnyOrder(FixKind.values());
        for (Fix fix : ONE_OF_EACH) {
            String json = FixJson.write(fix);
            // the tag the store selects a kind's rows by (fix ->> 'kind')
            assertThat(json).as(fix.kind().name()).contains("\"kind\":\"" + FixJson.tag(fix.kind()) + "\"");
            assertThat(FixJson.read(json)).isEqualTo(fix);
        }
    }

    @Test
    void theTextIsWhatRunsAndQuotesEveryIdentifier()
    {
        assertThat(ONE_OF_EACH.getFirst().statements()).containsExactly(
                "ALTER TABLE \"iceberg\".\"demo\".\"events\" SET PROPERTIES partitioning = ARRAY['day(ts)']",
                "ALTER TABLE \"iceberg\".\"demo\".\"events\" EXECUTE optimize(file_size_threshold => '200MB')");
        assertThat(ONE_OF_EACH.get(2).render()).startsWith("ALTER TABLE \"iceberg\".\"demo\".\"events\" SET PROPERTIES parquet_bloom_filter_columns = ARRAY['session_id', 'user_id'];\n");
        assertThat(new Analyze("iceberg.demo.evil\"; drop table x; --").render()).isEqualTo("ANALYZE \"iceberg\".\"demo\".\"evil\"\"; drop table x; --\"");
        assertThat(new Advice("add workers").render()).isEqualTo("add workers");
        assertThat(new KillQueries(List.of("q'1", "q2")).statements()).containsExactly(
                "CALL system.runtime.kill_query(query_id => 'q''1', message => 'icetune: running far past its pattern''s p95')",
                "CALL system.runtime.kill_query(query_id => 'q2', message => 'icetune: running far past its pattern''s p95')");
        assertThat(Rewrite.allFiles(300L << 20, 128L << 20).fileSizeThresholdBytes()).as("above the largest file").isEqualTo(301L << 20);
        assertThat(Rewrite.allFiles(3000, 128L << 20).fileSizeThresholdBytes()).isEqualTo(128L << 20);
    }

    @Test
    void recordsCheckThemselves()
    {
        assertThatThrownBy(() -> new PartitionSpec(EVENTS, List.of(), List.of("day(ts); DROP"), null)).hasMessageContaining("not a partition field");
        assertThatThrownBy(() -> new PartitionSpec(EVENTS, List.of("day(ts)"), List.of("day(ts)"), null)).hasMessageContaining("must change something");
        assertThatThrownBy(() -> new SortOrder(EVENTS, List.of(), null)).hasMessageContaining("at least one column");
        assertThatThrownBy(() -> new Compact(EVENTS, 10)).hasMessageContaining("at least 1MB");
        assertThatThrownBy(() -> new MaterializedView("v", EVENTS, "SELECT 1", 0)).hasMessageContaining("refreshMinutes");
        assertThatThrownBy(() -> new KillQueries(List.of())).hasMessageContaining("no query to end");
    }

    @Test
    void aPartitionFieldQuotesAColumnThatIsNoPlainIdentifierAsTrinoDoes()
    {
        assertThat(PartitionSpec.field("day", "ts")).isEqualTo("day(ts)");
        assertThat(PartitionSpec.field("day", "event time")).isEqualTo("day(\"event time\")");
        assertThat(PartitionSpec.field("month", "zeitstempel_ä")).isEqualTo("month(\"zeitstempel_ä\")");
        assertThat(PartitionSpec.field("day", "a\"b")).isEqualTo("day(\"a\"\"b\")");
        assertThat(Sql.propertyColumnName("\"a\"\"b\"")).isEqualTo("a\"b");
        assertThat(PartitionSpec.adding(EVENTS, List.of(), PartitionSpec.field("day", "event time"), null).layoutStatement())
                .isEqualTo("ALTER TABLE \"iceberg\".\"demo\".\"events\" SET PROPERTIES partitioning = ARRAY['day(\"event time\")']");
        assertThatThrownBy(() -> PartitionSpec.adding(EVENTS, List.of(), "day(event time)", null)).hasMessageContaining("not a partition field");
        assertThat(new SortOrder(EVENTS, List.of("event time", "user_id"), null).layoutStatement()).endsWith("sorted_by = ARRAY['\"event time\"', 'user_id']");
    }

    /**
     * A coarser field, by time or by value, serves every scan of the table, which is how it is valued and measured; a finer or a
     * new one serves ranges.
     */
    @Test
    void aCoarserFieldOnTheSameColumnIsACoarsening()
    {
        assertThat(PartitionSpec.replacing(EVENTS, List.of("region", "day(\"event time\")"), "day(\"event time\")", "month(\"event time\")", null).coarsening())
                .contains(new PartitionSpec.Coarsening("event time", "day(\"event time\")", Optional.of("month(\"event time\")")));
        assertThat(PartitionSpec.bucketing(EVENTS, List.of("\"sales region\""), "\"sales region\"", 4, null))
                .satisfies(spec -> assertThat(spec.to()).containsExactly("bucket(\"sales region\", 4)"))
                .extracting(PartitionSpec::coarsening).isEqualTo(Optional.of(new PartitionSpec.Coarsening("sales region", "\"sales region\"", Optional.of("bucket(\"sales region\", 4)"))));
        assertThat(PartitionSpec.bucketing(EVENTS, List.of("bucket(id, 64)", "day(ts)"), "bucket(id, 64)", 1, null))
                .satisfies(spec -> assertThat(spec.to()).containsExactly("day(ts)"))
                .extracting(spec -> spec.coarsening().map(c -> c.partitionsAfter(64))).isEqualTo(Optional.of(1.0));
        assertThat(PartitionSpec.bucketing(EVENTS, List.of("bucket(id, 64)"), "bucket(id, 64)", 8, null).coarsening().map(c -> c.partitionsAfter(64))).contains(8.0);
        assertThat(PartitionSpec.bucketing(EVENTS, List.of("region"), "region", 1, null).description()).isEqualTo("leave iceberg.demo.events unpartitioned (was region)");
        assertThat(PartitionSpec.replacing(EVENTS, List.of("bucket(id, 8)"), "bucket(id, 8)", "bucket(id, 64)", null).coarsening()).as("more buckets").isEmpty();
        assertThat(PartitionSpec.replacing(EVENTS, List.of("region"), "region", "bucket(id, 8)", null).coarsening()).as("another column").isEmpty();
        assertThat(PartitionSpec.bucketing(EVENTS, List.of("truncate(name, 4)"), "truncate(name, 4)", 2, null).coarsening()).as("truncated values into buckets").isPresent();
        assertThat(new PartitionSpec(EVENTS, List.of("void(region)"), List.of(), null).coarsening()).as("a field of another form").isEmpty();
        assertThatThrownBy(() -> PartitionSpec.bucketing(EVENTS, List.of("day(ts)"), "day(ts)", 4, null)).hasMessageContaining("not a value partition field");
        assertThat(PartitionSpec.replacing(EVENTS, List.of("month(ts)"), "month(ts)", "day(ts)", null).coarsening()).as("finer").isEmpty();
        assertThat(PartitionSpec.replacing(EVENTS, List.of("month(ts)"), "month(ts)", "year(created)", null).coarsening()).as("another column").isEmpty();
        assertThat(PartitionSpec.adding(EVENTS, List.of(), "day(ts)", null).coarsening()).as("nothing replaced").isEmpty();
    }

    @Test
    void aMaterializedViewIsNamedBesideItsTableWhateverDotsTheNamesHold()
    {
        assertThat(MaterializedView.nameFor(EVENTS, "0123456789abcdef")).isEqualTo("iceberg.demo.mv_events_01234567");
        String view = MaterializedView.nameFor("iceberg.\"eu.sales\".\"orders.v2\"", "0123456789abcdef");
        assertThat(view).isEqualTo("iceberg.\"eu.sales\".\"mv_orders.v2_01234567\"");
        assertThat(new MaterializedView(view, "iceberg.\"eu.sales\".\"orders.v2\"", "SELECT 1", 60).statements().getLast())
                .isEqualTo("REFRESH MATERIALIZED VIEW \"iceberg\".\"eu.sales\".\"mv_orders.v2_01234567\"");
    }

    /** Trino refuses a view with a column it does not name (a dashboard's count(*)) or names twice: they get the names Trino shows. */
    @Test
    void aMaterializedViewNamesTheColumnsItsQueryLeavesUnnamedOrNamesTwice()
    {
        MaterializedView view = new MaterializedView("iceberg.demo.mv_events", EVENTS, "SELECT status, count(*) FROM events GROUP BY 1", 60);
        assertThat(view.statements(List.of("status", "_col1")).getFirst())
                .isEqualTo("CREATE MATERIALIZED VIEW IF NOT EXISTS \"iceberg\".\"demo\".\"mv_events\" GRACE PERIOD INTERVAL '60' MINUTE AS "
                        + "SELECT * FROM (SELECT status, count(*) FROM events GROUP BY 1) AS q (\"status\", \"_col1\")");
        assertThat(view.statements(List.of("id", "ID")).getFirst()).endsWith("AS q (\"id\", \"ID_2\")");
        assertThat(view.statements(List.of("status", "events"))).as("named once each: as written").isEqualTo(view.statements());
    }

    @Test
    void fixesApplyLayoutFirstThenRewriteThenStatisticsThenCleanup()
    {
        List<Fix> shuffled = List.of(ONE_OF_EACH.get(7), ONE_OF_EACH.get(6), ONE_OF_EACH.get(5), ONE_OF_EACH.get(3), ONE_OF_EACH.get(2), ONE_OF_EACH.getFirst());
        assertThat(ApplyOrder.sort(shuffled, fix -> fix)).extracting(Fix::kind)
                .containsExactly(FixKind.PARTITION_SPEC, FixKind.BLOOM_FILTERS, FixKind.COMPACT, FixKind.ANALYZE, FixKind.EXPIRE_SNAPSHOTS, FixKind.MATERIALIZED_VIEW);
    }

    @Test
    void theTransitionTableAllowsOnlyTheLifecycle()
    {
        assertThat(Status.OPEN.canBecome(Status.APPROVED)).isTrue();
        assertThat(Status.OPEN.canBecome(Status.APPLIED)).as("never applied without approval").isFalse();
        assertThat(Status.REJECTED.successors()).as("a person may take back a rejection").containsExactly(Status.OPEN);
        assertThat(Status.SUPERSEDED.successors()).isEmpty();
        assertThat(Status.REGRESSED.canBecome(Status.OPEN)).as("a regressed fix can be rolled back").isTrue();
        assertThat(Arrays.stream(Status.values()).map(Status::value).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("open", "approved", "rejected", "applied", "verified", "regressed", "resolved", "superseded");
    }

    /** Rows a previous version stored, with fixes as maps of a string kind, read as typed fixes after the migration. */
    @Test
    void fixesStoredBeforeTheyWereTypedAreReadable()
    {
        String url = TestingPostgres.shared().createDatabase("typed_fixes");
        TestingPostgres.execute(url, "CREATE TABLE marker (x int)"); // an existing database: migrations baseline at 0 and run on top
        Database database = Database.of(url, "postgres", "icetune-test");
        org.flywaydb.core.Flyway.configure().dataSource(url, "postgres", "").locations("classpath:dev/icetune/store/migrations")
                .table("icetune_schema_history").baselineOnMigrate(true).baselineVersion("0").target("3").load().migrate();
        String[] old = {
                "{\"kind\": \"iceberg-partition\", \"table\": \"iceberg.demo.events\", \"transform\": \"day\", \"column\": \"ts\"}",
                "{\"kind\": \"iceberg-sort-order\", \"table\": \"iceberg.demo.events\", \"columns\": [\"user_id\"]}",
                "{\"kind\": \"iceberg-property\", \"table\": \"iceberg.demo.events\", \"name\": \"write.parquet.bloom-filter-enabled.column.user_id\", \"value\": \"true\"}",
                "{\"kind\": \"iceberg-expire-snapshots\", \"table\": \"iceberg.demo.events\", \"retain_hours\": 168}",
                "{\"kind\": \"trino\", \"table\": \"iceberg.demo.events\", \"statements\": [\"ANALYZE \\\"iceberg\\\".\\\"demo\\\".\\\"events\\\"\"]}",
                "{\"kind\": \"query-rewrite\", \"sql\": \"SELECT 1\"}",
                "{\"kind\": \"text\", \"advice\": \"salt the key\"}"};
        for (int i = 0; i < old.length; i++) {
            TestingPostgres.execute(url, ("INSERT INTO recommendations (dedupe_key, rule_id, target_type, target, severity, level, status, explanation, proposed_fix, fix, "
                    + "evidence, first_seen, last_seen, updated_at) VALUES ('r%d', 'rule', 'TABLE', 't', 'LOW', 'L1', 'open', 'e', 'f', '%s', '{}', now(), now(), now())")
                    .formatted(i, old[i].replace("'", "''")));
        }
        database.migrate();

        List<Fix> read = new RecommendationStore(database.jdbi()).list(Optional.empty()).stream().map(RecommendationStore.Stored::fix).toList();
        assertThat(read).containsExactlyInAnyOrder(
                new PartitionSpec(EVENTS, List.of(), List.of("day(ts)"), null),
                new SortOrder(EVENTS, List.of("user_id"), null),
                new BloomFilters(EVENTS, List.of(), List.of("user_id"), null),
                new ExpireSnapshots(EVENTS, 168),
                new TrinoStatements(EVENTS, List.of("ANALYZE \"iceberg\".\"demo\".\"events\"")),
                new QueryRewrite("SELECT 1"),
                new Advice("salt the key"));
    }
}
