package dev.icetune.fixes;

import dev.icetune.testing.CapturedRows;
import dev.icetune.testing.IcebergTrino;
import dev.icetune.listener.IcetuneEventListenerFactory;
import dev.icetune.testing.LocalIcebergCatalog;
import dev.icetune.testing.PostgresServer;
import dev.icetune.testing.TestingPostgres;
import dev.icetune.engine.model.*;
import dev.icetune.engine.TrinoConnections;
import dev.icetune.engine.facts.TableFact;
import dev.icetune.engine.facts.Thresholds;
import dev.icetune.engine.iceberg.LocalFileIO;
import dev.icetune.engine.iceberg.TableMetadataReader;
import dev.icetune.engine.iceberg.TrinoCatalog;
import dev.icetune.engine.rules.RuleBook;
import dev.icetune.engine.store.Approvals;
import dev.icetune.engine.store.RecommendationStore;
import dev.icetune.store.Database;
import io.trino.jdbc.TrinoDriver;
import io.trino.spi.eventlistener.EventListener;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileMetadata;
import org.apache.iceberg.Table;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static io.airlift.testing.Closeables.closeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Trino statements as fixes, through the Trino JDBC driver against a real Trino, and their measured effect. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestApplyTrinoFixes
{
    private static final String EVIL = "evil\"; drop table victims; --";

    @TempDir
    static Path temporary;

    private EventListener listener;
    private IcebergTrino trino;
    private TableMetadataReader iceberg;
    private RecommendationStore store;
    private FixApplier applier;
    private Jdbi jdbi;
    private CapturedRows rows;
    private TrinoConnections connections;
    /** The root of the iceberg_files catalog's storage. */
    private Path files;

    @BeforeAll
    void start()
            throws Exception
    {
        TestingPostgres postgres = TestingPostgres.shared();
        String url = postgres.createDatabase("trino_fixes");
        String catalogUrl = postgres.createDatabase("trino_fixes_catalog");
        Path warehouse = temporary.resolve("warehouse");
        listener = new IcetuneEventListenerFactory().create(Map.of("icetune.db.url", url, "icetune.db.user", "postgres",
                "icetune.spool.dir", temporary.resolve("spool").toString()), null);
        trino = IcebergTrino.start(listener, catalogUrl, warehouse);
        trino.execute("CREATE TABLE events (ts timestamp(6), user_id bigint)");
        for (int day = 1; day <= 20; day++) {
            trino.execute("INSERT INTO events VALUES (TIMESTAMP '2024-01-%02d 10:00:00', %d)".formatted(day, day));
        }
        trino.execute("CREATE TABLE stats_me AS SELECT * FROM events WITH NO DATA");
        trino.execute("INSERT INTO stats_me SELECT * FROM events");
        trino.execute("CREATE TABLE victims (x bigint)");
        trino.execute("CREATE TABLE lint_partitioned (ts timestamp(6), user_id bigint) WITH (partitioning = ARRAY['day(ts)'])");
        trino.execute("INSERT INTO lint_partitioned VALUES (TIMESTAMP '2024-01-01 10:00:00', 1), (TIMESTAMP '2024-01-02 10:00:00', 2)");
        trino.execute("CREATE TABLE lint_bucketed (id bigint, v bigint) WITH (partitioning = ARRAY['bucket(id, 4)'])");
        trino.execute("INSERT INTO lint_bucketed SELECT x, x FROM UNNEST(sequence(1, 100)) t(x)");
        // 120 files, one a partition: as many as like.min_table_files and more
        trino.execute("CREATE TABLE lint_wide (k integer, payload varchar) WITH (partitioning = ARRAY['k'])");
        trino.execute("INSERT INTO lint_wide SELECT x % 120, to_hex(md5(to_utf8(CAST(x AS varchar)))) FROM UNNEST(sequence(1, 1200)) t(x)");
        trino.execute("CREATE TABLE lint_me (ts timestamp(6), user_id bigint)");
        for (int day = 1; day <= 12; day++) {
            trino.execute("INSERT INTO lint_me VALUES (TIMESTAMP '2024-01-%02d 10:00:00', %d)".formatted(day, day));
        }
        // Trino's Iceberg JDBC catalog has no materialized views; its file metastore catalog has
        files = temporary.resolve("files");
        java.nio.file.Files.createDirectories(files.resolve("metastore"));
        trino.createCatalog("iceberg_files", "iceberg", Map.of("iceberg.catalog.type", "TESTING_FILE_METASTORE",
                "hive.metastore.catalog.dir", "local:///metastore", "fs.local.enabled", "true", "local.location", files.toString(),
                // the snapshots a test makes are seconds old; Trino expires none younger than this (7 days unless set)
                "iceberg.expire-snapshots.min-retention", "0s"));
        trino.execute("CREATE SCHEMA iceberg_files.demo");
        trino.execute("CREATE TABLE iceberg_files.demo.events AS SELECT * FROM iceberg.demo.events");
        // a table of that catalog alone: icetune's session (iceberg.demo) would not find it under its bare name
        trino.execute("CREATE TABLE iceberg_files.demo.visits AS SELECT * FROM iceberg.demo.events");
        trino.execute("CREATE TABLE " + Sql.identifier(EVIL) + " (x bigint)");
        trino.execute("INSERT INTO " + Sql.identifier(EVIL) + " VALUES 1");

        iceberg = new TableMetadataReader(LocalIcebergCatalog.TRINO_CATALOG, LocalIcebergCatalog.NAME, LocalIcebergCatalog.icebergProperties(catalogUrl, warehouse));
        Database.of(url, "postgres", "icetune-test").migrate();
        jdbi = Jdbi.create(url, "postgres", "");
        rows = new CapturedRows(url);
        store = new RecommendationStore(jdbi, Approvals.parse("alice", ""));
        connections = () -> new TrinoDriver().connect(trino.jdbcUrl(), userIcetune());
        applier = applierFor(iceberg);
        store.record(List.of(
                recommendation("small-files", "iceberg.demo.events", new Compact("iceberg.demo.events", 128L << 20)),
                recommendation("stale-statistics", "iceberg.demo.stats_me", new Analyze("iceberg.demo.stats_me")),
                // the dashboard's text as met from outside: its table unqualified as its session let it be ("Schema must be specified"),
                // its count(*) unnamed ("Column name not specified")
                recommendation("materialized-view", "hourly", new MaterializedView("iceberg_files.demo.mv_visits_hourly", "iceberg_files.demo.visits",
                        "SELECT date_trunc('hour', ts) AS hour, count(*) FROM visits GROUP BY 1", 60)),
                recommendation("materialized-view", "hourly-on-jdbc", new MaterializedView("iceberg.demo.mv_events_hourly", "iceberg.demo.events",
                        "SELECT count(*) AS events FROM iceberg.demo.events", 60)),
                recommendation("stale-statistics", "iceberg.demo." + EVIL, new Analyze("iceberg.demo." + EVIL))),
                Instant.now(), 3);
    }

    @AfterAll
    void stop()
            throws Exception
    {
        closeAll(trino, iceberg);
    }

    @Test
    void compactionRewritesTheSmallFilesAndTheWorkloadScansFewer()
    {
        List<String> before = workload();
        long id = id("small-files", "iceberg.demo.events");
        store.approve(id, "alice", "off-peak");
        long snapshot = table("events").currentSnapshot().snapshotId();

        FixApplier.Outcome dryRun = applier.apply(id, "alice", true);
        assertThat(dryRun.result()).isEqualTo(FixAudit.Result.PLANNED);
        assertThat(dryRun.change()).startsWith("ALTER TABLE \"iceberg\".\"demo\".\"events\" EXECUTE optimize(file_size_threshold => '128MB') WHERE \"$path\" IN (20 files)")
                .contains("piece 1 of 1").contains("[rewrites 20 files, ");
        assertThat(dryRun.message()).startsWith("1 step, rewriting ").endsWith("; nothing changed");
        assertThat(table("events").currentSnapshot().snapshotId()).as("a dry run changes nothing").isEqualTo(snapshot);

        assertThat(applier.apply(id, "alice", false).result()).isEqualTo(FixAudit.Result.APPLIED);
        assertThat(Long.parseLong(table("events").currentSnapshot().summary().get("total-data-files"))).as("20 small files compacted").isLessThanOrEqualTo(2);
        Map<String, Object> audit = rows.query("SELECT * FROM fix_audit WHERE recommendation_id = ? AND action = 'apply' AND step IS NULL", id).getFirst();
        assertThat(rows.query("SELECT step, steps, result FROM fix_audit WHERE recommendation_id = ? AND step IS NOT NULL", id))
                .as("each step audited").containsExactly(Map.of("step", 1, "steps", 1, "result", "applied"));
        assertThat(audit).containsEntry("result", "applied").containsEntry("approved_by", "alice").containsEntry("snapshot_before", snapshot);
        assertThat((Long) audit.get("snapshot_after")).isNotEqualTo(snapshot);
        assertThat(applier.apply(id, "alice", false).result()).as("applying again after success is a no-op").isEqualTo(FixAudit.Result.NO_OP);

        List<String> after = workload();
        assertThat(measure()).singleElement().satisfies(effect -> {
            assertThat(effect.verdict()).isEqualTo(Status.VERIFIED);
            assertThat(effect.figures()).containsEntry("queries_before", (long) before.size()).containsEntry("queries_after", (long) after.size())
                    .containsEntry("files_per_query_before", 19.5); // 20 files for user_id > 0, 19 for user_id > 1 (min/max)
            assertThat((Double) effect.figures().get("files_per_query_after")).isLessThanOrEqualTo(2.0);
        });
        assertThat(store.find(id).orElseThrow().status()).isEqualTo(Status.VERIFIED);
        assertThat(rows.query("SELECT * FROM fix_audit a JOIN recommendations r ON r.id = a.recommendation_id WHERE r.status = 'verified'")).isNotEmpty();
    }

    @Test
    void aCompactionAppliesTheDeletesOfAFileAloneInItsTableAndRemovesTheirFiles()
    {
        withADeletedRow("deleted_from");
        assertThat(summary("deleted_from", "total-data-files")).isEqualTo(1);
        assertThat(summary("deleted_from", "total-delete-files")).isEqualTo(1);
        // with every file taken as large (1 byte and over), the metadata counts the one the deletes apply to: the estimate's rewrite
        assertThat(iceberg.read("iceberg.demo.deleted_from", 1, Instant.now()).orElseThrow().largeFilesWithDeletes()).isEqualTo(1);
        workload("deleted_from", "id");

        long id = compaction("iceberg.demo.deleted_from");
        // met from outside: small-files proposed the same compaction of a CDC table beside delete-file-buildup, and stayed open after it
        long sameCompaction = recorded("small-files", "iceberg.demo.deleted_from", new Compact("iceberg.demo.deleted_from", 128L << 20));
        assertThat(applier.apply(id, "alice", true).change()).as("the lone file, for its deletes").contains("WHERE \"$path\" IN (1 file): piece 1 of 1")
                .contains("then remove the delete files that apply to no data file left");
        assertThat(applier.apply(id, "alice", false).result()).isEqualTo(FixAudit.Result.APPLIED);
        assertThat(store.find(sameCompaction).orElseThrow().status()).as("done by the other's").isEqualTo(Status.SUPERSEDED);
        assertThat(store.history(sameCompaction).getLast().reason()).isEqualTo("#%d (delete-file-buildup) compacted iceberg.demo.deleted_from".formatted(id));

        assertDeletesAppliedAndGone("deleted_from");
        assertThat(iceberg.read("iceberg.demo.deleted_from", 1, Instant.now()).orElseThrow().largeFilesWithDeletes()).isZero();
        workload("deleted_from", "id");
        assertThat(measuredOnce(id)).satisfies(effect -> {
            assertThat(effect.verdict()).as("each scan opened the data file and its delete file, now the one file").isEqualTo(Status.VERIFIED);
            assertThat(effect.figures()).containsEntry("files_per_query_before", 2.0).containsEntry("files_per_query_after", 1.0);
        });
    }

    /**
     * Met from outside: Trino reads a file under its parquet.small-file-threshold (3MB unless set) whole, so a bloom filter that
     * lets lookups skip the row groups of three files of four saves no bytes read; its files even add the filters. Judged on the
     * bytes read alone it stayed applied, measured for ever; the rows read show what it saves.
     */
    @Test
    void aBloomFilterOnFilesReadWholeIsVerifiedByTheRowsItSkips()
    {
        EffectMeasurer.Effect effect = bloomFilterMeasured("contacts", "email");
        assertThat(effect.verdict()).as("%s", effect.figures()).isEqualTo(Status.VERIFIED);
        assertThat(effect.figures()).containsEntry("rows_read_per_query_before", 20_000.0).containsEntry("rows_read_per_query_after", 5_000.0);
        double bytesBefore = (Double) effect.figures().get("read_bytes_per_query_before");
        assertThat((Double) effect.figures().get("read_bytes_per_query_after")).as("files read whole: no fewer bytes").isGreaterThan(bytesBefore * 0.8);
        assertThat(store.find(effect.recommendationId()).orElseThrow().status()).isEqualTo(Status.VERIFIED);
    }

    /**
     * Met from outside: a bloom filter on {@code "visitor ""id"""}, applied, was never measured: Trino prints a column so named
     * quoted, its quotes doubled, and the fix's queries were looked for by the name as Iceberg holds it. Measured, it has no effect:
     * Trino writes the column into its Parquet files under another name ({@code e_x2Dmail_x20_x22address_x22}) and no bloom filter
     * for it, which is why the rule proposes none on such a column (TableFact.canBloomFilter).
     */
    @Test
    void aBloomFilterOnAColumnNamedWithQuotesIsMeasuredOnItsLookups()
    {
        EffectMeasurer.Effect effect = bloomFilterMeasured("\"Contacts \"\"Book\"\"\"", "\"E-Mail \"\"Address\"\"\"");
        assertThat(effect.verdict()).as("%s", effect.figures()).isNull();
        assertThat(effect.figures()).containsEntry("verdict", RecommendationStore.NO_EFFECT)
                .containsEntry("rows_read_per_query_before", 20_000.0).containsEntry("rows_read_per_query_after", 20_000.0);
    }

    /**
     * Met from outside: a bloom filter applied after a partition change of its table was compared with the lookups of the week
     * before it, the partition change's included, and credited with its saving (2.46x its estimate). A fix's queries before are
     * those since the table's last change by another fix: here a sort order that changes nothing after a bloom filter that did.
     */
    @Test
    void aFixIsComparedWithTheQueriesSinceTheTablesLastChange()
    {
        assertThat(bloomFilterMeasured("layered", "email").verdict()).isEqualTo(Status.VERIFIED); // 8 files read per lookup, then 4
        long id = approved("inefficient-layout", "iceberg.demo.layered", new SortOrder("iceberg.demo.layered", List.of("email"), new Rewrite(128L << 20)));
        assertThat(applier.apply(id, "alice", false).result()).isEqualTo(FixAudit.Result.APPLIED);
        lookups("layered", "email");

        assertThat(measuredOnce(id).figures()).as("the lookups since the bloom filter, not those before it")
                .containsEntry("queries_before", 6L).containsEntry("files_per_query_before", 4.0).containsEntry("files_per_query_after", 4.0)
                .containsEntry("verdict", RecommendationStore.NO_EFFECT);
    }

    /**
     * A bloom filter on a column of 20,000 contacts in 4 partitions unrelated to it, appended twice (8 files, each spanning the
     * column's whole range), applied between six lookups and six more: its measured effect. The table and column as SQL names
     * them ({@code "a ""b"""} or {@code a}).
     */
    private EffectMeasurer.Effect bloomFilterMeasured(String table, String column)
    {
        trino.execute("CREATE TABLE %s (%s varchar, region bigint, note varchar) WITH (partitioning = ARRAY['region'])".formatted(table, column));
        for (int append = 0; append < 2; append++) {
            trino.execute(("INSERT INTO %s SELECT to_hex(md5(to_utf8(CAST(x AS varchar)))) || '@example.com', x %% 4, "
                    + "to_hex(sha512(to_utf8(CAST(x AS varchar)))) || to_hex(sha512(to_utf8(CAST(-x AS varchar)))) FROM UNNEST(sequence(%d, %d)) t(x)")
                    .formatted(table, append * 10_000, append * 10_000 + 9_999));
        }
        String tableName = dev.icetune.store.TableName.qualified("iceberg", "demo", unquoted(table));
        long id = approved("bloom-filter", tableName + "." + unquoted(column),
                BloomFilters.adding(tableName, List.of(), unquoted(column), Rewrite.allFiles(1 << 20, 128L << 20)));
        List<String> before = lookups(table, column);
        assertThat(applier.apply(id, "alice", false).result()).isEqualTo(FixAudit.Result.APPLIED);
        List<String> after = lookups(table, column);

        EffectMeasurer.Effect effect = measuredOnce(id);
        assertThat(effect.figures()).containsEntry("queries_before", (long) before.size()).containsEntry("queries_after", (long) after.size());
        return effect;
    }

    /** The effects measured now, as an evaluation measures them (5 queries a side, a 20% change, a file opened counting 4 MB). */
    private List<EffectMeasurer.Effect> measure()
    {
        return new EffectMeasurer(jdbi, store, Optional.of(iceberg), 5, 0.2, 4 << 20).measure(Instant.now().plusSeconds(1), Duration.ofHours(1));
    }

    /** The one effect measured now of the fix {@code id}. */
    private EffectMeasurer.Effect measuredOnce(long id)
    {
        List<EffectMeasurer.Effect> effects = measure().stream().filter(effect -> effect.recommendationIds().contains(id)).toList();
        assertThat(effects).as("measured").hasSize(1);
        return effects.getFirst();
    }

    /** A name as Trino and Iceberg hold it: lower case, unquoted. */
    private static String unquoted(String sqlName)
    {
        return (sqlName.startsWith("\"") ? sqlName.substring(1, sqlName.length() - 1).replace("\"\"", "\"") : sqlName).toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Met from outside: a bloom filter on a table of one file a day, applied, rewrote none of them (Trino's optimize leaves a file
     * alone in its partition), and stayed "applied, measuring" for ever, its table held from the next fix for the cooldown. Its
     * lookups read as many rows and bytes after as before: measured closely enough to rule out a change, it has no effect. A fix
     * rolled back and applied again was never measured again: its first measurement was taken for the new change's.
     */
    @Test
    void aBloomFilterWhoseRewriteReachesNoFileHasNoEffectAndIsMeasuredNoMore()
    {
        // one insert into 4 partitions: 4 files, each alone in its partition
        trino.execute("CREATE TABLE lone_contacts (email varchar, region bigint) WITH (partitioning = ARRAY['region'])");
        trino.execute("INSERT INTO lone_contacts SELECT to_hex(md5(to_utf8(CAST(x AS varchar)))) || '@example.com', x % 4 FROM UNNEST(sequence(0, 9999)) t(x)");
        long id = approved("bloom-filter", "iceberg.demo.lone_contacts.email",
                BloomFilters.adding("iceberg.demo.lone_contacts", List.of(), "email", Rewrite.allFiles(1 << 20, 128L << 20)));
        lookups("lone_contacts", "email");
        assertThat(applier.apply(id, "alice", false).result()).isEqualTo(FixAudit.Result.APPLIED);
        lookups("lone_contacts", "email");
        long next = approved("small-files", "iceberg.demo.lone_contacts", new Compact("iceberg.demo.lone_contacts", 128L << 20));
        assertThat(applier.coolingDown(next, Instant.now(), java.time.Duration.ofDays(7))).as("held while the bloom filter is measured").isPresent();

        assertThat(measuredOnce(id)).satisfies(effect -> {
            assertThat(effect.verdict()).as("%s", effect.figures()).isNull();
            assertThat(effect.figures()).containsEntry("verdict", RecommendationStore.NO_EFFECT)
                    .containsEntry("rows_read_per_query_before", 10_000.0).containsEntry("rows_read_per_query_after", 10_000.0);
            assertThat(effect.changes()).anySatisfy(change -> assertThat(change).startsWith("rows read per query 10,000 -> 10,000"));
        });
        RecommendationStore.Stored fixed = store.find(id).orElseThrow();
        assertThat(fixed.status()).isEqualTo(Status.APPLIED);
        assertThat(fixed.measuredEffect()).containsEntry("verdict", RecommendationStore.NO_EFFECT);
        assertThat((String) fixed.measuredEffect().get("reason")).contains("changed by less than effect.min_change (20%)")
                .contains("measured no more (icetune rollback " + id + " --by NAME undoes it)");
        assertThat(measure()).noneMatch(effect -> effect.recommendationIds().contains(id));
        assertThat(applier.coolingDown(next, Instant.now(), java.time.Duration.ofDays(7))).as("its table free for the next fix").isEmpty();

        // rolled back, approved and applied again: a new change, measured anew
        applier.rollback(id, "alice");
        store.approve(id, "alice", null);
        assertThat(applier.apply(id, "alice", false).result()).isEqualTo(FixAudit.Result.APPLIED);
        assertThat(store.find(id).orElseThrow().measuredEffect()).as("the effect of the change rolled back").isNull();
        assertThat(applier.coolingDown(next, Instant.now(), java.time.Duration.ofDays(7))).isPresent();
    }

    /**
     * Met from outside: a compaction of a table dropped and created again, with as many small files, before the fix was measured was
     * measured "no effect", the new table's scans taken for the fix's "after". A fix's table is told by Iceberg's UUID: one created
     * under its name since is another table, whose queries are not the fix's to measure and whose layout is not the fix's to undo.
     */
    @Test
    void aFixWhoseTableWasCreatedAgainIsNeitherMeasuredNorRolledBackOnTheNewOne()
    {
        String contacts = "INSERT INTO recreated SELECT to_hex(md5(to_utf8(CAST(x AS varchar)))) || '@example.com' FROM UNNEST(sequence(%d, %d)) t(x)";
        trino.execute("CREATE TABLE recreated (email varchar)");
        for (int file = 0; file < 4; file++) {
            trino.execute(contacts.formatted(file * 5_000, file * 5_000 + 4_999));
        }
        long id = approved("inefficient-layout", "iceberg.demo.recreated", new SortOrder("iceberg.demo.recreated", List.of("email"), new Rewrite(128L << 20)));
        lookups("recreated", "email");
        assertThat(applier.apply(id, "alice", false).result()).isEqualTo(FixAudit.Result.APPLIED);
        trino.execute("DROP TABLE recreated");
        trino.execute("CREATE TABLE recreated (email varchar)");
        for (int file = 0; file < 4; file++) {
            trino.execute(contacts.formatted(file * 5_000, file * 5_000 + 4_999));
        }
        lookups("recreated", "email");

        assertThat(measuredOnce(id)).satisfies(effect -> {
            assertThat(effect.verdict()).as("%s", effect.figures()).isNull();
            assertThat(effect.figures()).containsEntry("verdict", RecommendationStore.TABLE_REPLACED);
            assertThat((String) effect.figures().get("reason")).startsWith("iceberg.demo.recreated was dropped and created again since the fix was applied")
                    .contains("measured no more");
        });
        assertThat(store.find(id).orElseThrow().status()).isEqualTo(Status.APPLIED);
        assertThat(measure()).noneMatch(effect -> effect.recommendationIds().contains(id));

        FixApplier.Outcome rollback = applier.rollback(id, "alice");
        assertThat(rollback.result()).isEqualTo(FixAudit.Result.NOT_POSSIBLE);
        assertThat(rollback.message()).contains("iceberg.demo.recreated was dropped and created again since the fix was applied");
        assertThat(store.find(id).orElseThrow().status()).isEqualTo(Status.APPLIED);
    }

    /**
     * Met from outside on a Trino of 512 MB a node: a compaction of 489 MB over 32 partitions failed over Trino's memory limit, and
     * went through in pieces of 4 to 16 partitions, set by hand. A piece over the limit is now halved until it fits. Here Trino's
     * queries get 24 MB a node: a piece of 16 partitions of 1.3 MB needs more.
     */
    @Test
    void aPieceOverTrinosMemoryIsRewrittenInHalves()
    {
        writeTwice("halved", "x % 16");
        long id = approved("small-files", "iceberg.demo.halved", new Compact("iceberg.demo.halved", 128L << 20));
        List<String> said = new ArrayList<>();

        FixApplier.Outcome applied = onSmallTrino().apply(id, "alice", false, Optional.empty(), said::add);
        assertThat(applied.result()).as(applied.message()).isEqualTo(FixAudit.Result.APPLIED);
        assertThat(said).as("progress").anySatisfy(line -> assertThat(line).endsWith("piece 1 of 1 (32 files): over Trino's memory limit, rewritten as two halves (16 files, then 16 files)"));
        assertThat(trino.execute("SELECT count(*) FROM \"halved$files\"").getOnlyValue()).as("a file a partition").isEqualTo(16L);
        assertThat(trino.execute("SELECT count(*) FROM halved").getOnlyValue()).as("every row kept").isEqualTo(320_000L);
    }

    /**
     * A piece whose halves fit but for one partition too big for Trino's memory: the others are rewritten, and the failure says so
     * (not "nothing was changed"). Its big partition was written first, so that the piece holds it last.
     */
    @Test
    void aPieceHalvedDownToAPartitionStillOverTrinosMemorySaysWhatItRewrote()
    {
        writeTwice("skewed", "15");
        for (int insert = 1; insert <= 2; insert++) {
            trino.execute("INSERT INTO skewed SELECT x % 15, 'small' FROM UNNEST(sequence(1, 150)) t(x)");
        }
        long id = approved("small-files", "iceberg.demo.skewed", new Compact("iceberg.demo.skewed", 128L << 20));

        assertThatThrownBy(() -> onSmallTrino().apply(id, "alice", false, Optional.empty(), line -> {}))
                .hasMessageStartingWith("applying recommendation %d to iceberg.demo.skewed failed, part of step 1 was applied; applying again plans what is left: ".formatted(id))
                .hasMessageContaining("Query exceeded per-node memory limit of 24MB")
                .hasMessageEndingWith("(a rewrite's piece over it is halved down to two files of a partition first: give Trino's queries more memory, "
                        + "query.max-memory-per-node and query.max-memory)");
        assertThat(trino.execute("SELECT count(*) FILTER (WHERE partition.p < 15), count(*) FILTER (WHERE partition.p = 15) FROM \"skewed$files\"")
                .getMaterializedRows().getFirst().getFields()).as("the small partitions compacted, the big one as it was").containsExactly(15L, 2L);
    }

    /** Six lookups of {@code table} by an email in {@code column}, each of one contact, captured. */
    private List<String> lookups(String table, String column)
    {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(trino.run("SELECT * FROM %s WHERE %s = to_hex(md5(to_utf8('%d'))) || '@example.com'".formatted(table, column, i * 1_001 + 7)));
        }
        ids.forEach(rows::awaitQuery);
        return ids;
    }

    @Test
    void aCompactionRemovesTheDeleteFilesAnEarlierRewriteLeftBehind()
    {
        withADeletedRow("left_behind");
        // as a rewrite bounded by "$path" left them: the file rewritten with its deletes applied, the delete file still there
        Object path = trino.execute("SELECT file_path FROM \"left_behind$files\" WHERE content = 0").getOnlyValue();
        trino.execute("ALTER TABLE left_behind EXECUTE optimize WHERE \"$path\" = " + Sql.literal(path.toString()));
        assertThat(summary("left_behind", "total-delete-files")).isEqualTo(1);
        assertThat(DanglingDeletes.of(table("left_behind"))).hasSize(1);

        long id = compaction("iceberg.demo.left_behind");
        assertThat(applier.apply(id, "alice", false).result()).isEqualTo(FixAudit.Result.APPLIED);

        assertDeletesAppliedAndGone("left_behind");
    }

    @Test
    void anEqualityDeleteOnlyOlderFilesCouldHoldIsRemovedOnceTheyAreRewritten()
    {
        // as a streaming writer (Flink) leaves a table: equality deletes of rows written before them, the files made here through the
        // Iceberg API alone (their metadata is all that planning reads)
        trino.execute("CREATE TABLE streamed (id bigint)");
        trino.execute("INSERT INTO streamed VALUES 1, 2");
        Table table = table("streamed");
        DataFile written = table.newScan().planFiles().iterator().next().file();
        DeleteFile equalityDelete = FileMetadata.deleteFileBuilder(table.spec()).ofEqualityDeletes(table.schema().findField("id").fieldId())
                .withPath(table.location() + "/data/equality-delete.parquet").withFormat(FileFormat.PARQUET).withFileSizeInBytes(100).withRecordCount(1).build();
        table.newRowDelta().addDeletes(equalityDelete).commit();
        assertThat(DanglingDeletes.of(table("streamed"))).as("it deletes rows of the file written before it").isEmpty();

        // rewritten as Trino's optimize rewrites: the new file holds the rows with the deletes applied, at the sequence number it read
        table = table("streamed");
        table.newRewrite().validateFromSnapshot(table.currentSnapshot().snapshotId()).dataSequenceNumber(table.currentSnapshot().sequenceNumber())
                .deleteFile(written).addFile(DataFiles.builder(table.spec()).copy(written).withPath(table.location() + "/data/rewritten.parquet").build()).commit();
        assertThat(DanglingDeletes.of(table("streamed"))).extracting(DeleteFile::location).containsExactly(equalityDelete.location());

        DanglingDeletes.removal(new ActionContext(Optional.of(table("streamed")), Optional.empty(), RewritePlan.Limits.DEFAULT, true), "iceberg.demo.streamed").run();
        assertThat(summary("streamed", "total-delete-files")).isZero();
        assertThat(summary("streamed", "total-data-files")).isEqualTo(1);
    }

    @Test
    void analyzeWritesStatistics()
    {
        long id = id("stale-statistics", "iceberg.demo.stats_me");
        store.approve(id, "alice", null);
        int statisticsBefore = table("stats_me").statisticsFiles().size();
        FixApplier.Outcome dryRun = applier.apply(id, "alice", true);
        assertThat(dryRun.change()).isEqualTo("ANALYZE \"iceberg\".\"demo\".\"stats_me\"  [reads the whole table once]");
        assertThat(table("stats_me").statisticsFiles()).as("a dry run changes nothing").hasSize(statisticsBefore);
        applier.apply(id, "alice", false);
        Table table = table("stats_me");
        assertThat(table.statisticsFiles()).anyMatch(statistics -> statistics.snapshotId() == table.currentSnapshot().snapshotId());
    }

    @Test
    void materializedViewIsCreatedAndRefreshed()
    {
        long id = id("materialized-view", "hourly");
        store.approve(id, "alice", null);
        applier.apply(id, "alice", true);
        assertThat(trino.execute("SHOW TABLES FROM iceberg_files.demo").getOnlyColumnAsSet()).as("a dry run changes nothing").doesNotContain("mv_visits_hourly");
        assertThat(applier.apply(id, "alice", false).result()).as("its bare table name found beside the view").isEqualTo(FixAudit.Result.APPLIED);
        assertThat(trino.execute("SELECT sum(_col1) FROM iceberg_files.demo.mv_visits_hourly").getOnlyValue()).as("the column named as the dashboard saw it").isEqualTo(20L);
        assertThat(store.find(id).orElseThrow().status()).isEqualTo(Status.APPLIED);
    }

    @Test
    void aStatementTrinoRefusesIsReportedAndChangesNothing()
    {
        long id = id("materialized-view", "hourly-on-jdbc");
        store.approve(id, "alice", null);
        assertThatThrownBy(() -> applier.apply(id, "alice", false))
                .hasMessageContaining("nothing was changed").hasMessageContaining("createMaterializedView is not supported for Iceberg JDBC catalogs");
        assertThat(store.find(id).orElseThrow().status()).isEqualTo(Status.APPROVED);
        assertThat(rows.query("SELECT result, step FROM fix_audit WHERE recommendation_id = ? ORDER BY id", id)).extracting(row -> row.get("result"), row -> row.get("step"))
                .as("the step that failed, then the apply").containsExactly(org.assertj.core.groups.Tuple.tuple("failed", 1), org.assertj.core.groups.Tuple.tuple("failed", null));
    }

    /**
     * Met from outside: a 145 MB rewrite said nothing after its step began, for as long as it ran. A statement still running says
     * how far it got every 10 s, with its Trino query's id; here a query that would run for hours, ended from outside once it has
     * said so, as a person watching it might end it.
     */
    @Test
    void aStatementRunningLongSaysHowFarItGot()
            throws Exception
    {
        java.util.concurrent.BlockingQueue<String> said = new java.util.concurrent.LinkedBlockingQueue<>();
        ActionContext context = new ActionContext(Optional.empty(), Optional.of(connections), RewritePlan.Limits.DEFAULT, true, said::add);
        String hours = "SELECT count(*) FROM UNNEST(sequence(1, 10000)) a(x) CROSS JOIN UNNEST(sequence(1, 10000)) b(y) CROSS JOIN UNNEST(sequence(1, 10000)) c(z) "
                + "WHERE x + y + z < 0";
        java.util.concurrent.ExecutorService running = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<?> step = running.submit(() -> context.trinoStep(hours, "").run());
            String line = said.poll(2, java.util.concurrent.TimeUnit.MINUTES);
            assertThat(line).as("said within two minutes").isNotNull()
                    .matches("still running after 1\\d s: (planning|\\d+% done \\([\\d,]+ of [\\d,]+ splits\\)|[\\d,]+ of [\\d,]+ splits done), .+ read, .+ written \\(Trino query \\w+\\)");
            String query = line.replaceAll(".*\\(Trino query (\\w+)\\)$", "$1");
            trino.execute("CALL system.runtime.kill_query(query_id => '%s', message => 'ended from outside')".formatted(query));
            assertThatThrownBy(() -> step.get(1, java.util.concurrent.TimeUnit.MINUTES)).hasMessageContaining("ended from outside");
        }
        finally {
            running.shutdownNow();
        }
    }

    /**
     * Met from outside: the first statement after a restart of the PostgreSQL that Trino's Iceberg JDBC catalog lives in failed on a
     * connection the catalog had kept ("Cannot check and eventually update SQL schema: FATAL: terminating connection due to
     * administrator command"), and applying again applied; so did the first lint. The step is tried again, and applies; lint plans
     * again. The catalog's PostgreSQL is a server process of its own, restarted as an operator would.
     */
    @Test
    void aStepWhoseCatalogLostItsDatabaseConnectionIsTriedAgain()
            throws Exception
    {
        try (PostgresServer postgres = PostgresServer.start(temporary.resolve("catalog-pg"))) {
            String catalogUrl = postgres.url("postgres");
            LocalIcebergCatalog.prepare(catalogUrl);
            Path warehouse = temporary.resolve("restarted-warehouse");
            java.nio.file.Files.createDirectories(warehouse);
            trino.createCatalog("iceberg_restarted", "iceberg", LocalIcebergCatalog.trinoProperties(catalogUrl, warehouse));
            trino.execute("CREATE SCHEMA iceberg_restarted.demo");
            trino.execute("CREATE TABLE iceberg_restarted.demo.events AS SELECT * FROM iceberg.demo.events");
            long id = approved("stale-statistics", "iceberg_restarted.demo.events", new Analyze("iceberg_restarted.demo.events"));

            postgres.stop(PostgresServer.Stop.FAST);
            postgres.start();
            dev.icetune.engine.lint.QueryLinter linter = new dev.icetune.engine.lint.QueryLinter(connections, Optional.empty(),
                    RuleBook.load(Path.of("../rules")).thresholds());
            assertThat(linter.lint("SELECT count(*) FROM iceberg_restarted.demo.events").scans()).singleElement().asString()
                    .startsWith("iceberg_restarted.demo.events");

            postgres.stop(PostgresServer.Stop.FAST);
            postgres.start();
            FixApplier.Outcome applied = applier.apply(id, "alice", false);
            assertThat(applied.result()).as(applied.message()).isEqualTo(FixAudit.Result.APPLIED);
            assertThat(trino.execute("SHOW STATS FOR iceberg_restarted.demo.events").getMaterializedRows())
                    .as("the statistics written").anySatisfy(row -> assertThat(row.getField(0)).isEqualTo("user_id"));
        }
    }

    @Test
    void aTableNamedToInjectSqlIsOnlyEverAnIdentifier()
    {
        long id = id("stale-statistics", "iceberg.demo." + EVIL);
        store.approve(id, "alice", null);
        assertThat(applier.apply(id, "alice", false).result()).isEqualTo(FixAudit.Result.APPLIED);
        assertThat(trino.execute("SELECT count(*) FROM victims").getOnlyValue()).as("victims still exists").isEqualTo(0L);
        assertThat(table(EVIL).statisticsFiles()).isNotEmpty();
    }

    @Test
    void lintFindsTheNonSargablePredicateAndProposesTheRewrite()
            throws Exception
    {
        Thresholds shipped = RuleBook.load(Path.of("../rules")).thresholds();
        dev.icetune.engine.lint.QueryLinter linter = linter(shipped.with(Map.of("full_scan.min_files", 10.0))); // lint_me has 12 files

        var report = linter.lint("SELECT count(*) FROM lint_me WHERE date_format(ts, '%Y-%m-%d') = '2024-01-05'");
        assertThat(report.scans()).singleElement().asString().startsWith("iceberg.demo.lint_me: up to 12 files").contains("nothing pushed into the scan");
        assertThat(report.findings()).extracting(dev.icetune.engine.lint.QueryLinter.Finding::rule).contains("non-sargable-predicate");
        assertThat(report.findings()).filteredOn(finding -> finding.rule().equals("non-sargable-predicate")).singleElement()
                .satisfies(finding -> {
                    assertThat(finding.message()).startsWith("date_format() around ts hides the column from pruning");
                    assertThat(finding.suggestion()).isEqualTo(
                            "SELECT count(*) FROM lint_me WHERE ts >= TIMESTAMP '2024-01-05 00:00:00' AND ts < TIMESTAMP '2024-01-06 00:00:00'");
                });

        // met from outside: a day as the leading part of the partition column's text; the function is the finding, no filter is missing
        assertThat(linter.lint("SELECT count(*) FROM lint_partitioned WHERE CAST(ts AS varchar) LIKE '2024-01-02%'").findings()).singleElement()
                .satisfies(finding -> {
                    assertThat(finding.rule()).isEqualTo("non-sargable-predicate");
                    assertThat(finding.message()).startsWith("cast() around ts hides the column from pruning");
                    assertThat(finding.suggestion()).isEqualTo(
                            "SELECT count(*) FROM lint_partitioned WHERE ts >= TIMESTAMP '2024-01-02 00:00:00' AND ts < TIMESTAMP '2024-01-03 00:00:00'");
                });

        assertThat(linter.lint("SELECT user_id FROM lint_me").findings()).extracting(dev.icetune.engine.lint.QueryLinter.Finding::rule)
                .containsExactly("full-scan");
        // as the full-scan rule says it once such scans ran: few files, as large as full_scan.min_bytes together
        double lintMeBytes = Long.parseLong(table("lint_me").currentSnapshot().summary().get("total-files-size"));
        assertThat(linter(shipped).lint("SELECT user_id FROM lint_me").findings()).as("12 files, under both").isEmpty();
        assertThat(linter(shipped.with(Map.of("full_scan.min_bytes", lintMeBytes))).lint("SELECT user_id FROM lint_me").findings())
                .extracting(dev.icetune.engine.lint.QueryLinter.Finding::rule).containsExactly("full-scan");
        assertThat(linter.lint("SELECT count(*) FROM lint_me WHERE ts >= TIMESTAMP '2024-01-05 00:00:00'").findings()).isEmpty();

        assertThat(linter.lint("SELECT count(*) FROM lint_partitioned WHERE user_id = 2").findings()).singleElement().satisfies(finding -> {
            assertThat(finding.rule()).isEqualTo("missing-partition-filter");
            assertThat(finding.message()).startsWith("iceberg.demo.lint_partitioned is partitioned by day(ts) but the query does not filter on it");
            assertThat(finding.suggestion()).isEqualTo("add a range on ts");
        });
        // buckets are pruned by a key's value, not by a range
        assertThat(linter.lint("SELECT count(*) FROM lint_bucketed WHERE v = 2").findings()).singleElement()
                .satisfies(finding -> assertThat(finding.suggestion()).isEqualTo("add an equality or IN on id (a range does not prune buckets)"));
        var bucketLookup = linter.lint("SELECT count(*) FROM lint_bucketed WHERE id = 2");
        assertThat(bucketLookup.findings()).isEmpty();
        // met from outside: "nothing pushed into the scan" alone, of a lookup Iceberg prunes to one bucket's files
        assertThat(bucketLookup.scans()).singleElement().asString().contains("filtered above the scan: (id = ").endsWith(", which still prunes the partitions on id");
        assertThat(linter.lint("SELECT count(*) FROM lint_bucketed WHERE v = 2").scans()).singleElement().asString().doesNotContain("prunes");
        assertThat(linter.lint("SELECT count(*) FROM lint_bucketed WHERE id IN (2, 7)").findings()).isEmpty();
        assertThat(linter.lint("SELECT count(*) FROM lint_bucketed WHERE id > 50").findings()).as("a range reads every bucket")
                .extracting(dev.icetune.engine.lint.QueryLinter.Finding::rule).containsExactly("missing-partition-filter");
        // met from outside: in 64 buckets, id IN (30001, 30007) read 2 files, id IN (30001, 30002) all 64; lint asked for the IN the query had
        assertThat(linter.lint("SELECT count(*) FROM lint_bucketed WHERE id IN (7, 8)").findings()).as("Trino plans consecutive values as a range").singleElement()
                .satisfies(finding -> {
                    assertThat(finding.message()).contains("its filter on id, from 7 to 8, is a range (Trino turns IN of consecutive values into one), and a range prunes no bucket");
                    assertThat(finding.suggestion()).isEqualTo("look the values up one at a time, joined by UNION ALL: each equality reads its own bucket");
                });
        assertThat(linter.lint("SELECT count(*) FROM lint_bucketed WHERE id BETWEEN 1 AND 40").findings())
                .as("40 values in 4 buckets: every bucket is read however they are written").isEmpty();
        assertThat(linter.lint("SELECT count(*) FROM lint_partitioned WHERE ts >= TIMESTAMP '2024-01-02 00:00:00' AND user_id = 2").findings()).isEmpty();

        // met from outside: a LIKE '%...' as the only filter of a large table said nothing before it ran, and leading-wildcard-like after
        assertThat(linter.lint("SELECT count(*) FROM lint_wide WHERE payload LIKE '%AB'").findings()).filteredOn(finding -> finding.rule().equals("leading-wildcard-like"))
                .singleElement().satisfies(finding -> {
                    assertThat(finding.message()).isEqualTo("payload LIKE '%AB' is the only filter, and a pattern that starts with a wildcard prunes nothing: "
                            + "every file of iceberg.demo.lint_wide is read (120 files, " + Estimate.bytes(Long.parseLong(table("lint_wide").currentSnapshot().summary().get("total-files-size"))) + ")");
                    assertThat(finding.suggestion()).startsWith("anchor the pattern (payload LIKE 'prefix%' prunes on min/max)");
                });
        assertThat(linter.lint("SELECT count(*) FROM lint_wide WHERE payload LIKE '%AB' AND k = 3").findings()).as("its partition pushed into the scan").isEmpty();
        for (String filter : List.of("payload LIKE 'AB%'", "payload LIKE '%AB' AND length(payload) = 32")) {
            assertThat(linter.lint("SELECT count(*) FROM lint_wide WHERE " + filter).findings()).as(filter)
                    .extracting(dev.icetune.engine.lint.QueryLinter.Finding::rule).containsExactly("missing-partition-filter");
        }
    }

    private dev.icetune.engine.lint.QueryLinter linter(Thresholds thresholds)
    {
        return new dev.icetune.engine.lint.QueryLinter(() -> {
            Properties properties = new Properties();
            properties.setProperty("user", "icetune");
            return new TrinoDriver().connect(trino.jdbcUrl(), properties);
        }, Optional.of(iceberg), thresholds);
    }

    /** Six full scans of events, captured by the listener. */
    private List<String> workload()
    {
        return workload("events", "user_id");
    }

    /** Six scans of the table, filtered on the column, captured. */
    private List<String> workload(String table, String column)
    {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(trino.run("SELECT count(*) FROM " + table + " WHERE " + column + " > " + (i % 2)));
        }
        ids.forEach(rows::awaitQuery);
        return ids;
    }

    /**
     * A table of a catalog icetune reads through Trino (here Trino's file metastore), so cannot commit to: pieces bounded by
     * "$path" would leave its delete files for an Iceberg commit icetune cannot make. One piece holds every file, so the
     * compaction is one optimize without that bound, which drops them itself.
     */
    @Test
    void aTableReadThroughTrinoIsCompactedWithItsDeletesByTrinoAlone()
            throws Exception
    {
        String table = "iceberg_files.demo.deleted_from";
        withADeletedRow(table);
        try (TableMetadataReader throughTrino = throughTrino()) {
            assertThat(throughTrino.read(table, 1 << 20, Instant.now()).orElseThrow().deleteFiles()).isEqualTo(1);
            FixApplier throughTrinoApplier = applierFor(throughTrino);
            long id = compaction(table);
            assertThat(throughTrinoApplier.apply(id, "alice", true).change())
                    .startsWith("ALTER TABLE \"iceberg_files\".\"demo\".\"deleted_from\" EXECUTE optimize(file_size_threshold => '128MB') (1 file, with their delete files)")
                    .doesNotContain("$path").doesNotContain("then remove");
            FixApplier.Outcome applied = throughTrinoApplier.apply(id, "alice", false);
            assertThat(applied.result()).as(applied.message()).isEqualTo(FixAudit.Result.APPLIED);
            assertThat(throughTrino.read(table, 1 << 20, Instant.now()).orElseThrow().deleteFiles()).isZero();
            assertThat(trino.execute("SELECT id FROM " + table).getOnlyColumnAsSet()).containsExactlyInAnyOrder(1L, 2L, 4L);
        }
    }

    /**
     * Met from outside: an apply whose partition change committed and whose rewrite then failed (Trino unreachable) said "applying
     * again plans what is left"; applying again found the spec in place and did nothing, leaving every file in the old spec. Then its
     * rollback restored the state before that last apply (the new spec), and changed nothing while saying "rolled-back".
     */
    @Test
    void aLayoutChangeWhoseRewriteFailedRewritesWhatIsLeftWhenAppliedAgainAndRollsBackToTheLayoutBeforeIt()
    {
        trino.execute("CREATE TABLE half_done (ts timestamp(6), user_id bigint)");
        for (int day = 1; day <= 3; day++) {
            trino.execute("INSERT INTO half_done VALUES (TIMESTAMP '2024-01-0%d 10:00:00', %d)".formatted(day, day));
        }
        long id = approved("missing-partition-pruning", "iceberg.demo.half_done", PartitionSpec.adding("iceberg.demo.half_done", List.of(), "day(ts)", new Rewrite(128L << 20)));
        TrinoConnections stopped = () -> new TrinoDriver().connect("jdbc:trino://127.0.0.1:1/iceberg/demo", userIcetune());
        assertThatThrownBy(() -> new FixApplier(jdbi, store, iceberg, Optional.of(stopped)).apply(id, "alice", false))
                .hasMessageContaining("the first 1 of 2 steps were applied; applying again plans what is left")
                .as("a Trino that does not answer, said as such").hasMessageEndingWith("(Trino is not answering at icetune.trino.url: apply again once it is up)");
        assertThat(table("half_done").spec().fields()).as("the partition change committed").hasSize(1);
        assertThat(specIds("half_done")).as("the files, not rewritten").doesNotContain(table("half_done").spec().specId());

        assertThat(applier.apply(id, "alice", true).change()).as("the rewrite alone").doesNotContain("updateSpec").contains("piece 1 of 1");
        FixApplier.Outcome applied = applier.apply(id, "alice", false);
        assertThat(applied.result()).as(applied.message()).isEqualTo(FixAudit.Result.APPLIED);
        assertThat(specIds("half_done")).containsExactly(table("half_done").spec().specId());
        assertThat(trino.execute("SELECT user_id FROM half_done").getOnlyColumnAsSet()).containsExactlyInAnyOrder(1L, 2L, 3L);
        assertThat(applier.apply(id, "alice", true).result()).as("nothing left").isEqualTo(FixAudit.Result.NO_OP);

        assertThat(applier.rollback(id, "alice").result()).isEqualTo(FixAudit.Result.ROLLED_BACK);
        assertThat(table("half_done").spec().isUnpartitioned()).as("the layout before the first attempt").isTrue();
    }

    /**
     * Met from outside: PostgreSQL stopped during a compaction's rewrite, which Trino committed; recording it failed, and what was
     * said was the table lock's release on the connection gone ("This connection has been closed"). What ran is said, and applying
     * again once PostgreSQL is back finds it in effect and records it. The store's PostgreSQL is a server process of its own, stopped
     * as the step begins; Trino's catalog stays up. A step that fails with PostgreSQL gone says the step's failure.
     */
    @Test
    void aFixWhoseRecordingFailsWithPostgresGoneSaysWhatRanAndIsRecordedWhenAppliedAgain()
            throws Exception
    {
        trino.execute("CREATE TABLE recorded_later (ts timestamp(6), user_id bigint)");
        for (int day = 1; day <= 4; day++) {
            trino.execute("INSERT INTO recorded_later VALUES (TIMESTAMP '2024-01-0%d 10:00:00', %d)".formatted(day, day));
        }
        try (PostgresServer postgres = PostgresServer.start(temporary.resolve("store-pg"))) {
            String url = postgres.url("postgres");
            Database.of(url, "postgres", "icetune-test").migrate();
            Jdbi storeJdbi = Jdbi.create(url, "postgres", "");
            RecommendationStore ownStore = new RecommendationStore(storeJdbi, Approvals.parse("alice", ""));
            ownStore.record(List.of(recommendation("small-files", "iceberg.demo.recorded_later", new Compact("iceberg.demo.recorded_later", 128L << 20))),
                    Instant.now(), Integer.MAX_VALUE);
            long id = ownStore.list(Optional.empty()).getFirst().id();
            ownStore.approve(id, "alice", null);
            // Trino down and PostgreSQL gone as the step begins (Trino's catalog may live in it): the step's failure is said
            TrinoConnections stopped = () -> new TrinoDriver().connect("jdbc:trino://127.0.0.1:1/iceberg/demo", userIcetune());
            assertThatThrownBy(() -> new FixApplier(storeJdbi, ownStore, iceberg, Optional.of(stopped)).apply(id, "alice", false, Optional.empty(),
                    line -> postgres.stop(PostgresServer.Stop.FAST)))
                    .hasMessageContaining("failed, nothing was changed: ").hasMessageEndingWith("(Trino is not answering at icetune.trino.url: apply again once it is up)");
            postgres.start();

            FixApplier ownApplier = new FixApplier(storeJdbi, ownStore, iceberg, Optional.of(connections));
            assertThatThrownBy(() -> ownApplier.apply(id, "alice", false, Optional.empty(), line -> postgres.stop(PostgresServer.Stop.FAST)))
                    .hasMessageStartingWith("1 of 1 steps ran and stay, but recording them failed: ")
                    .hasMessageEndingWith("apply it again once PostgreSQL answers: it finds what ran in effect, plans what is left, and records it")
                    .hasMessageNotContaining("This connection has been closed");
            assertThat(table("recorded_later").currentSnapshot().summary()).as("the rewrite committed").containsEntry("total-data-files", "1");

            postgres.start();
            assertThat(ownApplier.apply(id, "alice", false).result()).isEqualTo(FixAudit.Result.NO_OP);
            assertThat(ownStore.find(id).orElseThrow().status()).isEqualTo(Status.APPLIED);
        }
    }

    /**
     * Met from outside: each file of a table spanned all its years, and a partition fix whose rewrite began at the earliest date its
     * queries asked for rewrote all of them, yet the table's compaction stayed approved, then held for the fix's cooldown. A rewrite
     * that leaves a compaction nothing to do supersedes it; one that leaves small files behind does not.
     */
    @Test
    void aLayoutChangeWhoseRewriteLeftNothingToCompactSupersedesTheCompaction()
    {
        for (String name : List.of("all_years", "old_years")) {
            trino.execute("CREATE TABLE %s (ts timestamp(6), v bigint)".formatted(name));
            for (int load = 0; load < 3; load++) {
                trino.execute("INSERT INTO %s VALUES (TIMESTAMP '2022-03-01 10:00:00', %d), (TIMESTAMP '2024-03-01 10:00:00', %d)".formatted(name, load, load));
            }
        }
        // two more files of 2022 alone, which a rewrite from 2023 on leaves in the old spec, beside each other
        trino.execute("INSERT INTO old_years VALUES (TIMESTAMP '2022-05-01 10:00:00', 7)");
        trino.execute("INSERT INTO old_years VALUES (TIMESTAMP '2022-06-01 10:00:00', 8)");
        Map<String, Long> compactions = new java.util.HashMap<>();
        for (String name : List.of("all_years", "old_years")) {
            String table = "iceberg.demo." + name;
            compactions.put(name, approved("small-files", table, new Compact(table, 128L << 20)));
            long id = approved("missing-partition-pruning", table, PartitionSpec.adding(table, List.of(), "year(ts)", new Rewrite(128L << 20, "ts", "2023-01-01T00:00:00Z")));
            FixApplier.Outcome applied = applier.apply(id, "alice", false);
            assertThat(applied.result()).as(applied.message()).isEqualTo(FixAudit.Result.APPLIED);
            if (name.equals("all_years")) {
                assertThat(store.history(compactions.get(name)).getLast().reason())
                        .isEqualTo("#%d (missing-partition-pruning) rewrote the files of %s from 2023-01-01T00:00:00Z on, which left nothing to compact".formatted(id, table));
            }
        }
        assertThat(store.find(compactions.get("all_years")).orElseThrow().status()).as("a file a year, each alone").isEqualTo(Status.SUPERSEDED);
        assertThat(store.find(compactions.get("old_years")).orElseThrow().status()).as("2022's two files of the old spec left").isEqualTo(Status.APPROVED);
    }

    /**
     * Met from outside: Trino's Iceberg writer fails a write of more than 100 partitions ("Exceeded limit of 100 open writers for partitions",
     * its catalog's iceberg.max-partitions-per-writer), and one piece of the compaction of 150 days of small files wrote 150.
     */
    @Test
    void aCompactionWritesAtMostAHundredPartitionsAPiece()
    {
        trino.execute("CREATE TABLE days (ts timestamp(6), v bigint) WITH (partitioning = ARRAY['day(ts)'])");
        for (int load = 0; load < 2; load++) {
            for (int first = 0; first < 150; first += 50) { // as a loader must: a write of 50 days at most
                trino.execute("INSERT INTO days SELECT TIMESTAMP '2024-01-01 10:00:00' + INTERVAL '1' DAY * d, d FROM UNNEST(sequence(%d, %d)) t(d)".formatted(first, first + 49));
            }
        }
        long id = approved("small-files", "iceberg.demo.days", new Compact("iceberg.demo.days", 128L << 20));

        assertThat(applier.apply(id, "alice", true).change()).contains("piece 1 of 2").contains("piece 2 of 2");
        FixApplier.Outcome applied = applier.apply(id, "alice", false);
        assertThat(applied.result()).as(applied.message()).isEqualTo(FixAudit.Result.APPLIED);
        assertThat(summary("days", "total-data-files")).as("a file a day").isEqualTo(150);
        assertThat(trino.execute("SELECT count(*) FROM days").getOnlyValue()).isEqualTo(300L);
    }

    /**
     * Met from outside: a table partitioned by month, then by day, each file of the monthly spec holding one day. small-files proposed
     * compacting a month's 30 files, and Trino's optimize rewrote them into 30, a file a day (measured: no effect). A compaction now
     * rewrites an older spec's file only where it lands in a partition of the current spec beside another file.
     */
    @Test
    void aCompactionAfterAFinerSpecRewritesOnlyTheOlderFilesThatLandBesideAnother()
    {
        trino.execute("CREATE TABLE months_then_days (ts timestamp(6), v bigint) WITH (partitioning = ARRAY['month(ts)'])");
        for (int day = 1; day <= 4; day++) {
            trino.execute("INSERT INTO months_then_days VALUES (TIMESTAMP '2024-01-0%d 10:00:00', %d)".formatted(day, day));
        }
        trino.execute("ALTER TABLE months_then_days SET PROPERTIES partitioning = ARRAY['day(ts)']");
        trino.execute("INSERT INTO months_then_days VALUES (TIMESTAMP '2024-01-03 12:00:00', 5)");
        long id = approved("small-files", "iceberg.demo.months_then_days", new Compact("iceberg.demo.months_then_days", 128L << 20));

        FixApplier.Outcome applied = applier.apply(id, "alice", false);
        assertThat(applied.result()).as(applied.message()).isEqualTo(FixAudit.Result.APPLIED);
        assertThat(summary("months_then_days", "total-data-files")).as("January 3rd's two files merged; the 1st, 2nd and 4th each alone in its day, as before").isEqualTo(4);
        assertThat(trino.execute("SELECT count(*) FROM \"months_then_days$files\" WHERE spec_id = 0").getOnlyValue()).as("left in the monthly spec").isEqualTo(3L);
        assertThat(trino.execute("SELECT count(*) FROM months_then_days").getOnlyValue()).isEqualTo(5L);
    }

    /** Met from outside: a compaction approved, then its table dropped; applying it said "no Iceberg table ... in the catalog", not why or what to do. */
    @Test
    void aFixOfATableDroppedSinceItsRuleFiredSaysSoAndChangesNothing()
    {
        trino.execute("CREATE TABLE dropped (id bigint)");
        long id = approved("small-files", "iceberg.demo.dropped", new Compact("iceberg.demo.dropped", 128L << 20));
        trino.execute("DROP TABLE dropped");

        assertThatThrownBy(() -> applier.apply(id, "alice", false)).hasMessage("no Iceberg table iceberg.demo.dropped in the catalog: dropped or renamed since its rule fired? "
                + "Nothing was changed; reject the recommendation if the table is gone for good");
        assertThat(store.find(id).orElseThrow().status()).isEqualTo(Status.APPROVED);
    }

    /** The same limit for a rewrite into a finer spec: each month's files write the month's days. */
    @Test
    void aRewriteFromMonthsIntoDaysWritesAtMostAHundredDaysAPiece()
    {
        trino.execute("CREATE TABLE by_month (ts timestamp(6), v bigint) WITH (partitioning = ARRAY['month(ts)'])");
        for (int load = 0; load < 2; load++) {
            trino.execute("INSERT INTO by_month SELECT TIMESTAMP '2024-01-01 10:00:00' + INTERVAL '1' DAY * d, d FROM UNNEST(sequence(0, 181)) t(d)");
        }
        long id = approved("partition-granularity", "iceberg.demo.by_month",
                PartitionSpec.replacing("iceberg.demo.by_month", List.of("month(ts)"), "month(ts)", "day(ts)", Rewrite.allFiles(1 << 20, 128L << 20)));

        FixApplier.Outcome applied = applier.apply(id, "alice", false);
        assertThat(applied.result()).as(applied.message()).isEqualTo(FixAudit.Result.APPLIED);
        assertThat(specIds("by_month")).containsExactly(table("by_month").spec().specId());
        assertThat(summary("by_month", "total-data-files")).as("a file a day").isEqualTo(182);
        assertThat(trino.execute("SELECT count(*) FROM by_month").getOnlyValue()).isEqualTo(364L);
    }

    /** And into days from no partitioning: all files one partition of the old spec, each file its own piece where two would write too many days. */
    @Test
    void aRewriteOfAnUnpartitionedTableIntoDaysSplitsItsFilesByTheDaysTheyWrite()
    {
        trino.execute("CREATE TABLE unpartitioned_days (ts timestamp(6), v bigint)");
        for (int first = 0; first < 240; first += 60) {
            trino.execute("INSERT INTO unpartitioned_days SELECT TIMESTAMP '2024-01-01 10:00:00' + INTERVAL '1' DAY * d, d FROM UNNEST(sequence(%d, %d)) t(d)".formatted(first, first + 59));
        }
        long id = approved("missing-partition-pruning", "iceberg.demo.unpartitioned_days",
                PartitionSpec.adding("iceberg.demo.unpartitioned_days", List.of(), "day(ts)", Rewrite.allFiles(1 << 20, 128L << 20)));

        assertThat(applier.apply(id, "alice", true).change()).as("60 days a file").contains("piece 4 of 4");
        FixApplier.Outcome applied = applier.apply(id, "alice", false);
        assertThat(applied.result()).as(applied.message()).isEqualTo(FixAudit.Result.APPLIED);
        assertThat(specIds("unpartitioned_days")).containsExactly(table("unpartitioned_days").spec().specId());
        assertThat(trino.execute("SELECT count(*) FROM unpartitioned_days").getOnlyValue()).isEqualTo(240L);
    }

    /** Met from outside: a sort order whose rewrite rewrote nothing, every file alone in its month, said nothing of why. */
    @Test
    void aSortOrderSaysThatFilesAloneInTheirPartitionsKeepTheOldOrder()
    {
        trino.execute("CREATE TABLE lone (ts timestamp(6), status varchar) WITH (partitioning = ARRAY['month(ts)'])");
        trino.execute("INSERT INTO lone VALUES (TIMESTAMP '2024-01-01 10:00:00', 'paid'), (TIMESTAMP '2024-02-01 10:00:00', 'new')");
        long id = approved("inefficient-layout", "iceberg.demo.lone", new SortOrder("iceberg.demo.lone", List.of("status"), new Rewrite(128L << 20)));

        FixApplier.Outcome planned = applier.apply(id, "alice", true);
        assertThat(planned.change()).contains("replaceSortOrder")
                .contains("its 2 files, each alone in its partition, keep the old layout: Trino's optimize rewrites no lone file").doesNotContain("piece");

        trino.execute("INSERT INTO lone VALUES (TIMESTAMP '2024-01-02 10:00:00', 'new')");
        assertThat(applier.apply(id, "alice", true).change()).as("January's two files are rewritten, February's is alone")
                .contains("its 1 file alone in its partition keeps the old layout").contains("piece 1 of 1");
    }

    /** Met from outside: a sort order approved, then its column renamed; the dry run planned it, the apply failed with "Cannot find field". Refused before planning, and opened again. */
    @Test
    void aLayoutChangeOnAColumnRenamedSinceItsRuleFiredIsOpenedAgainForItsRuleToProposeAnew()
    {
        trino.execute("CREATE TABLE renamed (ts timestamp(6), status varchar)");
        trino.execute("INSERT INTO renamed VALUES (TIMESTAMP '2024-01-01 10:00:00', 'paid')");
        long sort = approved("inefficient-layout", "iceberg.demo.renamed", new SortOrder("iceberg.demo.renamed", List.of("status"), new Rewrite(128L << 20)));
        long partition = approved("missing-partition-pruning", "iceberg.demo.renamed", PartitionSpec.adding("iceberg.demo.renamed", List.of(), "day(ts)", null));
        trino.execute("ALTER TABLE renamed RENAME COLUMN status TO order_status");
        trino.execute("ALTER TABLE renamed RENAME COLUMN ts TO created_at");

        assertThatThrownBy(() -> applier.apply(sort, "alice", true))
                .hasMessage("iceberg.demo.renamed has no column status any more (renamed or dropped since the rule fired): applying it opens it again, "
                        + "and the next evaluation proposes what holds now, to approve anew");
        assertThat(store.find(sort).orElseThrow().status()).as("a dry run changes nothing").isEqualTo(Status.APPROVED);
        assertThatThrownBy(() -> applier.apply(partition, "alice", false))
                .hasMessage("iceberg.demo.renamed has no column ts any more (renamed or dropped since the rule fired): open again: the next evaluation "
                        + "proposes what holds now, to approve anew");
        assertThat(table("renamed").sortOrder().isUnsorted()).isTrue();
        assertThat(table("renamed").spec().isUnpartitioned()).isTrue();

        // met from outside: the advice was to reject it, and a rejected recommendation stays rejected whatever its rule proposes next;
        // open again, it takes the fix the rule proposes on the renamed column
        assertThat(store.find(partition).orElseThrow().status()).isEqualTo(Status.OPEN);
        assertThat(recorded("missing-partition-pruning", "iceberg.demo.renamed", PartitionSpec.adding("iceberg.demo.renamed", List.of(), "day(created_at)", null)))
                .isEqualTo(partition);
        assertThat(store.find(partition).orElseThrow().fix().render()).contains("day(created_at)");
        store.approve(partition, "alice", null);
        assertThat(applier.apply(partition, "alice", false).result()).isEqualTo(FixAudit.Result.APPLIED);
        assertThat(table("renamed").spec().fields()).singleElement().satisfies(field -> assertThat(field.transform().toString()).isEqualTo("day"));
    }

    private java.util.Set<Integer> specIds(String name)
    {
        java.util.Set<Integer> specs = new java.util.HashSet<>();
        try (var tasks = table(name).newScan().planFiles()) {
            tasks.forEach(task -> specs.add(task.file().specId()));
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return specs;
    }

    /**
     * A layout change of a table read through Trino: the layout set by Trino's own statement (icetune cannot commit to the catalog),
     * its files rewritten into it, and rolled back the same way. Through the Iceberg API both failed, nothing changed.
     */
    @Test
    void aTableReadThroughTrinoChangesItsLayoutAndBackThroughTrino()
            throws Exception
    {
        String table = "iceberg_files.demo.layout_me";
        trino.execute("CREATE TABLE " + table + " (ts timestamp(6), user_id bigint)");
        for (int day = 1; day <= 3; day++) {
            trino.execute("INSERT INTO %s VALUES (TIMESTAMP '2024-01-0%d 10:00:00', %d)".formatted(table, day, day));
        }
        try (TableMetadataReader throughTrino = throughTrino()) {
            FixApplier throughTrinoApplier = applierFor(throughTrino);
            long id = approved("missing-partition-pruning", table, PartitionSpec.adding(table, List.of(), "day(ts)", new Rewrite(128L << 20)));

            assertThat(throughTrinoApplier.apply(id, "alice", true).change())
                    .startsWith("ALTER TABLE \"iceberg_files\".\"demo\".\"layout_me\" SET PROPERTIES partitioning = ARRAY['day(ts)']  [metadata only];");
            FixApplier.Outcome applied = throughTrinoApplier.apply(id, "alice", false);
            assertThat(applied.result()).as(applied.message()).isEqualTo(FixAudit.Result.APPLIED);
            TableFact after = throughTrino.read(table, 1 << 20, Instant.now()).orElseThrow();
            assertThat(after.partitionFields()).containsExactly("ts_day: day(ts)");
            assertThat(after.partitions()).as("its files rewritten into a partition a day").isEqualTo(3);

            FixApplier.Outcome rolledBack = throughTrinoApplier.rollback(id, "alice");
            assertThat(rolledBack.result()).as(rolledBack.message()).isEqualTo(FixAudit.Result.ROLLED_BACK);
            assertThat(throughTrino.read(table, 1 << 20, Instant.now()).orElseThrow().partitionFields()).isEmpty();
            assertThat(trino.execute("SELECT user_id FROM " + table).getOnlyColumnAsSet()).containsExactlyInAnyOrder(1L, 2L, 3L);
        }
    }

    /** The snapshots of a table read through Trino expire by Trino's own procedure: through the Iceberg API the commit failed, nothing expired. */
    @Test
    void aTableReadThroughTrinoExpiresItsSnapshotsThroughTrino()
            throws Exception
    {
        String table = "iceberg_files.demo.history";
        trino.execute("CREATE TABLE " + table + " (x bigint)");
        for (int x = 1; x <= 4; x++) {
            trino.execute("INSERT INTO %s VALUES %d".formatted(table, x));
        }
        try (TableMetadataReader throughTrino = throughTrino()) {
            assertThat(throughTrino.read(table, 1 << 20, Instant.now()).orElseThrow().snapshots()).isGreaterThanOrEqualTo(4);
            FixApplier throughTrinoApplier = applierFor(throughTrino);
            long id = approved("snapshot-buildup", table, new ExpireSnapshots(table, 0));

            assertThat(throughTrinoApplier.apply(id, "alice", true).change())
                    .startsWith("ALTER TABLE \"iceberg_files\".\"demo\".\"history\" EXECUTE expire_snapshots(retention_threshold => '0h')  [expires ");
            FixApplier.Outcome applied = throughTrinoApplier.apply(id, "alice", false);
            assertThat(applied.result()).as(applied.message()).isEqualTo(FixAudit.Result.APPLIED);
            assertThat(throughTrino.read(table, 1 << 20, Instant.now()).orElseThrow().snapshots()).isEqualTo(1);
            assertThat(trino.execute("SELECT x FROM " + table).getOnlyColumnAsSet()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
        }
    }

    /** The reader of the iceberg_files catalog as a platform team without access to its metastore configures it: through Trino. */
    private TableMetadataReader throughTrino()
    {
        return new TableMetadataReader(List.of(new TableMetadataReader.CatalogSpec("iceberg_files", "iceberg_files",
                Map.of("type", TrinoCatalog.TYPE, LocalFileIO.ROOT_PROPERTY, files.toString()))), Optional.of(connections));
    }

    /** Applies fixes as the CLI does, reading tables with {@code reader}. */
    private static Properties userIcetune()
    {
        Properties properties = new Properties();
        properties.setProperty("user", "icetune");
        // one writer: a rewrite's files do not depend on how many writers the machine starts
        properties.setProperty("sessionProperties", "task_min_writer_count:1;task_max_writer_count:1");
        return properties;
    }

    /**
     * A table partitioned by {@code p} written twice, each time 160,000 rows of 128 hexadecimal digits (10 MB), {@code x} the row's
     * number: a file a partition each time.
     */
    private void writeTwice(String table, String partition)
    {
        trino.execute("CREATE TABLE %s (p integer, payload varchar) WITH (partitioning = ARRAY['p'])".formatted(table));
        for (int insert = 1; insert <= 2; insert++) {
            trino.execute(("INSERT INTO %s SELECT %s, to_hex(sha512(to_utf8(CAST(x * %d AS varchar)))) "
                    + "FROM (SELECT a * 10000 + b AS x FROM UNNEST(sequence(0, 15)) s(a) CROSS JOIN UNNEST(sequence(1, 10000)) t(b))").formatted(table, partition, insert));
        }
    }

    /** An applier whose statements Trino gives 24 MB a node (its own session property, as a small cluster's query.max-memory-per-node). */
    private FixApplier onSmallTrino()
    {
        Properties small = userIcetune();
        small.setProperty("sessionProperties", small.getProperty("sessionProperties") + ";query_max_memory_per_node:24MB");
        return new FixApplier(jdbi, store, iceberg, Optional.of(() -> new TrinoDriver().connect(trino.jdbcUrl(), small)));
    }

    private FixApplier applierFor(TableMetadataReader reader)
    {
        return new FixApplier(jdbi, store, reader, Optional.of(connections));
    }

    /** A table of ids 1 to 4 in one file, 3 deleted (a delete file). */
    private void withADeletedRow(String name)
    {
        trino.execute("CREATE TABLE " + name + " (id bigint)");
        trino.execute("INSERT INTO " + name + " VALUES 1, 2, 3, 4");
        trino.execute("DELETE FROM " + name + " WHERE id = 3");
    }

    private void assertDeletesAppliedAndGone(String name)
    {
        assertThat(summary(name, "total-delete-files")).isZero();
        assertThat(trino.execute("SELECT id FROM " + name).getOnlyColumnAsSet()).containsExactlyInAnyOrder(1L, 2L, 4L);
    }

    /** An approved delete-file-buildup compaction of the table. */
    private long compaction(String table)
    {
        return approved("delete-file-buildup", table, new Compact(table, 128L << 20));
    }

    /** The id of {@code rule}'s recommendation of {@code fix} on {@code table}, approved; the other tests' recommendations stay open however many tests record one. */
    private long approved(String rule, String table, Fix fix)
    {
        long id = recorded(rule, table, fix);
        store.approve(id, "alice", null);
        return id;
    }

    /** The id of {@code rule}'s recommendation of {@code fix} on {@code table}, open. */
    private long recorded(String rule, String table, Fix fix)
    {
        store.record(List.of(recommendation(rule, table, fix)), Instant.now(), Integer.MAX_VALUE);
        return id(rule, table);
    }

    private long summary(String table, String key)
    {
        return Long.parseLong(table(table).currentSnapshot().summary().get(key));
    }

    private Table table(String name)
    {
        return iceberg.load("iceberg.demo." + name).orElseThrow();
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
