package dev.icetune.fixes;

import dev.icetune.engine.Evaluator;
import dev.icetune.engine.estimate.Estimator;
import dev.icetune.engine.evidence.EvidenceReader;
import dev.icetune.engine.iceberg.TableFactSource;
import dev.icetune.engine.iceberg.TableMetadataReader;
import dev.icetune.engine.model.BloomFilters;
import dev.icetune.engine.model.Estimate;
import dev.icetune.engine.model.ExpireSnapshots;
import dev.icetune.engine.model.Level;
import dev.icetune.engine.model.MaterializedView;
import dev.icetune.engine.model.Recommendation;
import dev.icetune.engine.model.Rewrite;
import dev.icetune.engine.model.Severity;
import dev.icetune.engine.model.Status;
import dev.icetune.engine.model.TargetType;
import dev.icetune.engine.rules.RuleBookHolder;
import dev.icetune.engine.store.Approvals;
import dev.icetune.engine.store.RecommendationStore;
import dev.icetune.listener.IcetuneEventListenerFactory;
import dev.icetune.store.Database;
import dev.icetune.testing.CapturedRows;
import dev.icetune.testing.IcebergTrino;
import dev.icetune.testing.LocalIcebergCatalog;
import dev.icetune.testing.TestingPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trino.jdbc.TrinoDriver;
import io.trino.spi.eventlistener.EventListener;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.airlift.testing.Closeables.closeAll;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A planted workload on a real Trino with the real Iceberg connector and the capture plugin: tables that each have
 * one problem, queried; the real rules and estimates; the fixes approved, applied (one while a writer keeps inserting)
 * and measured on the same queries afterwards. Each fix is judged on its own queries, its estimate against what it
 * then measured; a fix that changed nothing is never verified, and a bloom filter that does not help regresses.
 *
 * <p>The cluster writes files of at most 1MB and reads a small file range by range, as it reads files of production
 * size, rather than whole at once; icetune is told the writers' target ({@code layout.target_file_bytes}), as a platform
 * team tells it its own. So a table of a few megabytes has the files, row groups and bloom filters of a large one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestFixEffectsEndToEnd
{
    /** How far a measured saving may be from the estimated one: within a factor of two either way. */
    private static final double FACTOR = 2;
    /** Ids of the keys table: distinct, scattered over the bigint range (a multiplicative permutation modulo a prime). */
    private static final long KEY_MULTIPLIER = 48271;
    private static final long KEY_MODULUS = 2147483647;
    private static final int KEY_FILES = 20;
    private static final int KEYS_PER_FILE = 100_000;
    /** A schema and a table with dots in their names, as Trino allows them: found in the catalog, fixed and measured under their own names. */
    private static final String COMPACT_ME = "iceberg.\"demo.eu\".\"compact.me\"";

    @TempDir
    static Path temporary;

    private EventListener listener;
    private IcebergTrino trino;
    private TableMetadataReader iceberg;
    private RecommendationStore store;
    private Evaluator evaluator;
    private FixApplier applier;
    private Jdbi jdbi;
    private CapturedRows rows;
    private String catalogUrl;
    private Path warehouse;

    @BeforeAll
    void start()
            throws Exception
    {
        TestingPostgres postgres = TestingPostgres.shared();
        String url = postgres.createDatabase("effects");
        catalogUrl = postgres.createDatabase("effects_catalog");
        warehouse = temporary.resolve("warehouse");
        listener = new IcetuneEventListenerFactory().create(Map.of("icetune.db.url", url, "icetune.db.user", "postgres",
                "icetune.spool.dir", temporary.resolve("spool").toString()), null);
        trino = IcebergTrino.start(listener, catalogUrl, warehouse, Map.of(), Map.of("iceberg.target-max-file-size", "1MB", "parquet.small-file-threshold", "0B"));

        // compact.me: 40 small files, read whole
        trino.execute("CREATE SCHEMA iceberg.\"demo.eu\"");
        trino.execute("CREATE TABLE " + COMPACT_ME + " (ts timestamp(6), user_id bigint, payload varchar)");
        // ranges: 30 small files each spanning all 30 days, so min/max cannot prune a one-day range; its time column's name has a space
        // (Trino's symbol for it is event_time)
        trino.execute("CREATE TABLE ranges (\"event time\" timestamp(6), user_id bigint, payload varchar)");
        // amounts: 20 small files each spanning every amount, filtered by amount ranges
        trino.execute("CREATE TABLE amounts (amount bigint, user_id bigint, payload varchar)");
        for (int file = 0; file < 40; file++) {
            trino.execute("INSERT INTO " + COMPACT_ME + " SELECT TIMESTAMP '2024-03-01 00:00:00' + INTERVAL '1' MINUTE * x, x + %d, 'p' FROM UNNEST(sequence(1, 100)) t(x)".formatted(file));
            if (file < 30) {
                trino.execute("INSERT INTO ranges SELECT TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '1' DAY * (x %% 30) + INTERVAL '1' MINUTE * %d, x, lower(to_hex(md5(to_utf8(CAST(x * %d AS varchar))))) FROM UNNEST(sequence(0, 299)) t(x)"
                        .formatted(file, file + 1));
            }
            if (file < 20) {
                trino.execute("INSERT INTO amounts SELECT (x * 37 + %d) %% 1000, x, 'p' FROM UNNEST(sequence(0, 199)) t(x)".formatted(file));
            }
        }
        // monthly: partitioned by month, 24 months of a few KB, each month's one file alone in its partition, read whole: a compaction
        // cannot merge them, a coarser grain can
        trino.execute("CREATE TABLE monthly (ts timestamp(6), amount bigint) WITH (partitioning = ARRAY['month(ts)'])");
        trino.execute("INSERT INTO monthly SELECT TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '1' MONTH * (x % 24) + INTERVAL '1' HOUR * (x / 24), x FROM UNNEST(sequence(0, 2399)) t(x)");
        // regions: partitioned by region, 24 regions of a few KB, each one file alone in its partition, read whole: the table is
        // better unpartitioned
        trino.execute("CREATE TABLE regions (region varchar, amount bigint) WITH (partitioning = ARRAY['region'])");
        trino.execute("INSERT INTO regions SELECT 'region ' || CAST(x % 24 AS varchar), x FROM UNNEST(sequence(0, 2399)) t(x)");
        // lookups: 20 files, each holding its own range of user ids, so min/max already finds a lookup's one file; a bloom filter's
        // rewrite merges them into one file the lookups then read whole, and the filter cannot skip a row group holding the value
        trino.execute("CREATE TABLE lookups (user_id bigint, id bigint)");
        for (int file = 0; file < 20; file++) {
            trino.execute("INSERT INTO lookups SELECT %d + x %% 100, %d + x FROM UNNEST(sequence(0, 499)) t(x)".formatted(100 * file, 1000 * file));
        }
        // keys: 20 files of 100,000 distinct ids, each file spanning the whole range, so min/max cannot exclude a file and a lookup
        // finds its id in one of them; statistics count the ids. A bloom filter lets a lookup skip the row groups of the others. The
        // files are larger than a piece of the rewrite: a piece of one file would be left as it is by optimize, without the filter.
        trino.execute("CREATE TABLE keys (user_id bigint)");
        for (int file = 0; file < KEY_FILES; file++) {
            trino.execute("INSERT INTO keys SELECT ((a * 10000 + b) * %d + %d) * %d %% %d FROM UNNEST(sequence(0, %d)) s(a) CROSS JOIN UNNEST(sequence(0, 9999)) t(b)"
                    .formatted(KEY_FILES, file, KEY_MULTIPLIER, KEY_MODULUS, KEYS_PER_FILE / 10000 - 1));
        }
        trino.execute("ANALYZE keys");
        // visits: in a catalog with materialized views (Trino's file metastore; its JDBC catalog has none), 2M visits in 20 files, read whole by
        // a dashboard's daily distinct users
        Files.createDirectories(temporary.resolve("files").resolve("metastore"));
        trino.createCatalog("iceberg_files", "iceberg", Map.of("iceberg.catalog.type", "TESTING_FILE_METASTORE", "hive.metastore.catalog.dir", "local:///metastore",
                "fs.local.enabled", "true", "local.location", temporary.resolve("files").toString()));
        trino.execute("CREATE SCHEMA iceberg_files.demo");
        trino.execute("CREATE TABLE iceberg_files.demo.visits (day bigint, user_id bigint)");
        for (int file = 0; file < 20; file++) {
            trino.execute("INSERT INTO iceberg_files.demo.visits SELECT b % 30, a * 10000 + b FROM UNNEST(sequence(0, 9)) s(a) CROSS JOIN UNNEST(sequence(0, 9999)) t(b)");
        }

        iceberg = new TableMetadataReader(LocalIcebergCatalog.TRINO_CATALOG, LocalIcebergCatalog.NAME, LocalIcebergCatalog.icebergProperties(catalogUrl, warehouse));
        Database.of(url, "postgres", "icetune-test").migrate();
        jdbi = Jdbi.create(url, "postgres", "");
        rows = new CapturedRows(url);
        store = new RecommendationStore(jdbi, Approvals.parse("alice", ""));
        evaluator = new Evaluator(jdbi, new RuleBookHolder(rulesWritingFilesOf(1 << 20), System.err::println), Optional.of((TableFactSource) iceberg), Duration.ofHours(1),
                Duration.ofDays(7), 3, store, new SimpleMeterRegistry());
        // small pieces (a user may set icetune.rewrite.piece-size so), so that the rewrite of ranges commits several times while a writer inserts
        applier = new FixApplier(jdbi, store, iceberg, Optional.of(() -> {
            Properties properties = new Properties();
            properties.setProperty("user", "icetune");
            return new TrinoDriver().connect(trino.jdbcUrl(), properties);
        }), 64 << 10, 500, 100);
    }

    /** The shipped rules, with the writers' target file size of this cluster. */
    private static Path rulesWritingFilesOf(long targetFileBytes)
            throws IOException
    {
        Path rules = Files.createDirectories(temporary.resolve("rules"));
        try (var files = Files.list(Path.of("../rules"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, rules.resolve(file.getFileName()));
            }
        }
        Path thresholds = rules.resolve("thresholds.properties");
        String shipped = Files.readString(thresholds);
        String ours = shipped.replaceAll("(?m)^layout\\.target_file_bytes = .*$", "layout.target_file_bytes = " + targetFileBytes);
        assertThat(ours).as("the shipped thresholds name layout.target_file_bytes").isNotEqualTo(shipped);
        Files.writeString(thresholds, ours);
        return rules;
    }

    @AfterAll
    void stop()
            throws Exception
    {
        closeAll(trino, iceberg);
    }

    @Test
    void eachFixIsMeasuredOnItsOwnQueriesAndAgainstItsEstimate()
            throws Exception
    {
        workload();
        evaluator.evaluate(Instant.now().plusSeconds(1), System.out::println);
        long compaction = id("small-files", COMPACT_ME);
        assertThat(store.find(compaction).orElseThrow().proposedFix()).startsWith("ALTER TABLE \"iceberg\".\"demo.eu\".\"compact.me\" EXECUTE optimize(");
        long partition = id("missing-partition-pruning", "iceberg.demo.ranges");
        long sort = id("inefficient-layout", "iceberg.demo.amounts");
        long compactAmounts = id("small-files", "iceberg.demo.amounts");
        long helpfulBloom = id("bloom-filter", "iceberg.demo.keys.user_id");
        long coarser = id("over-partitioning", "iceberg.demo.monthly");
        assertThat(store.find(coarser).orElseThrow().proposedFix()).startsWith("ALTER TABLE \"iceberg\".\"demo\".\"monthly\" SET PROPERTIES partitioning = ARRAY['year(ts)']");
        assertThat(store.list(Optional.empty())).as("its lone small files are not a compaction's").noneMatch(each -> each.target().equals("iceberg.demo.monthly") && each.ruleId().equals("small-files"));
        long unpartition = id("over-partitioning-by-value", "iceberg.demo.regions");
        assertThat(store.find(unpartition).orElseThrow().proposedFix()).startsWith("ALTER TABLE \"iceberg\".\"demo\".\"regions\" SET PROPERTIES partitioning = ARRAY[]");
        store.record(List.of(
                new Recommendation("bloom-filter", TargetType.TABLE, "iceberg.demo.lookups.user_id", Severity.MEDIUM, Level.L2, Map.of(), "planted: a bloom filter that does not help",
                        BloomFilters.adding("iceberg.demo.lookups", List.of(), "user_id", Rewrite.allFiles(1 << 20, 1 << 20))),
                new Recommendation("snapshot-buildup", TargetType.TABLE, COMPACT_ME, Severity.LOW, Level.L1, Map.of(), "planted: nothing to expire",
                        new ExpireSnapshots(COMPACT_ME, 24 * 365))), Instant.now(), 3);
        long bloom = id("bloom-filter", "iceberg.demo.lookups.user_id");
        long nothing = id("snapshot-buildup", COMPACT_ME);
        for (long id : List.of(compaction, partition, sort, helpfulBloom, coarser, unpartition)) {
            assertThat(store.find(id).orElseThrow().estimate().isKnown()).as("#%d valued before approval", id).isTrue();
        }
        for (long id : List.of(compaction, partition, sort, bloom, helpfulBloom, nothing, coarser, unpartition)) {
            store.approve(id, "alice", "test");
        }

        // the partition fix and its rewrite, in pieces, while a writer keeps inserting into the same table
        FixApplier.Outcome dryRun = applier.apply(partition, "alice", true);
        assertThat(dryRun.change()).contains("table.updateSpec().addField(day(\"event time\")).commit()").contains("piece 1 of ").contains("then compact the partitions the ");
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong inserted = new AtomicLong();
        List<Exception> writerFailures = new ArrayList<>();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (Connection connection = connect(); Statement statement = connection.createStatement()) {
                while (writing.get()) {
                    // rows of 2030, outside every range the workload reads
                    statement.execute("INSERT INTO iceberg.demo.ranges VALUES (TIMESTAMP '2030-01-01 00:00:00', %d, 'late')".formatted(inserted.get()));
                    inserted.incrementAndGet();
                }
            }
            catch (Exception e) {
                writerFailures.add(e);
            }
        });
        long beforeApply;
        long afterApply;
        try {
            while (inserted.get() < 2) {
                Thread.sleep(50);
            }
            beforeApply = inserted.get();
            assertThat(applier.apply(partition, "alice", false).result()).isEqualTo(FixAudit.Result.APPLIED);
            afterApply = inserted.get();
        }
        finally {
            writing.set(false);
            writer.join();
        }
        assertThat(writerFailures).as("the writer never failed").isEmpty();
        assertThat(trino.execute("SELECT count(*) FROM ranges WHERE payload = 'late'").getOnlyValue()).as("nothing the writer inserted is lost").isEqualTo(inserted.get());
        assertThat(afterApply - beforeApply).as("inserts committed while the plan ran").isPositive();
        List<Map<String, Object>> steps = rows.query("SELECT step, steps, result FROM fix_audit WHERE recommendation_id = ? AND action = 'apply' AND step IS NOT NULL ORDER BY id", partition);
        assertThat(steps).as("the layout change, several pieces and the compaction of what they left, each audited").hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(step -> assertThat(step).containsEntry("result", "applied").containsEntry("steps", steps.size()));

        for (long id : List.of(compaction, sort, bloom, helpfulBloom, nothing, coarser, unpartition)) {
            applier.apply(id, "alice", false);
        }
        // no query of its table since: said as such, not only "none yet"
        EffectMeasurer measurer = new EffectMeasurer(jdbi, store, Optional.of(iceberg), 5, 0.2, 4 << 20);
        assertThat(measurer.waiting(store.find(compaction).orElseThrow(), Instant.now().plusSeconds(1), Duration.ofHours(1))).get().satisfies(waiting -> {
            assertThat(waiting.scope()).isEqualTo("scans of " + COMPACT_ME);
            assertThat(waiting.before()).as("the workload's scans of it").isGreaterThanOrEqualTo(5);
            assertThat(waiting.since()).isZero();
        });
        workload();
        List<EffectMeasurer.Effect> effects = measure();
        effects.forEach(System.out::println);

        // the partition fix alone: one-day ranges read a tenth of the files at most, verified on those queries
        RecommendationStore.Stored partitioned = store.find(partition).orElseThrow();
        assertThat(partitioned.status()).isEqualTo(Status.VERIFIED);
        assertThat(partitioned.measuredEffect()).containsEntry("scope", "time-range scans of iceberg.demo.ranges on event time").containsEntry("files_per_query_before", 30.0);
        assertThat((Double) partitioned.measuredEffect().get("files_per_query_after")).isLessThanOrEqualTo(3.0);
        assertWithinFactor(partitioned, "files_saved_measured_over_estimated");
        assertWithinFactor(partitioned, "bytes_saved_measured_over_estimated");

        for (long id : List.of(compaction, sort)) {
            RecommendationStore.Stored fixed = store.find(id).orElseThrow();
            assertThat(fixed.status()).as(fixed.ruleId()).isEqualTo(Status.VERIFIED);
            assertThat(fixed.measuredEffect()).as(fixed.ruleId()).doesNotContainKey("measured_with");
            assertWithinFactor(fixed, "files_saved_measured_over_estimated");
        }

        // the coarser grain: every scan of monthly reads its two years' files instead of 24 months', as estimated
        RecommendationStore.Stored coarsened = store.find(coarser).orElseThrow();
        assertThat(coarsened.status()).as("%s", coarsened.measuredEffect()).isEqualTo(Status.VERIFIED);
        assertThat(coarsened.measuredEffect()).containsEntry("scope", "scans of iceberg.demo.monthly").containsEntry("files_per_query_before", 24.0)
                .containsEntry("files_per_query_after", 2.0);
        assertThat(store.history(coarser).getLast().reason()).as("said for people").isEqualTo("its queries improved: scan work per query 96.0 MB -> 8.0 MB");
        assertWithinFactor(coarsened, "files_saved_measured_over_estimated");

        // the partition field removed: every scan of regions reads the files of one partition instead of 24 regions' files, as
        // estimated (one file; optimize's parallel writers may write two)
        RecommendationStore.Stored unpartitioned = store.find(unpartition).orElseThrow();
        assertThat(unpartitioned.status()).as("%s", unpartitioned.measuredEffect()).isEqualTo(Status.VERIFIED);
        assertThat(unpartitioned.measuredEffect()).containsEntry("scope", "scans of iceberg.demo.regions").containsEntry("files_per_query_before", 24.0);
        assertThat((Double) unpartitioned.measuredEffect().get("files_per_query_after")).isLessThanOrEqualTo(2.0);
        assertWithinFactor(unpartitioned, "files_saved_measured_over_estimated");
        // rolled back: partitioned by region again; the files the rewrite wrote stay as they are, and the rollback says so
        FixApplier.Outcome rolledBack = applier.rollback(unpartition, "alice");
        assertThat(rolledBack.result()).isEqualTo(FixAudit.Result.ROLLED_BACK);
        assertThat(rolledBack.message()).startsWith("the rewrite is not undone: ");
        assertThat((String) trino.execute("SHOW CREATE TABLE regions").getOnlyValue()).contains("partitioning = ARRAY['region']");
        assertThat(trino.execute("SELECT count(*) FROM regions").getOnlyValue()).isEqualTo(2400L);

        assertThat(store.find(compactAmounts).orElseThrow().status()).as("the sort order's rewrite of all of amounts compacted it too").isEqualTo(Status.SUPERSEDED);

        // the bloom filter that helps: lookups open as many files as before and read the row groups of one, bytes read as estimated
        RecommendationStore.Stored helped = store.find(helpfulBloom).orElseThrow();
        assertThat(helped.status()).as("fewer bytes read per lookup: %s", helped.measuredEffect()).isEqualTo(Status.VERIFIED);
        assertThat(helped.measuredEffect()).containsEntry("scope", "lookups on iceberg.demo.keys.user_id").containsEntry("own_bytes_are", "read");
        assertWithinFactor(helped, "bytes_saved_measured_over_estimated");

        List.of(partition, compaction, sort, helpfulBloom, coarser, unpartition).forEach(id -> printAccuracy(store.find(id).orElseThrow()));

        RecommendationStore.Stored useless = store.find(bloom).orElseThrow();
        assertThat(useless.status()).as("more bytes per lookup: %s", useless.measuredEffect()).isEqualTo(Status.REGRESSED);
        assertThat(useless.measuredEffect()).containsEntry("proposed", "icetune rollback " + bloom + " --by NAME");

        RecommendationStore.Stored unchanged = store.find(nothing).orElseThrow();
        assertThat(unchanged.status()).as("a no-op is never verified").isEqualTo(Status.APPLIED);
        assertThat(unchanged.measuredEffect()).containsEntry("verdict", "unchanged");
    }

    @Test
    void aMaterializedViewIsMeasuredOnItsPatternThenOnTheReadsOfTheView()
    {
        String query = "SELECT day, count(DISTINCT user_id) AS users FROM iceberg_files.demo.visits GROUP BY day";
        List<String> before = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            before.add(trino.run(query));
        }
        before.forEach(rows::awaitQuery);
        evaluator.evaluate(Instant.now().plusSeconds(1), System.out::println);
        RecommendationStore.Stored recommended = store.list(Optional.empty()).stream()
                .filter(each -> each.ruleId().equals("materialized-view") && each.fix() instanceof MaterializedView view && view.table().equals("iceberg_files.demo.visits"))
                .findFirst().orElseThrow(() -> new AssertionError("no materialized view for the aggregation over visits"));
        assertThat(recommended.estimate().isKnown()).isTrue();
        store.approve(recommended.id(), "alice", "test");
        assertThat(applier.apply(recommended.id(), "alice", false).result()).isEqualTo(FixAudit.Result.APPLIED);

        // its queries pointed at the view, as the recommendation says (Trino does not do it by itself)
        String view = ((MaterializedView) recommended.fix()).name();
        List<String> after = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            after.add(trino.run("SELECT day, users FROM " + view));
        }
        after.forEach(rows::awaitQuery);
        measure();

        RecommendationStore.Stored measured = store.find(recommended.id()).orElseThrow();
        printAccuracy(measured);
        assertThat(measured.status()).as("%s", measured.measuredEffect()).isEqualTo(Status.VERIFIED);
        assertWithinFactor(measured, "files_saved_measured_over_estimated");
        assertWithinFactor(measured, "bytes_saved_measured_over_estimated");
    }

    @Test
    void aSnapshotExpiryShrinksTheMetadataEveryQueryPlansOverAsEstimated()
    {
        // history: a table written a row at a time, a snapshot each, that a dashboard reads
        trino.execute("CREATE TABLE history (ts timestamp(6), user_id bigint)");
        for (int i = 0; i < 80; i++) {
            trino.execute("INSERT INTO history VALUES (TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '1' HOUR * %d, %d)".formatted(i, i));
        }
        readHistory();
        // its snapshots are minutes old, not older than the week the shipped rule keeps: the fix keeps none but the current one.
        // It is valued as an evaluation values the rule's, from the captured scans and the table's metadata
        Instant now = Instant.now().plusSeconds(1);
        Recommendation expiry = new Recommendation("snapshot-buildup", TargetType.TABLE, "iceberg.demo.history", Severity.LOW, Level.L1, Map.of(),
                "planted: 81 snapshots", new ExpireSnapshots("iceberg.demo.history", 0));
        List<Object> facts = new ArrayList<>(new EvidenceReader(jdbi).read(now, Duration.ofHours(1), Duration.ofDays(7), Duration.ofMinutes(5)).all());
        facts.add(iceberg.read("iceberg.demo.history", 1 << 20, now).orElseThrow());
        Estimate estimate = new Estimator(facts, evaluator.thresholds(), Duration.ofHours(1)).estimate(expiry);
        assertThat(estimate.isKnown()).as(estimate.assumptions()).isTrue();
        assertThat(estimate.assumptions()).contains("lists its 81 snapshots; expiring the 80 older than 0 hours");
        store.record(List.of(expiry.withEstimate(estimate)), now, 3);
        long id = id("snapshot-buildup", "iceberg.demo.history");
        store.approve(id, "alice", "test");
        assertThat(applier.apply(id, "alice", false).result()).isEqualTo(FixAudit.Result.APPLIED);
        readHistory();
        measure();

        RecommendationStore.Stored measured = store.find(id).orElseThrow();
        printAccuracy(measured);
        assertThat(measured.status()).as("%s", measured.measuredEffect()).isEqualTo(Status.VERIFIED);
        assertThat(measured.measuredEffect()).containsEntry("scope", "the planning of scans of iceberg.demo.history").containsEntry("own_bytes_are", "metadata");
        assertWithinFactor(measured, "bytes_saved_measured_over_estimated");
    }

    @Test
    void statisticsLetThePlannerEstimateTheLookupsItCouldNotAsEstimated()
    {
        // products: written by an engine that collects no column statistics (here a second catalog of the same tables, told not
        // to); a dashboard sums the orders of a product it looks up by name, through the usual catalog
        Map<String, String> writtenElsewhere = new HashMap<>(LocalIcebergCatalog.trinoProperties(catalogUrl, warehouse));
        writtenElsewhere.put("iceberg.extended-statistics.collect-on-write", "false");
        trino.createCatalog("elsewhere", "iceberg", writtenElsewhere);
        trino.execute("CREATE TABLE elsewhere.demo.products (id bigint, name varchar)");
        trino.execute("INSERT INTO elsewhere.demo.products SELECT x, 'product ' || CAST(x AS varchar) FROM UNNEST(sequence(1, 10000)) t(x)");
        trino.execute("CREATE TABLE orders (product_id bigint, amount bigint)");
        trino.execute("INSERT INTO orders SELECT x % 10000 + 1, x FROM UNNEST(sequence(1, 10000)) s(x) CROSS JOIN UNNEST(sequence(1, 3)) t(y)");
        lookUpProducts();
        evaluator.evaluate(Instant.now().plusSeconds(1), System.out::println);
        long id = id("stale-statistics", "iceberg.demo.products");
        Estimate estimate = store.find(id).orElseThrow().estimate();
        assertThat(estimate.misestimatedShareBefore()).as(estimate.assumptions()).isEqualTo(1.0);
        assertThat(estimate.misestimatedShareAfter()).as("every filter of products is by name only").isEqualTo(0.0);

        store.approve(id, "alice", "test");
        assertThat(applier.apply(id, "alice", false).result()).isEqualTo(FixAudit.Result.APPLIED);
        lookUpProducts();
        measure();

        RecommendationStore.Stored measured = store.find(id).orElseThrow();
        System.out.println("estimate against measurement, stale-statistics: misestimates fixed " + measured.measuredEffect().get("misestimates_fixed_measured_over_estimated")
                + " of the estimate; " + measured.measuredEffect());
        assertThat(measured.status()).as("%s", measured.measuredEffect()).isEqualTo(Status.VERIFIED);
        assertThat(measured.measuredEffect()).containsEntry("scope", "filtered scans of iceberg.demo.products")
                .containsEntry("own_misestimated_share_before", 1.0).containsEntry("own_misestimated_share_after", 0.0);
        assertWithinFactor(measured, "misestimates_fixed_measured_over_estimated");
    }

    /** The effects measured now, as an evaluation measures them (5 queries a side, a 20% change, a file opened counting 4 MB). */
    private List<EffectMeasurer.Effect> measure()
    {
        return new EffectMeasurer(jdbi, store, Optional.of(iceberg), 5, 0.2, 4 << 20).measure(Instant.now().plusSeconds(1), Duration.ofHours(1));
    }

    /** The join asks the planner for estimates of the products a name selects: it cannot make one without the names' distinct count. */
    private void lookUpProducts()
    {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(trino.run("SELECT sum(o.amount) FROM orders o JOIN products p ON o.product_id = p.id WHERE p.name = 'product %d'".formatted(7 + 131 * i)));
        }
        ids.forEach(rows::awaitQuery);
    }

    private void readHistory()
    {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(trino.run("SELECT count(*) FROM history WHERE user_id > " + i));
        }
        ids.forEach(rows::awaitQuery);
    }

    private static void printAccuracy(RecommendationStore.Stored fixed)
    {
        System.out.println("estimate against measurement, %s: files saved %s, bytes saved %s (%s) of the estimate; evidence %s".formatted(fixed.ruleId(),
                fixed.measuredEffect().get("files_saved_measured_over_estimated"), fixed.measuredEffect().get("bytes_saved_measured_over_estimated"),
                fixed.measuredEffect().getOrDefault("own_bytes_are", "opened"), fixed.evidence()));
    }

    private static void assertWithinFactor(RecommendationStore.Stored fixed, String ratio)
    {
        assertThat(fixed.measuredEffect()).as(fixed.ruleId()).containsKey(ratio);
        assertThat(((Number) fixed.measuredEffect().get(ratio)).doubleValue()).as("%s of %s: %s", ratio, fixed.ruleId(), fixed.measuredEffect())
                .isBetween(1 / FACTOR, FACTOR);
    }

    /** Six runs of each planted query, captured. */
    private void workload()
    {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(trino.run("SELECT count(*) FROM " + COMPACT_ME + " WHERE user_id > " + i));
            ids.add(trino.run("SELECT count(*) FROM ranges WHERE \"event time\" >= TIMESTAMP '2024-01-%02d 00:00:00' AND \"event time\" < TIMESTAMP '2024-01-%02d 00:00:00'".formatted(10 + i, 11 + i)));
            ids.add(trino.run("SELECT count(*) FROM amounts WHERE amount BETWEEN %d AND %d".formatted(100 * i, 100 * i + 50)));
            ids.add(trino.run("SELECT count(*) FROM lookups WHERE user_id = " + (7 + 131 * i)));
            ids.add(trino.run("SELECT sum(amount) FROM monthly WHERE amount > " + i));
            ids.add(trino.run("SELECT sum(amount) FROM regions WHERE amount > " + i));
            ids.add(trino.run("SELECT count(*) FROM keys WHERE user_id = " + (7 + 99_991L * i) * KEY_MULTIPLIER % KEY_MODULUS));
        }
        ids.forEach(rows::awaitQuery);
    }

    private Connection connect()
            throws Exception
    {
        Properties properties = new Properties();
        properties.setProperty("user", "writer");
        return new TrinoDriver().connect(trino.jdbcUrl(), properties);
    }

    private long id(String rule, String target)
    {
        return store.list(Optional.empty()).stream().filter(each -> each.ruleId().equals(rule) && each.target().equals(target)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + rule + " on " + target + " among " + store.list(Optional.empty()).stream().map(each -> each.ruleId() + ":" + each.target()).toList()))
                .id();
    }
}
