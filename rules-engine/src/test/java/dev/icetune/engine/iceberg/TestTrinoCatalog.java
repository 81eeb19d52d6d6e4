package dev.icetune.engine.iceberg;

import dev.icetune.engine.TrinoConnections;
import dev.icetune.engine.facts.TableFact;
import dev.icetune.store.TableName;
import dev.icetune.testing.IcebergTrino;
import dev.icetune.testing.LocalIcebergCatalog;
import dev.icetune.testing.PostgresServer;
import dev.icetune.testing.TestingPostgres;
import io.trino.jdbc.TrinoDriver;
import io.trino.spi.eventlistener.EventListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A catalog apache-iceberg-core cannot open, Trino's file metastore, read through a real Trino: its Iceberg tables listed and
 * their current metadata read from storage, its views and materialized views left out, nothing it can change.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestTrinoCatalog
{
    private static final String TABLE = TableName.qualified("files", "sales dept", "events 2026");

    private IcebergTrino trino;
    private TrinoConnections connections;
    private Map<String, String> properties;
    /** The root of the files catalog's storage. */
    private Path files;

    @BeforeAll
    void start(@TempDir Path temporary)
            throws Exception
    {
        trino = IcebergTrino.start(new EventListener() {}, TestingPostgres.shared().createDatabase("trino_catalog"), temporary.resolve("warehouse"));
        files = temporary.resolve("files");
        Files.createDirectories(files.resolve("metastore"));
        trino.createCatalog("files", "iceberg", Map.of("iceberg.catalog.type", "TESTING_FILE_METASTORE", "hive.metastore.catalog.dir", "local:///metastore",
                "fs.local.enabled", "true", "local.location", files.toString(),
                // Trino reads a table's metadata files at each query, as after a restart, not from its memory: a table whose files are lost fails there
                "iceberg.metadata-cache.enabled", "false"));
        trino.execute("CREATE SCHEMA files.\"Sales Dept\"");
        trino.execute("CREATE TABLE files.\"Sales Dept\".\"Events 2026\" (id bigint, day date) WITH (partitioning = ARRAY['day'])");
        for (int insert = 1; insert <= 4; insert++) {
            trino.execute("INSERT INTO files.\"Sales Dept\".\"Events 2026\" VALUES (%d, DATE '2026-01-01')".formatted(insert));
        }
        trino.execute("CREATE VIEW files.\"Sales Dept\".recent AS SELECT id FROM files.\"Sales Dept\".\"Events 2026\"");
        trino.execute("CREATE MATERIALIZED VIEW files.\"Sales Dept\".per_day AS SELECT day, count(*) AS events FROM files.\"Sales Dept\".\"Events 2026\" GROUP BY day");
        connections = as("icetune");
        properties = Map.of("type", TrinoCatalog.TYPE, LocalFileIO.ROOT_PROPERTY, files.toString());
    }

    /** Connections to the test's Trino as {@code user}. */
    private TrinoConnections as(String user)
    {
        return () -> {
            Properties properties = new Properties();
            properties.setProperty("user", user);
            return new TrinoDriver().connect(trino.jdbcUrl(), properties);
        };
    }

    @AfterAll
    void stop()
    {
        trino.close();
    }

    @Test
    void readsTheTablesOfACatalogOnlyTrinoCanOpenAsTheyAreNow()
            throws Exception
    {
        try (TableMetadataReader reader = new TableMetadataReader(List.of(new TableMetadataReader.CatalogSpec("files", "files", properties)), Optional.of(connections))) {
            List<String> problems = new ArrayList<>();
            TableFactSource.TableFacts read = reader.read(List.of(), 1 << 20, Instant.now(), problems::add);
            assertThat(problems).isEmpty();
            assertThat(read.unread()).isEmpty();
            // the view and the materialized view are not Iceberg tables of the catalog
            TableFact events = assertThat(read.facts()).singleElement().actual();
            assertThat(events.table()).isEqualTo(TABLE);
            assertThat(events.dataFiles()).isEqualTo(4);
            assertThat(events.partitionFields()).containsExactly("day: identity(day)");

            // a write after the first read is seen by the next: the metadata file is asked for again
            trino.execute("INSERT INTO files.\"Sales Dept\".\"Events 2026\" VALUES (5, DATE '2026-01-02')");
            assertThat(reader.read(TABLE, 1 << 20, Instant.now())).get().extracting(TableFact::dataFiles).isEqualTo(5L);

            assertThat(reader.load(TableName.qualified("files", "sales dept", "recent"))).isEmpty();
            assertThat(reader.load(TableName.qualified("files", "sales dept", "nosuch"))).isEmpty();
            assertThat(reader.load(TableName.qualified("files", "nosuch", "nosuch"))).isEmpty();
            assertThatThrownBy(() -> reader.load(TABLE).orElseThrow().updateProperties().set("write.target-file-size-bytes", "1").commit())
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage("icetune reads Trino catalog files through Trino (type=trino), which cannot change it: give icetune the catalog itself (its type, uri, ...) for this");
        }
    }

    /**
     * Met from outside with apply and lint: the first statement after a restart of the PostgreSQL that Trino's Iceberg JDBC catalog
     * lives in fails on a connection the catalog kept ("Cannot check and eventually update SQL schema: FATAL: terminating connection
     * due to administrator command"). A catalog read through Trino asks again, and reads its tables. The PostgreSQL is a server
     * process of its own, restarted as an operator would.
     */
    @Test
    void aCatalogWhoseDatabaseRestartedIsReadOnANewConnection(@TempDir Path temporary)
            throws Exception
    {
        try (PostgresServer postgres = PostgresServer.start(temporary.resolve("pg"))) {
            String url = postgres.url("postgres");
            LocalIcebergCatalog.prepare(url);
            Path warehouse = temporary.resolve("restarted");
            Files.createDirectories(warehouse);
            trino.createCatalog("restarted", "iceberg", LocalIcebergCatalog.trinoProperties(url, warehouse));
            trino.execute("CREATE SCHEMA restarted.sales");
            trino.execute("CREATE TABLE restarted.sales.orders (id bigint)");
            trino.execute("INSERT INTO restarted.sales.orders VALUES 1");
            try (TableMetadataReader reader = new TableMetadataReader(List.of(new TableMetadataReader.CatalogSpec("restarted", "restarted",
                    Map.of("type", TrinoCatalog.TYPE, LocalFileIO.ROOT_PROPERTY, warehouse.toString()))), Optional.of(connections))) {
                postgres.stop(PostgresServer.Stop.FAST);
                postgres.start();

                List<String> problems = new ArrayList<>();
                TableFactSource.TableFacts read = reader.read(List.of(), 1 << 20, Instant.now(), problems::add);
                assertThat(problems).isEmpty();
                assertThat(read.facts()).extracting(TableFact::table).containsExactly("restarted.sales.orders");
            }
        }
    }

    /**
     * The current metadata files of a schema's tables are asked for in one query, not one a table (a catalog of hundreds of tables was
     * as many queries in Trino at every evaluation); a table Trino cannot open fails that query, and is then said on its own.
     */
    @Test
    void aSchemasTablesAreReadInOneQueryAndABrokenOneAlone()
            throws Exception
    {
        trino.execute("CREATE SCHEMA files.many");
        for (String table : List.of("a", "b", "c")) {
            trino.execute("CREATE TABLE files.many.%s AS SELECT 1 AS x".formatted(table));
        }
        try (TableMetadataReader reader = new TableMetadataReader(List.of(new TableMetadataReader.CatalogSpec("files", "files", properties)), Optional.of(as("batch-reader")))) {
            List<String> problems = new ArrayList<>();
            TableFactSource.TableFacts read = reader.read(List.of(), 1 << 20, Instant.now(), problems::add);
            assertThat(problems).isEmpty();
            assertThat(read.facts()).extracting(TableFact::table).containsExactlyInAnyOrder(TABLE, "files.many.a", "files.many.b", "files.many.c");
            assertThat(trino.execute("SELECT count(*) FROM system.runtime.queries WHERE \"user\" = 'batch-reader' AND query LIKE '%$metadata_log_entries%'")
                    .getOnlyValue()).as("one query a schema").isEqualTo(2L);

            try (var metadata = Files.walk(files)) {
                for (Path file : metadata.filter(path -> path.toString().contains("/many/c-") && path.toString().endsWith(".metadata.json")).toList()) {
                    Files.delete(file);
                }
            }
            problems.clear();
            read = reader.read(List.of(), 1 << 20, Instant.now(), problems::add);
            assertThat(read.facts()).extracting(TableFact::table).containsExactlyInAnyOrder(TABLE, "files.many.a", "files.many.b");
            assertThat(read.unread()).containsExactly("files.many.c");
            assertThat(problems).singleElement().asString().startsWith("cannot read Iceberg metadata of files.many.c, its recommendations are kept as they are: ");
        }
    }

    @Test
    void withoutTrinoTheCatalogIsUnreadAndSaysWhatToSet()
            throws Exception
    {
        try (TableMetadataReader reader = new TableMetadataReader(List.of(new TableMetadataReader.CatalogSpec("files", "files", properties)), Optional.empty())) {
            List<String> problems = new ArrayList<>();
            TableFactSource.TableFacts read = reader.read(List.of(TABLE), 1 << 20, Instant.now(), problems::add);
            assertThat(read.facts()).isEmpty();
            assertThat(read.unread()).containsExactly("files");
            assertThat(problems).containsExactly("cannot read the Iceberg catalog of files, its tables' recommendations are kept as they are: "
                    + "the Iceberg catalog of files is read through Trino (type=trino): set icetune.trino.url");
        }
    }
}
