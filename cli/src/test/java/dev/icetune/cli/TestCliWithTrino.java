package dev.icetune.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.icetune.engine.iceberg.TableMetadataReader;
import dev.icetune.engine.model.Analyze;
import dev.icetune.engine.model.Compact;
import dev.icetune.engine.model.Estimate;
import dev.icetune.engine.model.Level;
import dev.icetune.engine.model.PartitionSpec;
import dev.icetune.engine.model.Recommendation;
import dev.icetune.engine.model.Severity;
import dev.icetune.engine.model.Status;
import dev.icetune.engine.model.TargetType;
import dev.icetune.engine.store.RecommendationStore;
import dev.icetune.store.Database;
import dev.icetune.testing.CapturedRows;
import dev.icetune.testing.IcebergTrino;
import dev.icetune.testing.LocalIcebergCatalog;
import dev.icetune.testing.TestingPostgres;
import io.trino.spi.eventlistener.EventListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static io.airlift.testing.Closeables.closeAll;
import static org.assertj.core.api.Assertions.assertThat;

/** The commands that change tables or ask Trino, run as a person runs them, against a real Trino with the Iceberg connector. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestCliWithTrino
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temporary;

    private IcebergTrino trino;
    private TableMetadataReader iceberg;
    private Path config;
    private String url;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    void start()
            throws Exception
    {
        TestingPostgres postgres = TestingPostgres.shared();
        url = postgres.createDatabase("cli_trino");
        String catalogUrl = postgres.createDatabase("cli_trino_catalog");
        Path warehouse = temporary.resolve("warehouse");
        trino = IcebergTrino.start(new EventListener() {}, catalogUrl, warehouse);
        trino.execute("CREATE TABLE events (ts timestamp(6), user_id bigint)");
        trino.execute("CREATE TABLE lint_me (ts timestamp(6), user_id bigint) WITH (partitioning = ARRAY['day(ts)'])");
        trino.execute("CREATE SCHEMA iceberg.\"lint.eu\"");
        trino.execute("CREATE TABLE iceberg.\"lint.eu\".\"me.too\" WITH (partitioning = ARRAY['day(ts)']) AS SELECT * FROM lint_me WITH NO DATA");
        for (int day = 1; day <= 3; day++) {
            trino.execute("INSERT INTO events VALUES (TIMESTAMP '2024-01-0" + day + " 10:00:00', " + day + ")");
            trino.execute("INSERT INTO lint_me VALUES (TIMESTAMP '2024-01-0" + day + " 10:00:00', " + day + ")");
            trino.execute("INSERT INTO iceberg.\"lint.eu\".\"me.too\" VALUES (TIMESTAMP '2024-01-0" + day + " 10:00:00', " + day + ")");
        }
        trino.execute("CREATE VIEW lint_days AS SELECT user_id, date_format(ts, '%Y-%m-%d') AS day FROM lint_me");
        trino.execute("CREATE TABLE lint_zoned AS SELECT TIMESTAMP '2024-01-02 10:00:00 UTC' AS ts, DATE '2024-01-02' AS d, 1 AS user_id");
        // 200,000 rows in one file: large enough for the planner's estimates to pass the rules' row thresholds, too few files for a full-scan finding
        trino.execute("CREATE TABLE lint_big AS SELECT a * 1000 + b AS id, b % 7 AS kind FROM UNNEST(sequence(0, 199)) x(a) CROSS JOIN UNNEST(sequence(1, 1000)) y(b)");
        Map<String, String> catalog = LocalIcebergCatalog.icebergProperties(catalogUrl, warehouse);
        iceberg = new TableMetadataReader(LocalIcebergCatalog.TRINO_CATALOG, LocalIcebergCatalog.NAME, catalog);
        StringBuilder more = new StringBuilder("icetune.approvers=alice\nicetune.trino.url=" + trino.jdbcUrl().replaceAll("/iceberg/demo$", "")
                + "\nicetune.trino.catalog=iceberg\niceberg.catalog.name=icetune\n");
        catalog.forEach((key, value) -> more.append("iceberg.catalog.").append(key).append('=').append(value).append('\n'));
        config = TestCli.config(temporary, url, more.toString());

        Database database = Database.of(url, "postgres", "icetune-test");
        database.migrate();
        new RecommendationStore(database.jdbi()).record(List.of(new Recommendation("missing-partition-pruning", TargetType.TABLE, "iceberg.demo.events",
                Severity.HIGH, Level.L3, Map.of(), "why", PartitionSpec.adding("iceberg.demo.events", List.of(), "day(ts)", null))), Instant.now(), 3);
    }

    @AfterAll
    void stop()
            throws Exception
    {
        closeAll(trino, iceberg);
    }

    @Test
    void theTablesOfASecondIcebergCatalogAreReadAndFixedLikeTheFirstOnes()
            throws Exception
    {
        Lake lake = lake("lake", "orders");
        assertThat(icetune(lake.config(), "evaluate")).as(stderr()).isZero();
        out.reset();
        assertThat(icetune(lake.config(), "recommendations", "list", "--table", "lake.sales.orders", "--json")).as(stderr()).isZero();
        List<Map<String, Object>> found = JSON.readValue(stdout(), new TypeReference<>() {});
        assertThat(found).as("read from the second catalog's metadata").singleElement().satisfies(recommendation ->
                assertThat(recommendation).containsEntry("rule_id", "delete-file-buildup").containsEntry("target", "lake.sales.orders")
                        .containsEntry("explanation", "lake.sales.orders has 1 delete file against 3 data files: every read merges them. Rewrite with the deletes applied."));
        String id = found.getFirst().get("id").toString();

        assertThat(icetune(lake.config(), "recommendations", "approve", id, "--by", "alice")).as(stderr()).isZero();
        assertThat(icetune(lake.config(), "apply", id, "--by", "alice")).as(stderr()).isZero();
        try (TableMetadataReader reader = new TableMetadataReader("lake", LocalIcebergCatalog.NAME, LocalIcebergCatalog.icebergProperties(lake.catalogUrl(), lake.warehouse()))) {
            assertThat(reader.read("lake.sales.orders", 1 << 20, Instant.now()).orElseThrow().deleteFiles()).as("rewritten with its deletes applied").isZero();
        }
        assertThat(trino.execute("SELECT id FROM lake.sales.orders ORDER BY id").getOnlyColumnAsSet()).containsExactly(1L, 3L);
    }

    /**
     * A catalog whose database goes away, and a table whose metadata files are lost, as an operator meets them: evaluations go
     * on with what they can read, say what they could not, and keep its recommendations open for more evaluations than
     * icetune.resolve-after (3). Before, the catalog failed the evaluation whole, and the table's recommendation resolved itself.
     */
    @Test
    void aCatalogOrTableThatCannotBeReadKeepsItsRecommendations()
            throws Exception
    {
        Lake lake = lake("shore", "orders", "lost");
        assertThat(icetune(lake.config(), "evaluate")).as(stderr()).isZero();
        Map<String, List<Object>> opened = Map.of("shore.sales.orders", List.of("open", 0), "shore.sales.lost", List.of("open", 0));
        assertThat(statuses(lake.config(), "shore.")).isEqualTo(opened);

        // the catalog's database refuses new connections (Trino keeps the ones it has)
        TestingPostgres.shared().allowConnections(lake.catalogUrl(), false);
        try {
            for (int evaluation = 1; evaluation <= 4; evaluation++) {
                // recorded all the same, yet not a clean run for the person or cron job that ran it
                assertThat(icetune(lake.config(), "evaluate")).as(stderr()).isEqualTo(IcetuneCli.FAILED);
                assertThat(stderr()).contains("cannot read the Iceberg catalog of shore, its tables' recommendations are kept as they are")
                        .contains("not currently accepting connections").doesNotContain("cannot read Iceberg metadata of")
                        .contains("icetune: could not read the Iceberg metadata of shore (why: above)").contains(lake.config().toString());
            }
        }
        finally {
            TestingPostgres.shared().allowConnections(lake.catalogUrl(), true);
        }
        assertThat(statuses(lake.config(), "shore.")).isEqualTo(opened);

        // the catalog is back; one table's metadata files are lost from the storage
        try (var files = Files.walk(lake.warehouse())) {
            Path metadata = files.filter(path -> path.getFileName().toString().equals("metadata") && path.getParent().getFileName().toString().startsWith("lost"))
                    .findFirst().orElseThrow();
            try (var lost = Files.list(metadata)) {
                for (Path file : lost.toList()) {
                    Files.delete(file);
                }
            }
        }
        for (int evaluation = 1; evaluation <= 4; evaluation++) {
            out.reset();
            assertThat(icetune(lake.config(), "evaluate", "--json")).as(stderr()).isEqualTo(IcetuneCli.FAILED);
            assertThat(stderr()).contains("cannot read Iceberg metadata of shore.sales.lost, its recommendations are kept as they are")
                    .doesNotContain("cannot read the Iceberg catalog").contains("could not read the Iceberg metadata of shore.sales.lost (why: above)");
            assertThat(JSON.readValue(stdout(), new TypeReference<Map<String, Object>>() {}).get("unread")).isEqualTo(List.of("shore.sales.lost"));
        }
        assertThat(statuses(lake.config(), "shore.")).as("the table read fires again; the one not read misses nothing").isEqualTo(opened);
    }

    /** A second Trino catalog of Iceberg tables with an Iceberg catalog of its own, and an icetune store and configuration that read it beside the first. */
    private record Lake(String catalogUrl, Path warehouse, Path config) {}

    /** {@link Lake} {@code name} with a schema {@code sales} of {@code tables}, each of 3 files and a delete file (delete-file-buildup fires). */
    private Lake lake(String name, String... tables)
            throws Exception
    {
        TestingPostgres postgres = TestingPostgres.shared();
        String catalogUrl = postgres.createDatabase("cli_trino_" + name + "_catalog");
        Path warehouse = Files.createDirectories(temporary.resolve(name + "-warehouse"));
        LocalIcebergCatalog.prepare(catalogUrl);
        trino.createCatalog(name, "iceberg", LocalIcebergCatalog.trinoProperties(catalogUrl, warehouse));
        trino.execute("CREATE SCHEMA " + name + ".sales");
        for (String table : tables) {
            String qualified = name + ".sales." + table;
            trino.execute("CREATE TABLE " + qualified + " (id bigint, amount double)");
            for (int id = 1; id <= 3; id++) {
                trino.execute("INSERT INTO " + qualified + " VALUES (" + id + ", 9.5)");
            }
            trino.execute("DELETE FROM " + qualified + " WHERE id = 2");
        }
        String storeUrl = postgres.createDatabase("cli_trino_" + name + "_store");
        Database.of(storeUrl, "postgres", "icetune-test").migrate();
        StringBuilder more = new StringBuilder(Files.readString(config).lines().filter(line -> line.startsWith("iceberg.") || line.startsWith("icetune.trino.")
                || line.startsWith("icetune.approvers")).collect(java.util.stream.Collectors.joining("\n", "", "\n")));
        LocalIcebergCatalog.icebergProperties(catalogUrl, warehouse).forEach((key, value) -> more.append("iceberg.catalogs.").append(name).append('.').append(key)
                .append('=').append(value).append('\n'));
        more.append("iceberg.catalogs.").append(name).append(".name=").append(LocalIcebergCatalog.NAME).append('\n');
        return new Lake(catalogUrl, warehouse, TestCli.config(Files.createDirectories(temporary.resolve(name)), storeUrl, more.toString()));
    }

    /** The status and missed evaluations of each recommendation whose target begins with {@code prefix}. */
    private Map<String, List<Object>> statuses(Path config, String prefix)
            throws Exception
    {
        out.reset();
        assertThat(icetune(config, "recommendations", "list", "--json")).as(stderr()).isZero();
        List<Map<String, Object>> all = JSON.readValue(stdout(), new TypeReference<>() {});
        return all.stream().filter(recommendation -> recommendation.get("target").toString().startsWith(prefix))
                .collect(java.util.stream.Collectors.toMap(recommendation -> recommendation.get("target").toString(),
                        recommendation -> List.of(recommendation.get("status"), recommendation.get("missed_evaluations"))));
    }

    @Test
    void applyDryRunThenApplyThenRollback()
            throws Exception
    {
        assertThat(icetune("recommendations", "approve", "1", "--by", "alice")).isZero();
        long snapshot = iceberg.load("iceberg.demo.events").orElseThrow().currentSnapshot().snapshotId();

        assertThat(icetune("apply", "1")).as("applying names who applies").isEqualTo(IcetuneCli.USAGE);
        assertThat(stderr()).contains("Missing required option: '--by=NAME'").contains("only --dry-run goes without");
        assertThat(icetune("apply", "1", "--dry-run")).as("a dry run needs no --by: " + stderr()).isZero();
        assertThat(stdout()).contains("#1 planned (1 step; nothing changed)").contains("table.updateSpec().addField(day(ts)).commit()");
        assertThat(iceberg.load("iceberg.demo.events").orElseThrow().spec().isUnpartitioned()).as("a dry run changes nothing").isTrue();

        out.reset();
        assertThat(icetune("apply", "--all-approved", "--by", "alice")).as(stderr()).isZero();
        assertThat(stdout()).contains("#1 applied");
        assertThat(stderr()).as("each step said as it starts").contains("==> #1 step 1 of 1 [metadata only]: table.updateSpec().addField(day(ts)).commit()");
        assertThat(iceberg.load("iceberg.demo.events").orElseThrow().spec().fields()).hasSize(1);
        assertThat(iceberg.load("iceberg.demo.events").orElseThrow().currentSnapshot().snapshotId()).as("metadata only").isEqualTo(snapshot);

        out.reset();
        assertThat(icetune("rollback", "1", "--by", "alice", "--json")).as(stderr()).isZero();
        Map<String, Object> rolledBack = JSON.readValue(stdout(), new TypeReference<>() {});
        assertThat(rolledBack).containsEntry("id", 1).containsEntry("result", "rolled-back");
        assertThat(rolledBack.get("message")).as("metadata only: no rewrite to say is not undone").isNull();
        assertThat((List<?>) rolledBack.get("change")).anySatisfy(line -> assertThat(line.toString()).contains("removeField(day(ts))"));
        assertThat(iceberg.load("iceberg.demo.events").orElseThrow().spec().fields()).noneMatch(field -> field.transform().toString().equals("day"));
        assertThat(new CapturedRows(url).query("SELECT action, result, step FROM fix_audit ORDER BY id")).as("the apply's one step, then the apply").containsExactly(
                row("dry-run", "planned", null), row("apply", "applied", 1), row("apply", "applied", null), row("rollback", "rolled-back", null));
        assertThat(new CapturedRows(url).query("SELECT DISTINCT actor FROM fix_audit WHERE action = 'dry-run'")).as("a dry run without --by: the login user")
                .containsExactly(Map.of("actor", System.getProperty("user.name")));
        assertThat(icetune("rollback", "1", "--by", "alice")).as("only an applied fix rolls back").isEqualTo(IcetuneCli.FAILED);
        assertThat(stderr()).contains("recommendation 1 is open: only an applied one can be rolled back");
        out.reset();
        assertThat(icetune("apply", "1", "--by", "alice", "--json")).isEqualTo(IcetuneCli.FAILED);
        assertThat(JSON.readValue(stdout(), new TypeReference<List<Map<String, Object>>>() {})).as("a script reads what failed and why").singleElement()
                .satisfies(attempt -> assertThat(attempt).containsEntry("id", 1).containsEntry("result", "failed")
                        .containsEntry("message", "recommendation 1 is open: only an approved one can be applied"));
    }

    @Test
    void allApprovedGoesByPriorityWithinABudgetAndLeavesACoolingTableAlone()
            throws Exception
    {
        for (String table : List.of("budget_small", "budget_big", "cooling")) {
            trino.execute("CREATE TABLE " + table + " (ts timestamp(6), user_id bigint)");
            for (int file = 0; file < (table.equals("budget_big") ? 12 : 3); file++) {
                trino.execute("INSERT INTO " + table + " VALUES (TIMESTAMP '2024-01-01 10:00:00', " + file + ")");
            }
        }
        RecommendationStore store = new RecommendationStore(Database.of(url, "postgres", "icetune-test").jdbi());
        store.record(List.of(compaction("budget_small", 10), compaction("budget_big", 100), compaction("cooling", 50),
                new Recommendation("stale-statistics", TargetType.TABLE, "iceberg.demo.cooling", Severity.LOW, Level.L1, Map.of(), "why",
                        new Analyze("iceberg.demo.cooling")).withEstimate(estimate(1)),
                new Recommendation("snapshot-buildup", TargetType.TABLE, "iceberg.demo.cooling", Severity.LOW, Level.L1, Map.of(), "why",
                        new Analyze("iceberg.demo.cooling")).withEstimate(estimate(1))), Instant.now(), 3);
        Map<String, Long> ids = new java.util.HashMap<>();
        store.list(Optional.empty()).forEach(each -> ids.put(each.ruleId() + ":" + each.target(), each.id()));
        for (String key : List.of("small-files:iceberg.demo.budget_small", "small-files:iceberg.demo.budget_big", "small-files:iceberg.demo.cooling",
                "stale-statistics:iceberg.demo.cooling")) {
            assertThat(icetune("recommendations", "approve", String.valueOf(ids.get(key)), "--by", "alice")).as(stderr()).isZero();
        }

        // the list: highest priority first, what each saves a day; in JSON with the estimate's figures
        out.reset();
        assertThat(icetune("recommendations", "list", "--status", "approved")).isZero();
        assertThat(stdout()).contains("PRIORITY").contains("SAVES A DAY").contains("1,200 files");
        assertThat(stdout().indexOf("budget_big")).isLessThan(stdout().indexOf("iceberg.demo.cooling")).isLessThan(stdout().indexOf("budget_small"));
        out.reset();
        assertThat(icetune("recommendations", "list", "--status", "approved", "--json")).isZero();
        List<Map<String, Object>> listed = JSON.readValue(stdout(), new TypeReference<>() {});
        assertThat(listed).extracting(each -> ((Number) ((Map<?, ?>) each.get("estimate")).get("priority")).doubleValue()).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(((Map<?, ?>) listed.getFirst().get("estimate")).keySet().stream().map(String::valueOf).toList())
                .contains("files_saved_per_day", "bytes_saved_per_day", "rewrite_bytes", "priority");
        out.reset();
        assertThat(icetune("recommendations", "show", String.valueOf(ids.get("small-files:iceberg.demo.budget_big")))).isZero();
        assertThat(stdout()).contains("Estimate: Helps all scans of iceberg.demo.budget_big (about 100 a day): each reads 12 files");

        // an earlier run changed the cooling table; its effect is not measured yet
        assertThat(icetune("apply", String.valueOf(ids.get("small-files:iceberg.demo.cooling")), "--by", "alice")).as(stderr()).isZero();
        out.reset();
        assertThat(icetune("apply", String.valueOf(ids.get("stale-statistics:iceberg.demo.cooling")), "--by", "alice"))
                .as("asked for by its id and left for later: not applied").isEqualTo(IcetuneCli.NOT_APPLIED);
        assertThat(stdout()).startsWith("#%d skipped: iceberg.demo.cooling changed at ".formatted(ids.get("stale-statistics:iceberg.demo.cooling")));
        out.reset();
        assertThat(icetune("apply", String.valueOf(ids.get("stale-statistics:iceberg.demo.cooling")), "--dry-run")).as("the dry run skips it too: " + stderr())
                .isEqualTo(IcetuneCli.NOT_APPLIED);
        assertThat(stdout()).startsWith("#%d skipped: iceberg.demo.cooling changed at ".formatted(ids.get("stale-statistics:iceberg.demo.cooling")));
        long smallBytes = iceberg.load("iceberg.demo.budget_small").orElseThrow().currentSnapshot().summary().entrySet().stream()
                .filter(entry -> entry.getKey().equals("total-files-size")).mapToLong(entry -> Long.parseLong(entry.getValue())).sum();
        out.reset();
        assertThat(icetune("apply", "--all-approved", "--dry-run", "--max-rewrite-bytes", (smallBytes + 100) + "B")).as(stderr()).isZero();
        assertThat(stdout()).as("a dry run within the budget as apply is").contains("#%d skipped: rewrites ".formatted(ids.get("small-files:iceberg.demo.budget_big")))
                .contains("#%d planned".formatted(ids.get("small-files:iceberg.demo.budget_small"))).contains("would rewrite ");
        out.reset();
        assertThat(icetune("apply", "--all-approved", "--by", "alice", "--max-rewrite-bytes", (smallBytes + 100) + "B")).as(stderr()).isZero();
        assertThat(stdout()).contains("#%d skipped: rewrites ".formatted(ids.get("small-files:iceberg.demo.budget_big")))
                .contains("#%d skipped: iceberg.demo.cooling changed at ".formatted(ids.get("stale-statistics:iceberg.demo.cooling")))
                .contains("#%d applied".formatted(ids.get("small-files:iceberg.demo.budget_small")));
        assertThat(stdout().indexOf("#" + ids.get("small-files:iceberg.demo.budget_big") + " skipped"))
                .as("the highest priority first").isLessThan(stdout().indexOf("#" + ids.get("small-files:iceberg.demo.budget_small") + " applied"));
        assertThat(iceberg.load("iceberg.demo.budget_big").orElseThrow().currentSnapshot().summary()).as("over the budget: unchanged").containsEntry("total-data-files", "12");
        // one never approved, on the table cooling down, lacks approval, not time: it said "skipped ... --ignore-cooldown" and exited 0
        out.reset();
        assertThat(icetune("apply", String.valueOf(ids.get("snapshot-buildup:iceberg.demo.cooling")), "--by", "alice")).isEqualTo(IcetuneCli.FAILED);
        assertThat(stderr()).contains("is open: only an approved one can be applied");
        assertThat(stdout()).doesNotContain("skipped");
        out.reset();
        assertThat(icetune("apply", String.valueOf(ids.get("stale-statistics:iceberg.demo.cooling")), "--by", "alice", "--ignore-cooldown", "--json")).as(stderr()).isZero();
        assertThat(JSON.readValue(stdout(), new TypeReference<List<Map<String, Object>>>() {})).singleElement().satisfies(attempt -> {
            assertThat(attempt).containsEntry("id", ids.get("stale-statistics:iceberg.demo.cooling").intValue()).containsEntry("result", "applied");
            assertThat((List<?>) attempt.get("change")).anySatisfy(line -> assertThat(line.toString()).startsWith("ANALYZE \"iceberg\".\"demo\".\"cooling\""));
        });
    }

    /**
     * Met from outside: a table compacted by hand while icetune's compaction of it waited, approved. Its rule stopped firing, but
     * the approval stayed, and apply went ahead for a problem gone, as it would with any fix approved for a table, or queries,
     * that have changed since. Applied only when asked for in so many words.
     */
    @Test
    void anApprovedFixWhoseConditionNoLongerHoldsIsNotApplied()
    {
        trino.execute("CREATE TABLE by_hand (ts timestamp(6), user_id bigint)");
        for (int file = 0; file < 3; file++) {
            trino.execute("INSERT INTO by_hand VALUES (TIMESTAMP '2024-01-01 10:00:00', " + file + ")");
        }
        RecommendationStore store = new RecommendationStore(Database.of(url, "postgres", "icetune-test").jdbi());
        Instant at = Instant.now();
        store.record(List.of(compaction("by_hand", 10)), at, 3);
        long id = store.list(Optional.empty()).stream().filter(each -> each.target().equals("iceberg.demo.by_hand")).findFirst().orElseThrow().id();
        assertThat(icetune("recommendations", "approve", String.valueOf(id), "--by", "alice")).as(stderr()).isZero();
        // compacted by hand; three evaluations in a row do not see small files in it
        trino.execute("ALTER TABLE by_hand EXECUTE optimize");
        for (int evaluation = 1; evaluation <= 3; evaluation++) {
            store.record(List.of(), at.plusSeconds(60L * evaluation), 3);
        }
        assertThat(store.find(id).orElseThrow().status()).as("the approval stays").isEqualTo(Status.APPROVED);
        out.reset();
        assertThat(icetune("recommendations", "show", String.valueOf(id))).isZero();
        assertThat(stdout()).contains("Not seen at the last 3 evaluations: its condition no longer holds, and apply leaves it alone");
        long snapshot = iceberg.load("iceberg.demo.by_hand").orElseThrow().currentSnapshot().snapshotId();

        out.reset();
        assertThat(icetune("apply", String.valueOf(id), "--dry-run")).as("a dry run says what apply would do: " + stderr()).isEqualTo(IcetuneCli.NOT_APPLIED);
        assertThat(stdout()).startsWith("#%d skipped: its condition did not hold at the last 3 evaluations (last seen ".formatted(id));
        out.reset();
        assertThat(icetune("apply", String.valueOf(id), "--dry-run", "--ignore-unseen")).as(stderr()).isZero();
        // planned, or a no-op where Trino's optimize by hand left one file (it may leave one a writer)
        assertThat(stdout()).startsWith("#%d ".formatted(id)).doesNotContain("skipped").contains("optimize");
        out.reset();
        assertThat(icetune("apply", String.valueOf(id), "--by", "alice")).as(stderr()).isEqualTo(IcetuneCli.NOT_APPLIED);
        assertThat(stdout()).startsWith("#%d skipped: its condition did not hold at the last 3 evaluations (last seen ".formatted(id)).contains("--ignore-unseen");
        out.reset();
        assertThat(icetune("apply", "--all-approved", "--by", "alice")).as(stderr()).isZero();
        assertThat(stdout()).contains("#%d skipped: its condition did not hold".formatted(id));
        assertThat(iceberg.load("iceberg.demo.by_hand").orElseThrow().currentSnapshot().snapshotId()).as("unchanged").isEqualTo(snapshot);

        out.reset();
        assertThat(icetune("apply", String.valueOf(id), "--by", "alice", "--ignore-unseen")).as(stderr()).isZero();
        assertThat(stdout()).doesNotContain("skipped");
        assertThat(store.find(id).orElseThrow().status()).isEqualTo(Status.APPLIED);
    }

    private static Recommendation compaction(String table, double queriesPerDay)
    {
        return new Recommendation("small-files", TargetType.TABLE, "iceberg.demo." + table, Severity.HIGH, Level.L1, Map.of(), "why",
                new Compact("iceberg.demo." + table, 128 << 20)).withEstimate(Estimate.of("all scans of iceberg.demo." + table, queriesPerDay, 12, 0, 0, 0, 0,
                1000, 12, 0, null, "test.", new Estimate.Rates(4 << 20, 100 << 20, 30)));
    }

    private static Estimate estimate(double queriesPerDay)
    {
        return Estimate.of("queries", queriesPerDay, 0, 0, 1 << 20, 0, 0, 0, 0, 0, null, "test.", new Estimate.Rates(4 << 20, 100 << 20, 30));
    }

    @Test
    void lintExitsThreeOnFindingsZeroWhenCleanTwoOnUsage()
    {
        assertThat(icetune("lint", "--sql", "SELECT count(*) FROM iceberg.demo.lint_me WHERE user_id = 2")).as(stderr()).isEqualTo(IcetuneCli.FINDINGS);
        assertThat(stdout()).contains("missing-partition-filter on iceberg.demo.lint_me");
        out.reset();
        assertThat(icetune("lint", "--sql", "SELECT count(*) FROM iceberg.\"lint.eu\".\"me.too\" WHERE user_id = 2")).as(stderr()).isEqualTo(IcetuneCli.FINDINGS);
        assertThat(stdout()).as("a schema and a table with dots in their names, found in the catalog").contains("iceberg.\"lint.eu\".\"me.too\": up to 3 files")
                .contains("missing-partition-filter on iceberg.\"lint.eu\".\"me.too\"").contains("does not filter on it: every file is read (3 files)");
        out.reset();
        assertThat(icetune("lint", "--sql", "SELECT count(*) FROM iceberg.demo.lint_me WHERE ts >= TIMESTAMP '2024-01-02 00:00:00'")).as(stderr()).isZero();
        assertThat(stdout()).contains("No findings.");
        out.reset();
        assertThat(icetune("lint", "SELECT 1")).as(stderr()).isZero();
        assertThat(stdout()).isEqualTo("Would scan no Iceberg table.\n\nNo findings.\n");
        out.reset();
        assertThat(icetune("lint", "SELECT count(*) FROM iceberg.demo.lint_me WHERE user_id = 2")).as("the query as an argument, as people type it: " + stderr())
                .isEqualTo(IcetuneCli.FINDINGS);
        assertThat(stdout()).contains("missing-partition-filter on iceberg.demo.lint_me").contains("suggestion: add a range on ts");
        out.reset();
        assertThat(icetune("lint", "-- the dashboard's count\nSELECT count(*) FROM iceberg.demo.lint_me WHERE user_id = 2"))
                .as("a query pasted with its leading comment, not an unknown option: " + stderr()).isEqualTo(IcetuneCli.FINDINGS);
        assertThat(icetune("lint", "--sqll", "SELECT 1")).as("a misspelt option is still a usage error").isEqualTo(IcetuneCli.USAGE);
        assertThat(icetune("lint", "SELECT 1", "--sql", "SELECT 2")).as("two queries").isEqualTo(IcetuneCli.USAGE);
        assertThat(icetune("lint")).as("neither a query, --sql nor --file").isEqualTo(IcetuneCli.USAGE);
        assertThat(icetune("lint", "--sql", "SELECT nonsense FROM nowhere")).as("Trino refuses the query").isEqualTo(IcetuneCli.FAILED);
        assertThat(stderr()).as("the place of the error in the query as written").startsWith("icetune: Trino (icetune.trino.url): Query failed")
                .contains("line 1:22: Schema must be specified").contains("qualify the query's tables, or give --schema (and --catalog)");
        // a dashboard's prepared statement, as query_logs keeps its text
        assertThat(icetune("lint", "SELECT count(*) FROM iceberg.demo.lint_me WHERE user_id = ?")).isEqualTo(IcetuneCli.FAILED);
        assertThat(stderr()).contains("Incorrect number of parameters").contains("lint the query with a value in place of each ?, as it runs");
        out.reset();
        assertThat(icetune("lint", "--schema", "demo", "SELECT count(*) FROM lint_me WHERE user_id = 2")).as("in the catalog of icetune.trino.catalog: " + stderr())
                .isEqualTo(IcetuneCli.FINDINGS);
        assertThat(stdout()).contains("missing-partition-filter on iceberg.demo.lint_me");
        assertThat(icetune("lint", "--catalog", "iceberg", "SELECT count(*) FROM demo.lint_me WHERE ts >= TIMESTAMP '2024-01-02 00:00:00'"))
                .as(stderr()).isZero();
        assertThat(icetune("lint", "--catalog", "nosuch", "--schema", "demo", "SELECT count(*) FROM lint_me")).isEqualTo(IcetuneCli.FAILED);
        assertThat(stderr()).contains("nosuch");
    }

    /** Met from outside: a .sql file of two queries, each ended by a semicolon, was sent to Trino whole ("mismatched input ';'"). */
    @Test
    void lintReviewsAScriptStatementByStatementInTheSessionItsUseSets()
            throws Exception
    {
        Path script = temporary.resolve("report.sql");
        // saved as some SQL editors save it, with a byte order mark first: met from outside, Trino read it as "mismatched input"
        Files.writeString(script, "\uFEFF" + """
                -- the daily report; three queries
                USE iceberg.demo;
                SELECT count(*) FROM lint_me WHERE user_id = 2 AND 'a;b' <> '';

                /* clean; by day */
                SELECT count(*) FROM lint_me WHERE ts >= TIMESTAMP '2024-01-02 00:00:00';
                SELECT count(*)
                FROM nowhere;
                """);
        assertThat(icetune("lint", "--file", script.toString())).as("one statement refused: a failure, whatever the others found").isEqualTo(IcetuneCli.FAILED);
        assertThat(stdout()).contains("-- statement 1, line 3: SELECT count(*) FROM lint_me WHERE user_id = 2 AND 'a;b' <> ''\nWould scan:\n  iceberg.demo.lint_me")
                .contains("missing-partition-filter on iceberg.demo.lint_me")
                .contains("-- statement 2, line 6: SELECT count(*) FROM lint_me WHERE ts >= TIMESTAMP '2024-01-02 00:00:00'\nWould scan:");
        assertThat(stderr()).as("the error where it is in the file").contains("icetune: statement 3, line 7: Trino (icetune.trino.url): Query failed")
                .contains("line 8:6: Table 'iceberg.demo.nowhere' does not exist");

        out.reset();
        Files.writeString(script, Files.readString(script).replace("FROM nowhere", "FROM lint_me"));
        assertThat(icetune("lint", "--file", script.toString(), "--json")).as(stderr()).isEqualTo(IcetuneCli.FINDINGS);
        List<Map<String, Object>> reports = JSON.readValue(stdout(), new TypeReference<>() {});
        assertThat(reports).extracting(each -> each.get("statement"), each -> each.get("line"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 3), org.assertj.core.groups.Tuple.tuple(2, 6), org.assertj.core.groups.Tuple.tuple(3, 7));
        assertThat(reports).extracting(each -> ((List<?>) ((Map<?, ?>) each.get("report")).get("findings")).size()).containsExactly(1, 0, 1);

        // SET SESSION sets the session of the queries after it: a value Trino checks (a duration, unquoted), then one it refuses
        out.reset();
        err.reset();
        Files.writeString(script, """
                USE iceberg.demo;
                SET SESSION query_max_run_time = '10m';
                SELECT count(*) FROM lint_me WHERE ts >= TIMESTAMP '2024-01-02 00:00:00';
                SET SESSION query_max_run_time = 'ten minutes';
                SELECT count(*) FROM lint_me WHERE ts >= TIMESTAMP '2024-01-02 00:00:00';
                RESET SESSION query_max_run_time;
                SELECT count(*) FROM lint_me WHERE ts >= TIMESTAMP '2024-01-02 00:00:00';
                """);
        assertThat(icetune("lint", "--file", script.toString())).isEqualTo(IcetuneCli.FAILED);
        assertThat(stdout()).contains("-- statement 1, line 3: SELECT count(*)").contains("-- statement 3, line 7: SELECT count(*)").doesNotContain("SET SESSION");
        assertThat(stderr()).as("the second query, in the session the second SET left").contains("icetune: statement 2, line 5: Trino (icetune.trino.url):")
                .contains("query_max_run_time").doesNotContain("statement 1,").doesNotContain("statement 3,");

        out.reset();
        assertThat(icetune("lint", "SELECT count(*) FROM iceberg.demo.lint_me WHERE ts >= TIMESTAMP '2024-01-02 00:00:00'; -- done")).as(stderr()).isZero();
        assertThat(stdout()).as("one statement: its report alone").startsWith("Would scan:").doesNotContain("-- statement");
    }

    @Test
    void lintReviewsTheStatementOfAQuerySentWithParameters()
    {
        // its query_text as the Trino JDBC driver and Python client send it, copied from query_logs
        assertThat(icetune("lint", "--sql", "EXECUTE IMMEDIATE 'SELECT count(*) FROM iceberg.demo.lint_me WHERE date_format(ts, ''%Y-%m-%d'') = ?' USING '2024-01-02'"))
                .as(stderr()).isEqualTo(IcetuneCli.FINDINGS);
        assertThat(stdout()).contains("non-sargable-predicate on iceberg.demo.lint_me")
                .contains("suggestion: SELECT count(*) FROM iceberg.demo.lint_me WHERE ts >= TIMESTAMP '2024-01-02 00:00:00' AND ts < TIMESTAMP '2024-01-03 00:00:00'");
    }

    /**
     * Met from outside, a BI tool's filters that Trino 483 leaves above the scan: a BETWEEN of a function (which it writes as a LET), a shift of
     * the column. Each is one finding, with a rewrite Trino prunes by.
     */
    @Test
    void lintRewritesAFunctionBetweenTwoValuesAndAShiftedColumn()
    {
        assertThat(icetune("lint", "SELECT count(*) FROM iceberg.demo.lint_me WHERE date_format(ts, '%Y-%m-%d') BETWEEN '2024-01-02' AND '2024-01-03'"))
                .as(stderr()).isEqualTo(IcetuneCli.FINDINGS);
        assertThat(stdout()).containsOnlyOnce("non-sargable-predicate on iceberg.demo.lint_me: date_format() around ts")
                .contains("suggestion: SELECT count(*) FROM iceberg.demo.lint_me WHERE ts >= TIMESTAMP '2024-01-02 00:00:00' AND ts < TIMESTAMP '2024-01-04 00:00:00'");
        out.reset();
        assertThat(icetune("lint", "SELECT count(*) FROM iceberg.demo.lint_me WHERE date_add('day', 1, ts) >= TIMESTAMP '2024-01-03 00:00:00'"))
                .as(stderr()).isEqualTo(IcetuneCli.FINDINGS);
        assertThat(stdout()).contains("non-sargable-predicate on iceberg.demo.lint_me: date_add() around ts")
                .contains("suggestion: SELECT count(*) FROM iceberg.demo.lint_me WHERE ts >= date_add('day', -1, TIMESTAMP '2024-01-03 00:00:00')");
        out.reset();
        // met from outside: a view's column that wraps ts, which the query does not name
        assertThat(icetune("lint", "SELECT count(*) FROM iceberg.demo.lint_days WHERE day = '2024-01-02'")).as(stderr()).isEqualTo(IcetuneCli.FINDINGS);
        assertThat(stdout()).contains("non-sargable-predicate on iceberg.demo.lint_me: date_format() around ts")
                .contains("suggestion: the query filters a view's column that is date_format() of ts: have the view pass ts on as it is");
        out.reset();
        // the rewrite is pushed into the scan: no finding
        assertThat(icetune("lint", "SELECT count(*) FROM iceberg.demo.lint_me WHERE ts >= date_add('day', -1, TIMESTAMP '2024-01-03 00:00:00')")).as(stderr()).isZero();
    }

    @Test
    void lintSuggestsBoundsOfTheColumnsType()
    {
        // a timestamp with a time zone is stored in UTC and date_format reads it so: bounds without a zone would be in the session's
        assertThat(icetune("lint", "SELECT count(*) FROM iceberg.demo.lint_zoned WHERE date_format(ts, '%Y-%m-%d') = '2024-01-02'")).as(stderr()).isEqualTo(IcetuneCli.FINDINGS);
        assertThat(stdout()).contains("suggestion: SELECT count(*) FROM iceberg.demo.lint_zoned WHERE ts >= TIMESTAMP '2024-01-02 00:00:00 UTC' AND ts < TIMESTAMP '2024-01-03 00:00:00 UTC'");
        out.reset();
        assertThat(icetune("lint", "SELECT count(*) FROM iceberg.demo.lint_zoned WHERE date_format(d, '%Y-%m') = '2024-01'")).as(stderr()).isEqualTo(IcetuneCli.FINDINGS);
        assertThat(stdout()).contains("suggestion: SELECT count(*) FROM iceberg.demo.lint_zoned WHERE d >= DATE '2024-01-01' AND d < DATE '2024-02-01'");
    }

    @Test
    void lintFindsACrossJoinThatMultipliesRowsAndALargeSortWithoutLimitFromThePlannersEstimates()
    {
        assertThat(icetune("lint", "--sql", "SELECT a.id FROM iceberg.demo.lint_big a JOIN iceberg.demo.lint_big b ON a.kind < b.kind")).as(stderr())
                .isEqualTo(IcetuneCli.FINDINGS);
        assertThat(stdout()).contains("cross-join: a join without an equality condition").contains("estimated to return");
        out.reset();
        assertThat(icetune("lint", "--sql", "SELECT id FROM iceberg.demo.lint_big ORDER BY id")).as(stderr()).isEqualTo(IcetuneCli.FINDINGS);
        assertThat(stdout()).contains("sort-without-limit: sorts an estimated 200,000 rows").contains("suggestion: SELECT id FROM iceberg.demo.lint_big ORDER BY id\nLIMIT 1000");
        out.reset();
        assertThat(icetune("lint", "--sql", "SELECT id FROM iceberg.demo.lint_big WHERE id > (SELECT avg(id) FROM iceberg.demo.lint_big)")).as(stderr()).isZero();
        assertThat(stdout()).as("a scalar subquery is planned as a cross join with one row: it multiplies nothing").contains("No findings.");
        out.reset();
        assertThat(icetune("lint", "--sql", "SELECT id FROM iceberg.demo.lint_big ORDER BY id LIMIT 10")).as(stderr()).isZero();
        assertThat(icetune("lint", "--sql", "SELECT a.user_id FROM iceberg.demo.lint_me a CROSS JOIN iceberg.demo.lint_me b WHERE a.ts >= TIMESTAMP '2024-01-02 00:00:00' "
                + "AND b.ts >= TIMESTAMP '2024-01-02 00:00:00' ORDER BY 1")).as("a cross join and a sort of a few rows: " + stderr()).isZero();
    }

    @Test
    void evaluateAsAServicePublishesItsMetrics()
            throws Exception
    {
        int port = TestingPostgres.freePort();
        Path serviceConfig = temporary.resolve("service.properties");
        Files.writeString(serviceConfig, Files.readString(config) + "icetune.metrics.port=" + port + "\nicetune.evaluate.interval=10s\n");
        ByteArrayOutputStream serviceOut = new ByteArrayOutputStream();
        ByteArrayOutputStream serviceErr = new ByteArrayOutputStream();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread service = Thread.ofPlatform().start(() -> exit.set(IcetuneCli.run(new String[] {"--config", serviceConfig.toString(), "evaluate", "--service", "--json"},
                new PrintStream(serviceOut, true, StandardCharsets.UTF_8), new PrintStream(serviceErr, true, StandardCharsets.UTF_8), Map.of())));
        try {
            String metrics = "";
            HttpClient client = HttpClient.newHttpClient();
            for (int attempt = 0; attempt < 120 && !(metrics.contains("icetune_evaluations_total 1.0") && serviceOut.toString(StandardCharsets.UTF_8).endsWith("\n")); attempt++) {
                Thread.sleep(500);
                try {
                    metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                }
                catch (java.io.IOException notYet) {
                    // not serving yet
                }
            }
            assertThat(metrics).contains("icetune_evaluations_total 1.0").contains("icetune_evaluation_failures_total 0.0")
                    .contains("icetune_evaluation_last_success_time_seconds").contains("icetune_scan_pruning_ratio");
        }
        finally {
            service.interrupt();
            service.join();
        }
        assertThat(exit.get()).as("stopped, not failed").isZero();
        assertThat(serviceErr.toString(StandardCharsets.UTF_8)).doesNotContain("Interrupted");
        // a stream a script reads line by line: one JSON document a line, one line an evaluation
        assertThat(serviceOut.toString(StandardCharsets.UTF_8).lines().toList()).isNotEmpty().allSatisfy(line ->
                assertThat(JSON.readValue(line, new TypeReference<Map<String, Object>>() {})).containsKeys("evaluation", "recommendations", "unread"));
    }

    private static Map<String, Object> row(String action, String result, Integer step)
    {
        Map<String, Object> row = new java.util.HashMap<>();
        row.put("action", action);
        row.put("result", result);
        row.put("step", step);
        return row;
    }

    private int icetune(String... args)
    {
        return icetune(config, args);
    }

    private int icetune(Path config, String... args)
    {
        err.reset();
        String[] withConfig = new String[args.length + 2];
        withConfig[0] = "--config";
        withConfig[1] = config.toString();
        System.arraycopy(args, 0, withConfig, 2, args.length);
        return IcetuneCli.run(withConfig, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
    }

    private String stdout()
    {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr()
    {
        return err.toString(StandardCharsets.UTF_8);
    }
}
