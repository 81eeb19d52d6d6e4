package dev.icetune.fixes;

import dev.icetune.testing.CapturedRows;
import dev.icetune.testing.IcebergTrino;
import dev.icetune.testing.LocalIcebergCatalog;
import dev.icetune.testing.TestingPostgres;
import dev.icetune.engine.model.*;
import dev.icetune.engine.iceberg.TableMetadataReader;
import dev.icetune.engine.store.Approvals;
import dev.icetune.engine.store.RecommendationStore;
import dev.icetune.store.Database;
import io.trino.spi.eventlistener.EventListener;
import org.apache.iceberg.Table;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.airlift.testing.Closeables.closeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Approved fixes change a real Iceberg table (made and read by a real Trino) through the Iceberg API, audited, and roll back. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestApplyIcebergFixes
{
    @TempDir
    static Path temporary;

    private IcebergTrino trino;
    private TableMetadataReader iceberg;
    private RecommendationStore store;
    private FixApplier applier;
    private Jdbi jdbi;
    private CapturedRows rows;
    private String storeUrl;

    @BeforeAll
    void start()
            throws Exception
    {
        TestingPostgres postgres = TestingPostgres.shared();
        String catalogUrl = postgres.createDatabase("apply_catalog");
        Path warehouse = temporary.resolve("warehouse");
        trino = IcebergTrino.start(new EventListener() {}, catalogUrl, warehouse);
        for (String table : List.of("partition_me", "bloom_me", "bloom_off", "sort_me", "expire_me", "busy", "contended")) {
            trino.execute("CREATE TABLE " + table + " (ts timestamp(6), user_id bigint)");
            for (int day = 1; day <= 3; day++) {
                trino.execute("INSERT INTO " + table + " VALUES (TIMESTAMP '2024-01-0" + day + " 10:00:00', " + day + ")");
            }
        }
        // a time column named with a space: Trino's partitioning property quotes it, the Iceberg API takes it bare
        trino.execute("CREATE TABLE odd_me (\"event time\" timestamp(6), user_id bigint)");
        trino.execute("INSERT INTO odd_me VALUES (TIMESTAMP '2024-01-01 10:00:00', 1)");
        iceberg = new TableMetadataReader(LocalIcebergCatalog.TRINO_CATALOG, LocalIcebergCatalog.NAME, LocalIcebergCatalog.icebergProperties(catalogUrl, warehouse));
        // a bloom filter turned off by its property (as Spark or the Iceberg API may set it; Trino only lists the columns that have one)
        table("bloom_off").updateProperties().set("write.parquet.bloom-filter-enabled.column.user_id", "false").commit();
        String url = postgres.createDatabase("apply_store");
        storeUrl = url;
        Database.of(url, "postgres", "icetune-test").migrate();
        jdbi = Jdbi.create(url, "postgres", "");
        rows = new CapturedRows(url);
        store = new RecommendationStore(jdbi, Approvals.parse("alice", ""));
        applier = new FixApplier(jdbi, store, iceberg, Optional.empty());
        store.record(List.of(
                recommendation("missing-partition-pruning", "iceberg.demo.partition_me", new PartitionSpec("iceberg.demo.partition_me", List.of(), List.of("day(ts)"), null)),
                recommendation("bloom-filter", "iceberg.demo.bloom_me.user_id",
                        new BloomFilters("iceberg.demo.bloom_me", List.of(), List.of("user_id"), null)),
                recommendation("bloom-filter", "iceberg.demo.bloom_off.user_id",
                        new BloomFilters("iceberg.demo.bloom_off", List.of(), List.of("user_id"), null)),
                recommendation("inefficient-layout", "iceberg.demo.sort_me", new SortOrder("iceberg.demo.sort_me", List.of("user_id"), null)),
                recommendation("snapshot-buildup", "iceberg.demo.expire_me", new ExpireSnapshots("iceberg.demo.expire_me", 0)),
                recommendation("small-files", "iceberg.demo.busy", new PartitionSpec("iceberg.demo.busy", List.of(), List.of("day(ts)"), null)),
                recommendation("bloom-filter", "iceberg.demo.contended.user_id",
                        new BloomFilters("iceberg.demo.contended", List.of(), List.of("user_id"), null)),
                recommendation("partition-granularity", "iceberg.demo.odd_me",
                        PartitionSpec.adding("iceberg.demo.odd_me", List.of(), PartitionSpec.field("day", "event time"), null)),
                recommendation("non-sargable-predicate", "abc123", new QueryRewrite("SELECT 1 FROM events WHERE ts >= TIMESTAMP '2024-01-15 00:00:00'"))),
                Instant.now(), 3);
    }

    @AfterAll
    void stop()
            throws Exception
    {
        closeAll(trino, iceberg);
    }

    @Test
    void partitionSpecEvolutionDryRunApplyAgainAndRollback()
    {
        long id = id("missing-partition-pruning");
        assertThatThrownBy(() -> applier.apply(id, "alice", false)).hasMessage("recommendation " + id + " is open: only an approved one can be applied");
        store.approve(id, "alice", "go");
        long snapshot = table("partition_me").currentSnapshot().snapshotId();

        FixApplier.Outcome dryRun = applier.apply(id, "alice", true);
        assertThat(dryRun.result()).isEqualTo(FixAudit.Result.PLANNED);
        assertThat(dryRun.change()).isEqualTo("table.updateSpec().addField(day(ts)).commit()  [metadata only]");
        assertThat(table("partition_me").spec().isUnpartitioned()).as("a dry run changes nothing").isTrue();
        assertThat(table("partition_me").currentSnapshot().snapshotId()).isEqualTo(snapshot);

        assertThat(applier.apply(id, "alice", false).result()).isEqualTo(FixAudit.Result.APPLIED);
        assertThat(table("partition_me").spec().fields()).singleElement().satisfies(field -> assertThat(field.transform().toString()).isEqualTo("day"));
        assertThat((String) trino.execute("SHOW CREATE TABLE partition_me").getOnlyValue()).contains("partitioning = ARRAY['day(ts)']");
        assertThat(store.find(id).orElseThrow().status()).isEqualTo(Status.APPLIED);
        Map<String, Object> audit = rows.query("SELECT * FROM fix_audit WHERE recommendation_id = ? AND action = 'apply'", id).getFirst();
        assertThat(audit).containsEntry("result", "applied").containsEntry("actor", "alice").containsEntry("approved_by", "alice");
        assertThat(audit.get("state_before").toString()).contains("\"partitioning\": []");
        assertThat(audit.get("state_after").toString()).contains("\"partitioning\": [\"day(ts)\"]");

        assertThat(applier.apply(id, "alice", false).result()).as("applying again is a no-op").isEqualTo(FixAudit.Result.NO_OP);
        assertThat(table("partition_me").spec().fields()).hasSize(1);

        FixApplier.Outcome rollback = applier.rollback(id, "alice");
        assertThat(rollback.result()).isEqualTo(FixAudit.Result.ROLLED_BACK);
        assertThat(rollback.message()).as("a fix without a rewrite has none to say is not undone").isNull();
        assertThat(table("partition_me").spec().fields()).noneMatch(field -> field.transform().toString().equals("day"));
        assertThat(store.find(id).orElseThrow().status()).isEqualTo(Status.OPEN);
    }

    @Test
    void aPartitionFieldOnAColumnNamedWithASpaceIsQuotedForTrinoAndBareForIceberg()
    {
        long id = id("partition-granularity");
        assertThat(store.find(id).orElseThrow().proposedFix()).contains("partitioning = ARRAY['day(\"event time\")']");
        store.approve(id, "alice", null);
        assertThat(applier.apply(id, "alice", false).result()).isEqualTo(FixAudit.Result.APPLIED);
        assertThat(table("odd_me").spec().fields()).singleElement().satisfies(field -> {
            assertThat(field.transform().toString()).isEqualTo("day");
            assertThat(table("odd_me").schema().findColumnName(field.sourceId())).isEqualTo("event time");
        });
        assertThat((String) trino.execute("SHOW CREATE TABLE odd_me").getOnlyValue()).contains("partitioning = ARRAY['day(\"event time\")']");
        assertThat(applier.apply(id, "alice", false).result()).as("the table's spec read back in Trino's syntax: applied already").isEqualTo(FixAudit.Result.NO_OP);

        assertThat(applier.rollback(id, "alice").result()).isEqualTo(FixAudit.Result.ROLLED_BACK);
        assertThat(table("odd_me").spec().fields()).noneMatch(field -> field.transform().toString().equals("day"));
    }

    @Test
    void bloomFilterPropertyAndItsRollback()
    {
        long id = id("bloom-filter", "iceberg.demo.bloom_me.user_id");
        store.approve(id, "alice", null);
        assertDryRunChangesNothing(id, "bloom_me");
        applier.apply(id, "alice", false);
        assertThat(table("bloom_me").properties()).containsEntry("write.parquet.bloom-filter-enabled.column.user_id", "true");
        assertThat((String) trino.execute("SHOW CREATE TABLE bloom_me").getOnlyValue()).contains("parquet_bloom_filter_columns = ARRAY['user_id']");

        applier.rollback(id, "alice");
        assertThat(table("bloom_me").properties()).doesNotContainKey("write.parquet.bloom-filter-enabled.column.user_id");
    }

    @Test
    void aBloomFilterTurnedOffBeforeIsTurnedOffAgainByTheRollback()
    {
        long id = id("bloom-filter", "iceberg.demo.bloom_off.user_id");
        store.approve(id, "alice", null);
        assertThat(applier.apply(id, "alice", false).result()).isEqualTo(FixAudit.Result.APPLIED);
        assertThat(table("bloom_off").properties()).containsEntry("write.parquet.bloom-filter-enabled.column.user_id", "true");

        assertThat(applier.rollback(id, "alice").result()).isEqualTo(FixAudit.Result.ROLLED_BACK);
        assertThat(table("bloom_off").properties()).containsEntry("write.parquet.bloom-filter-enabled.column.user_id", "false");
    }

    @Test
    void sortOrder()
    {
        long id = id("inefficient-layout");
        store.approve(id, "alice", null);
        assertDryRunChangesNothing(id, "sort_me");
        applier.apply(id, "alice", false);
        assertThat(table("sort_me").sortOrder().fields()).singleElement()
                .satisfies(field -> assertThat(table("sort_me").schema().findColumnName(field.sourceId())).isEqualTo("user_id"));
        assertThat((String) trino.execute("SHOW CREATE TABLE sort_me").getOnlyValue()).contains("sorted_by = ARRAY['user_id ASC NULLS FIRST']");
    }

    @Test
    void snapshotExpiryCannotBeRolledBackAndSaysSo()
    {
        long id = id("snapshot-buildup");
        store.approve(id, "alice", null);
        assertThat(table("expire_me").snapshots()).hasSizeGreaterThan(1);
        assertDryRunChangesNothing(id, "expire_me");
        assertThat(table("expire_me").snapshots()).hasSizeGreaterThan(1);
        applier.apply(id, "alice", false);
        assertThat(table("expire_me").snapshots()).hasSize(1);
        assertThat(trino.execute("SELECT count(*) FROM expire_me").getOnlyValue()).isEqualTo(3L);

        FixApplier.Outcome rollback = applier.rollback(id, "alice");
        assertThat(rollback.result()).isEqualTo(FixAudit.Result.NOT_POSSIBLE);
        assertThat(rollback.message()).contains("cannot be restored");
    }

    @Test
    void oneFixPerTableAtATime()
    {
        long id = id("small-files");
        store.approve(id, "alice", null);
        // another process (another session) applying a fix to the same table holds its lock
        try (java.sql.Connection other = java.sql.DriverManager.getConnection(storeUrl, "postgres", "");
                java.sql.Statement statement = other.createStatement()) {
            statement.execute("SELECT pg_advisory_lock(hashtext('icetune-fix:' || 'iceberg.demo.busy'))");
            assertThatThrownBy(() -> applier.apply(id, "alice", false)).hasMessage("another fix is being applied to iceberg.demo.busy; try again when it is done");
            assertThat(store.find(id).orElseThrow().status()).isEqualTo(Status.APPROVED);
        }
        catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        assertThat(applier.apply(id, "alice", false).result()).isEqualTo(FixAudit.Result.APPLIED);
    }

    @Test
    void aFixCommitsWhileTrinoKeepsWritingToTheTable()
            throws Exception
    {
        long id = id("bloom-filter", "iceberg.demo.contended.user_id");
        store.approve(id, "alice", null);
        // a concurrent writer commits snapshots while the fix commits its metadata change: Iceberg retries the loser on fresh metadata
        java.util.concurrent.ExecutorService writer = java.util.concurrent.Executors.newSingleThreadExecutor();
        java.util.concurrent.Future<?> writes = writer.submit(() -> {
            for (int i = 0; i < 15; i++) {
                trino.execute("INSERT INTO contended VALUES (TIMESTAMP '2024-02-01 10:00:00', " + (100 + i) + ")");
            }
        });
        try {
            for (int attempt = 0; attempt < 5 && !writes.isDone(); attempt++) {
                Thread.sleep(200);
            }
            assertThat(applier.apply(id, "alice", false).result()).isEqualTo(FixAudit.Result.APPLIED);
            writes.get();
        }
        finally {
            writer.shutdownNow();
        }
        assertThat(table("contended").properties()).containsEntry("write.parquet.bloom-filter-enabled.column.user_id", "true");
        assertThat(trino.execute("SELECT count(*) FROM contended").getOnlyValue()).as("no write lost").isEqualTo(18L);
    }

    @Test
    void queryRewritesAreNeverApplied()
    {
        long id = id("non-sargable-predicate");
        store.approve(id, "alice", null);
        assertThatThrownBy(() -> applier.apply(id, "alice", false)).hasMessageContaining("never applied").hasMessageContaining("SELECT 1 FROM events");
    }

    /** A dry run plans the change and leaves the table as it was: same snapshot, spec, sort order and properties. */
    private void assertDryRunChangesNothing(long id, String name)
    {
        Table before = table(name);
        FixApplier.Outcome outcome = applier.apply(id, "alice", true);
        assertThat(outcome.result()).isEqualTo(FixAudit.Result.PLANNED);
        Table after = table(name);
        assertThat(after.currentSnapshot().snapshotId()).isEqualTo(before.currentSnapshot().snapshotId());
        assertThat(after.spec()).isEqualTo(before.spec());
        assertThat(after.sortOrder()).isEqualTo(before.sortOrder());
        assertThat(after.properties()).isEqualTo(before.properties());
        assertThat(store.find(id).orElseThrow().status()).isEqualTo(Status.APPROVED);
    }

    private Table table(String name)
    {
        return iceberg.load("iceberg.demo." + name).orElseThrow();
    }

    private long id(String rule)
    {
        return store.list(Optional.empty()).stream().filter(each -> each.ruleId().equals(rule)).findFirst().orElseThrow().id();
    }

    private long id(String rule, String target)
    {
        return store.list(Optional.empty()).stream().filter(each -> each.ruleId().equals(rule) && each.target().equals(target)).findFirst().orElseThrow().id();
    }

    private static Recommendation recommendation(String rule, String target, Fix fix)
    {
        return new Recommendation(rule, TargetType.TABLE, target, Severity.MEDIUM, Level.L1, Map.of(), "test", fix);
    }

}
