package dev.icetune.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.icetune.testing.CapturedRows;
import dev.icetune.testing.LocalIcebergCatalog;
import dev.icetune.testing.TestingPostgres;
import dev.icetune.testing.TrinoServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two Trino 483 servers, assembled as a platform runs them, write one history at the same time: cluster "etl" named by
 * its node.environment (the default), cluster "bi" by icetune.cluster-name. Both read the same Iceberg table. Every row
 * carries its cluster; reports and evaluations split by cluster or sum over them, read through the CLI as a person reads
 * them: a table's scans are summed (small-files fires on 2 + 6 scans, its recommendation naming both clusters) while a
 * pattern's evidence stays with its cluster (the repeats of "bi" are "bi"'s alone), and an evaluation of one cluster
 * neither sees nor resolves the other's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestClustersShareOneHistory
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TABLE_SCAN = "SELECT count(*) FROM iceberg.demo.shared WHERE user_id >= 0";

    @TempDir
    static Path temporary;

    private TrinoServerProcess etl;
    private TrinoServerProcess bi;
    private CapturedRows rows;
    private Path config;
    private final List<String> etlIds = new ArrayList<>();
    private final List<String> biIds = new ArrayList<>();

    @BeforeAll
    void start()
            throws Exception
    {
        TestingPostgres postgres = TestingPostgres.shared();
        String captureUrl = postgres.createDatabase("clusters_capture");
        String catalogUrl = postgres.createDatabase("clusters_catalog");
        LocalIcebergCatalog.prepare(catalogUrl);
        Path warehouse = temporary.resolve("warehouse");
        Map<String, String> capture = Map.of("icetune.db.url", captureUrl, "icetune.db.user", "postgres");
        // started side by side: two coordinators starting one after the other would double the wait
        Map<String, String> named = new HashMap<>(capture);
        named.put("icetune.cluster-name", "bi");
        etl = TrinoServerProcess.configure(TrinoServerProcess.assembledServer(), temporary.resolve("etl"), "etl", catalogUrl, warehouse, capture);
        bi = TrinoServerProcess.configure(TrinoServerProcess.assembledServer(), temporary.resolve("bi"), "bi_environment", catalogUrl, warehouse, named);
        CompletableFuture<TrinoServerProcess> etlStarted = CompletableFuture.supplyAsync(() -> launch(etl));
        launch(bi);
        etlStarted.join();
        rows = new CapturedRows(captureUrl);

        StringBuilder properties = new StringBuilder("icetune.db.url=%s\nicetune.db.user=postgres\nicetune.rules.dir=%s\nicetune.trino.catalog=iceberg\niceberg.catalog.name=%s\n"
                .formatted(captureUrl, Path.of("../rules").toAbsolutePath(), LocalIcebergCatalog.NAME));
        LocalIcebergCatalog.icebergProperties(catalogUrl, warehouse).forEach((key, value) -> properties.append("iceberg.catalog.").append(key).append('=').append(value).append('\n'));
        config = temporary.resolve("icetune.properties");
        Files.writeString(config, properties.toString());

        // twelve small files, written by the ETL cluster
        try (Connection connection = etl.connect("loader"); Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA iceberg.demo");
            statement.execute("CREATE TABLE iceberg.demo.shared (ts timestamp(6), user_id bigint)");
            for (int file = 0; file < 12; file++) {
                statement.execute("INSERT INTO iceberg.demo.shared VALUES (TIMESTAMP '2024-01-01 10:00:00', " + file + ")");
            }
        }
        // both clusters at once: the table scanned twice by etl and six times, identically, by bi
        CompletableFuture<List<String>> fromEtl = CompletableFuture.supplyAsync(() -> run(etl, "etl-user", 2));
        biIds.addAll(run(bi, "bi-user", 6));
        etlIds.addAll(fromEtl.join());
        for (String id : concat(etlIds, biIds)) {
            rows.awaitQuery(id);
        }
    }

    @AfterAll
    void stop()
            throws Exception
    {
        for (TrinoServerProcess server : new TrinoServerProcess[] {etl, bi}) {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void everyRowCarriesTheClusterThatRanTheQuery()
    {
        for (String table : List.of("query_logs", "query_inputs", "query_starts")) {
            assertThat(clusters(table, etlIds)).as(table + " of etl's queries").containsOnly("etl");
            assertThat(clusters(table, biIds)).as(table + " of bi's queries").containsOnly("bi");
        }
    }

    @Test
    void reportsSplitByClusterOrCoverThemAll()
            throws Exception
    {
        JsonNode all = json("report", "top-expensive-patterns", "--json");
        assertThat(values(all, "cluster_name")).contains("etl", "bi");
        JsonNode onlyBi = json("report", "top-expensive-patterns", "--cluster", "bi", "--json");
        assertThat(values(onlyBi, "cluster_name")).containsOnly("bi");

        JsonNode scans = json("report", "scan-efficiency", "--json");
        assertThat(scans).anySatisfy(row -> {
            assertThat(row.get("table_name").asText()).isEqualTo("iceberg.demo.shared");
            assertThat(row.get("clusters").asText()).isEqualTo("bi,etl");
            assertThat(row.get("scans").asLong()).isEqualTo(8);
        });
        assertThat(json("report", "scan-efficiency", "--cluster", "etl", "--json"))
                .anySatisfy(row -> assertThat(row.get("scans").asLong()).isEqualTo(2));
    }

    @Test
    void aTablesScansAreSummedOverClustersAndAPatternStaysWithItsCluster()
            throws Exception
    {
        assertThat(icetune("evaluate")).isZero();
        JsonNode recommendations = json("recommendations", "list", "--json");

        JsonNode smallFiles = find(recommendations, "small-files");
        assertThat(smallFiles.get("target").asText()).isEqualTo("iceberg.demo.shared");
        assertThat(values(smallFiles.get("clusters"))).as("2 scans of etl and 6 of bi: neither alone makes 3").containsExactly("bi", "etl");
        JsonNode repeats = find(recommendations, "cache-misses");
        assertThat(repeats.get("cluster").asText()).isEqualTo("bi");
        assertThat(values(repeats.get("clusters"))).containsExactly("bi");

        assertThat(values(json("recommendations", "list", "--cluster", "etl", "--json"), "rule_id")).contains("small-files").doesNotContain("cache-misses");

        // one cluster's evaluation sees its evidence alone: etl's 2 scans are not enough, and bi's repeats are none of its business
        JsonNode evaluation = json("evaluate", "--cluster", "etl", "--json");
        assertThat(values(evaluation.get("recommendations"), "rule_id")).doesNotContain("small-files", "cache-misses");
        assertThat(rows.count("SELECT missed_evaluations FROM recommendations WHERE rule_id = 'small-files'")).as("etl's evaluation missed its table").isEqualTo(1);
        assertThat(rows.count("SELECT missed_evaluations FROM recommendations WHERE rule_id = 'cache-misses'")).as("and left bi's pattern alone").isZero();
    }

    private static TrinoServerProcess launch(TrinoServerProcess server)
    {
        try {
            return server.start();
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> run(TrinoServerProcess server, String user, int times)
    {
        List<String> ids = new ArrayList<>();
        try (Connection connection = server.connect(user); Statement statement = connection.createStatement()) {
            for (int i = 0; i < times; i++) {
                try (ResultSet result = statement.executeQuery(TABLE_SCAN)) {
                    result.next();
                    ids.add(result.unwrap(io.trino.jdbc.TrinoResultSet.class).getQueryId());
                }
            }
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }

    private List<Object> clusters(String table, List<String> ids)
    {
        return rows.query("SELECT DISTINCT cluster_name FROM " + table + " WHERE query_id = ANY (?)", (Object) ids.toArray(String[]::new)).stream()
                .map(row -> row.get("cluster_name")).toList();
    }

    private static List<String> concat(List<String> first, List<String> second)
    {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static JsonNode find(JsonNode recommendations, String rule)
    {
        for (JsonNode recommendation : recommendations) {
            if (recommendation.get("rule_id").asText().equals(rule)) {
                return recommendation;
            }
        }
        throw new AssertionError("no " + rule + " among " + recommendations);
    }

    private static List<String> values(JsonNode rows, String field)
    {
        List<String> values = new ArrayList<>();
        rows.forEach(row -> values.add(row.get(field).asText()));
        return values;
    }

    private static List<String> values(JsonNode array)
    {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    private JsonNode json(String... args)
            throws Exception
    {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = run(out, args);
        assertThat(code).as(String.join(" ", args)).isZero();
        return JSON.readTree(out.toString(StandardCharsets.UTF_8));
    }

    private int icetune(String... args)
    {
        return run(new ByteArrayOutputStream(), args);
    }

    private int run(ByteArrayOutputStream out, String... args)
    {
        return Cli.run(config, out, args);
    }
}
