package dev.icetune.engine.iceberg;

import dev.icetune.engine.facts.TableFact;
import dev.icetune.testing.LocalIcebergCatalog;
import dev.icetune.testing.TestingPostgres;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileMetadata;
import org.apache.iceberg.GenericStatisticsFile;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.DateTimeUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TestTableMetadataReader
{
    /** lake.sales.regions, of the tests that give a table files of their own: ids by region. */
    private static final Schema REGIONS = new Schema(Types.NestedField.required(1, "id", Types.LongType.get()), Types.NestedField.required(2, "region", Types.StringType.get()));
    private static final PartitionSpec BY_REGION = PartitionSpec.builderFor(REGIONS).identity("region").build();

    /**
     * As a running service meets it: the catalog's database refuses connections and ends the reader's, then takes them again.
     * The same reader says the catalog was not read (without the password its URL carries), and reads it again once it is
     * back, with no restart.
     */
    @Test
    void aCatalogWhoseDatabaseWentAwayIsReadAgainOnceItIsBack(@TempDir Path warehouse)
            throws Exception
    {
        String url = TestingPostgres.shared().createDatabase("reader_outage");
        Map<String, String> properties = withOrders(url, warehouse);

        try (TableMetadataReader reader = new TableMetadataReader("lake", LocalIcebergCatalog.NAME, properties)) {
            assertThat(read(reader).facts()).extracting(TableFact::table).containsExactly("lake.sales.orders");

            TestingPostgres.shared().allowConnections(url, false);
            TestingPostgres.shared().endConnections(url);
            try {
                // the first read meets its connection ended; the next opens the catalog again, and is refused
                for (int read = 1; read <= 2; read++) {
                    List<String> problems = new ArrayList<>();
                    TableFactSource.TableFacts away = reader.read(List.of("lake.sales.orders"), 1 << 20, Instant.now(), problems::add);
                    assertThat(away.facts()).isEmpty();
                    assertThat(away.unread()).containsExactly("lake");
                    assertThat(away.listed()).as("its tables not known gone").isEmpty();
                    assertThat(problems).as("one line for the catalog, none for each of its tables").singleElement().asString()
                            .startsWith("cannot read the Iceberg catalog of lake, its tables' recommendations are kept as they are: ");
                    if (read == 2) {
                        assertThat(problems.getFirst()).contains("not currently accepting connections").contains("password=****").doesNotContain("s3cret");
                    }
                }
            }
            finally {
                TestingPostgres.shared().allowConnections(url, true);
            }

            TableFactSource.TableFacts back = read(reader);
            assertThat(back.unread()).isEmpty();
            assertThat(back.listed()).containsExactly("lake");
            assertThat(back.facts()).extracting(TableFact::table).containsExactly("lake.sales.orders");
        }
    }

    /**
     * As a running service meets a restart of the catalog's PostgreSQL, or an operator killing its sessions: the reader's pooled
     * connection is ended while it is idle. The next read takes a new one, and misses nothing (it said the catalog unread, once).
     */
    @Test
    void aCatalogWhoseConnectionsWereEndedIsReadOnNewOnes(@TempDir Path warehouse)
            throws Exception
    {
        String url = TestingPostgres.shared().createDatabase("reader_ended");
        Map<String, String> properties = withOrders(url, warehouse);
        try (TableMetadataReader reader = new TableMetadataReader("lake", LocalIcebergCatalog.NAME, properties)) {
            assertThat(read(reader).facts()).extracting(TableFact::table).containsExactly("lake.sales.orders");

            TestingPostgres.shared().endConnections(url);

            List<String> problems = new ArrayList<>();
            TableFactSource.TableFacts after = reader.read(List.of("lake.sales.orders"), 1 << 20, Instant.now(), problems::add);
            assertThat(problems).isEmpty();
            assertThat(after.unread()).isEmpty();
            assertThat(after.facts()).extracting(TableFact::table).containsExactly("lake.sales.orders");
        }
    }

    /**
     * As an operator meets it: the catalog's storage goes away (its warehouse directory moved off) while its database still answers,
     * so the tables are listed and each fails to load. After a few in a row the catalog is said once and the rest are not tried: a
     * few lines, not one for each of thousands of tables. Back in place, every table is read again, by the same reader. A table whose
     * own metadata is lost (its directory moved off) is said alone, and the others are read.
     */
    @Test
    void aCatalogWhoseStorageWentAwayIsSaidOnceNotOnceATable(@TempDir Path root)
            throws Exception
    {
        Path warehouse = root.resolve("warehouse");
        Map<String, String> properties = withOrders(TestingPostgres.shared().createDatabase("reader_storage"), warehouse);
        Catalog catalog = CatalogUtil.buildIcebergCatalog(LocalIcebergCatalog.NAME, properties, null);
        Path lost;
        try (Closeable ignored = (Closeable) catalog) {
            for (int table = 1; table < 20; table++) {
                catalog.createTable(TableIdentifier.of("sales", "t%02d".formatted(table)), new Schema(Types.NestedField.required(1, "id", Types.LongType.get())));
            }
            // local:///sales/t07, in the warehouse
            lost = warehouse.resolve(java.net.URI.create(catalog.loadTable(TableIdentifier.of("sales", "t07")).location()).getPath().substring(1));
        }

        try (TableMetadataReader reader = new TableMetadataReader("lake", LocalIcebergCatalog.NAME, properties)) {
            assertThat(read(reader).facts()).hasSize(20);

            Path away = root.resolve("warehouse-away");
            Files.move(warehouse, away);
            List<String> problems = new ArrayList<>();
            TableFactSource.TableFacts facts = reader.read(List.of(), 1 << 20, Instant.now(), problems::add);
            assertThat(facts.facts()).isEmpty();
            assertThat(problems).hasSize(TableMetadataReader.FAILURES_IN_A_ROW + 1);
            assertThat(problems.subList(0, TableMetadataReader.FAILURES_IN_A_ROW)).allSatisfy(line -> assertThat(line).startsWith("cannot read Iceberg metadata of lake.sales."));
            assertThat(problems.getLast()).isEqualTo("the Iceberg catalog of lake failed on 5 tables in a row: its other tables are not read this time, "
                    + "their recommendations are kept as they are");
            assertThat(facts.unread()).hasSize(TableMetadataReader.FAILURES_IN_A_ROW + 1).contains("lake");
            assertThat(facts.listed()).isEmpty();

            Files.move(away, warehouse);
            assertThat(read(reader).facts()).hasSize(20);

            Files.move(lost, root.resolve("t07-lost"));
            problems.clear();
            facts = reader.read(List.of(), 1 << 20, Instant.now(), problems::add);
            assertThat(problems).singleElement().asString().startsWith("cannot read Iceberg metadata of lake.sales.t07, its recommendations are kept as they are: ");
            assertThat(facts.unread()).containsExactly("lake.sales.t07");
            assertThat(facts.listed()).as("its other tables read, the unread one not gone").containsExactly("lake");
            assertThat(facts.facts()).hasSize(19);
        }
    }

    /** A catalog its configuration cannot open (a file: warehouse without an io-impl, Hadoop's not installed) is said in one line; the others are read. */
    @Test
    void aCatalogThatCannotOpenIsSaidInOneLineAndTheOthersAreRead(@TempDir Path warehouse)
            throws Exception
    {
        Map<String, String> properties = withOrders(TestingPostgres.shared().createDatabase("reader_misconfigured"), warehouse);
        Map<String, String> withoutFileIo = new HashMap<>(properties);
        withoutFileIo.remove("io-impl");
        withoutFileIo.put("warehouse", warehouse.toUri().toString());
        // a Hive metastore, most teams' catalog: Iceberg's HiveCatalog (and Hadoop) is not in the installation
        Map<String, String> hive = Map.of("type", "hive", "uri", "thrift://127.0.0.1:" + TestingPostgres.freePort());
        try (TableMetadataReader reader = new TableMetadataReader(List.of(new TableMetadataReader.CatalogSpec("broken", LocalIcebergCatalog.NAME, withoutFileIo),
                new TableMetadataReader.CatalogSpec("lake", LocalIcebergCatalog.NAME, properties), new TableMetadataReader.CatalogSpec("hms", "hms", hive)), Optional.empty())) {
            List<String> problems = new ArrayList<>();
            TableFactSource.TableFacts facts = reader.read(List.of("broken.sales.orders", "hms.sales.orders"), 1 << 20, Instant.now(), problems::add);
            assertThat(facts.facts()).extracting(TableFact::table).containsExactly("lake.sales.orders");
            assertThat(facts.unread()).containsExactlyInAnyOrder("broken", "hms");
            assertThat(facts.listed()).containsExactly("lake");
            assertThat(problems).hasSize(2).allSatisfy(problem -> assertThat(problem).doesNotContain("\n").doesNotContain("constructor"));
            assertThat(problems).filteredOn(problem -> problem.startsWith("cannot read the Iceberg catalog of broken, ")).singleElement().asString()
                    .contains("does not include Iceberg's org.apache.iceberg.hadoop.HadoopFileIO: it reads the files of Trino's local file system (io-impl=dev.icetune.engine.iceberg.LocalFileIO");
            assertThat(problems).filteredOn(problem -> problem.startsWith("cannot read the Iceberg catalog of hms, ")).singleElement().asString()
                    .contains("does not include Iceberg's org.apache.iceberg.hive.HiveCatalog: its catalogs are type=jdbc and type=rest, and type=trino reads any catalog through Trino");
        }
    }

    /** A catalog queried but left out of the configuration leaves the rules on table metadata silent on its tables: said, once. */
    @Test
    void aQueriedCatalogThatIsNotConfiguredIsSaidOnce(@TempDir Path warehouse)
            throws Exception
    {
        Map<String, String> properties = withOrders(TestingPostgres.shared().createDatabase("reader_not_configured"), warehouse);
        try (TableMetadataReader reader = new TableMetadataReader("lake", LocalIcebergCatalog.NAME, properties)) {
            List<String> problems = new ArrayList<>();
            List<String> seen = List.of("files.s1.a", "lake.sales.orders", "files.s1.b", "other.x.y");
            TableFactSource.TableFacts facts = reader.read(seen, 1 << 20, Instant.now(), problems::add);
            assertThat(facts.facts()).extracting(TableFact::table).containsExactly("lake.sales.orders");
            assertThat(facts.unread()).as("not a failure to read: nothing was to be read").isEmpty();
            assertThat(facts.facts().getFirst().columns()).as("the current schema's columns, which rules ask for by hasColumn").containsExactly("id");
            assertThat(problems).containsExactly(
                    "Iceberg tables of Trino catalog files are queried but not read: no Iceberg catalog is configured for it (iceberg.catalogs.files.*; type=trino reads it through Trino)",
                    "Iceberg tables of Trino catalog other are queried but not read: no Iceberg catalog is configured for it (iceberg.catalogs.other.*; type=trino reads it through Trino)");
            problems.clear();
            reader.read(seen, 1 << 20, Instant.now(), problems::add);
            assertThat(problems).as("a service's next evaluations").isEmpty();
        }
    }

    /**
     * Small files are those a compaction rewrites: a partition's only small file has nothing to be merged with (a table partitioned
     * finer than its data), unless deletes apply to it or the partition has another file to rewrite. Metadata only: planning reads
     * manifests, never the data files, which need not exist.
     */
    @Test
    void aPartitionsOnlySmallFileIsNotOneToCompact(@TempDir Path warehouse)
            throws Exception
    {
        Map<String, String> properties = withOrders(TestingPostgres.shared().createDatabase("reader_small_files"), warehouse);
        Catalog catalog = CatalogUtil.buildIcebergCatalog(LocalIcebergCatalog.NAME, properties, null);
        try (Closeable ignored = (Closeable) catalog) {
            Table table = catalog.createTable(TableIdentifier.of("sales", "regions"), REGIONS, BY_REGION, Map.of("format-version", "2"));
            long kb = 1024;
            long mb = 1024 * kb;
            table.newAppend()
                    .appendFile(dataFile("a", 1, kb)) // alone: nothing to merge with
                    .appendFile(dataFile("b", 1, kb)).appendFile(dataFile("b", 2, kb)) // two: merged into one
                    .appendFile(dataFile("c", 1, kb)) // alone, with deletes: rewritten to apply them
                    .appendFile(dataFile("d", 1, kb)).appendFile(dataFile("d", 2, 10 * mb)) // beside a large file with deletes
                    .appendFile(dataFile("e", 1, 10 * mb)) // large, alone
                    .commit();
            table.newRowDelta().addDeletes(positionDeletes("c")).addDeletes(positionDeletes("d")).commit();
        }

        try (TableMetadataReader reader = new TableMetadataReader("lake", LocalIcebergCatalog.NAME, properties)) {
            TableFact regions = regions(reader);
            assertThat(regions.dataFiles()).isEqualTo(7);
            assertThat(regions.partitions()).isEqualTo(5);
            assertThat(regions.smallFiles()).as("b's two, c's with deletes, d's beside a file rewritten; not a's alone").isEqualTo(4);
            assertThat(regions.smallFileBytes()).isEqualTo(4 * 1024);
            assertThat(regions.largeFilesWithDeletes()).isEqualTo(1);
            assertThat(regions.loneFiles()).as("a's and e's, which no rewrite of a new layout reaches; c's has deletes to apply").isEqualTo(2);
        }
    }

    /**
     * Met from outside: a table partitioned by month, then by day, each file of the monthly spec holding one day, had its 60 older
     * files counted small, and small-files proposed a compaction that rewrote them into 60, a file a day. A compaction writes an
     * older spec's file into the partitions of the current spec that its rows fall in: a file whose bounds fit one day is small only
     * beside another file of that day; one spanning two days is rewritten apart all the same.
     */
    @Test
    void anOlderSpecsFileAloneInItsDayOfTheCurrentSpecIsNotOneToCompact(@TempDir Path warehouse)
            throws Exception
    {
        Map<String, String> properties = withOrders(TestingPostgres.shared().createDatabase("reader_finer_spec"), warehouse);
        Schema schema = new Schema(Types.NestedField.required(1, "id", Types.LongType.get()), Types.NestedField.required(2, "ts", Types.TimestampType.withoutZone()));
        Catalog catalog = CatalogUtil.buildIcebergCatalog(LocalIcebergCatalog.NAME, properties, null);
        try (Closeable ignored = (Closeable) catalog) {
            Table table = catalog.createTable(TableIdentifier.of("sales", "clicks"), schema, PartitionSpec.builderFor(schema).month("ts").build(), Map.of("format-version", "2"));
            var monthly = table.newAppend();
            for (int day = 1; day <= 4; day++) {
                monthly.appendFile(clicks(table.spec(), "ts_month=648", "%d.parquet".formatted(day), "2024-01-0%dT01:00:00".formatted(day), "2024-01-0%dT23:00:00".formatted(day)));
            }
            monthly.appendFile(clicks(table.spec(), "ts_month=648", "5-6.parquet", "2024-01-05T01:00:00", "2024-01-06T23:00:00"));
            monthly.commit();
            table.updateSpec().removeField("ts_month").addField(Expressions.day("ts")).commit();
            table.newAppend().appendFile(clicks(table.spec(), "ts_day=2024-01-03", "3-later.parquet", "2024-01-03T12:00:00", "2024-01-03T13:00:00")).commit();
        }

        try (TableMetadataReader reader = new TableMetadataReader("lake", LocalIcebergCatalog.NAME, properties)) {
            TableFact clicks = read(reader).facts().stream().filter(fact -> fact.table().equals("lake.sales.clicks")).findFirst().orElseThrow();
            assertThat(clicks.dataFiles()).isEqualTo(6);
            assertThat(clicks.smallFiles()).as("January 3rd's two, and the file of two days; not the 1st's, 2nd's or 4th's, each alone in its day").isEqualTo(3);
        }
    }

    private static DataFile clicks(PartitionSpec spec, String partition, String name, String first, String last)
    {
        var type = Types.TimestampType.withoutZone();
        Map<Integer, ByteBuffer> lower = Map.of(2, Conversions.toByteBuffer(type, DateTimeUtil.isoTimestampToMicros(first)));
        Map<Integer, ByteBuffer> upper = Map.of(2, Conversions.toByteBuffer(type, DateTimeUtil.isoTimestampToMicros(last)));
        return DataFiles.builder(spec).withPath("/nowhere/clicks/" + name).withFormat(FileFormat.PARQUET).withPartitionPath(partition)
                .withFileSizeInBytes(1024).withMetrics(new Metrics(10L, null, null, Map.of(2, 0L), null, lower, upper)).build();
    }

    /**
     * A service reads every table at each evaluation: a table changed since is planned again, one unchanged is not (its manifests,
     * lost here, are not read; before, it failed and was unread).
     */
    @Test
    void anUnchangedTableIsNotPlannedAgain(@TempDir Path root)
            throws Exception
    {
        Path warehouse = root.resolve("warehouse");
        Map<String, String> properties = withOrders(TestingPostgres.shared().createDatabase("reader_unchanged"), warehouse);
        Catalog catalog = CatalogUtil.buildIcebergCatalog(LocalIcebergCatalog.NAME, properties, null);
        try (Closeable ignored = (Closeable) catalog; TableMetadataReader reader = new TableMetadataReader("lake", LocalIcebergCatalog.NAME, properties)) {
            Table table = catalog.createTable(TableIdentifier.of("sales", "regions"), REGIONS, BY_REGION);
            table.newAppend().appendFile(dataFile("a", 1, 1024)).appendFile(dataFile("b", 1, 1024)).commit();
            assertThat(regions(reader).dataFiles()).isEqualTo(2);

            table.newAppend().appendFile(dataFile("c", 1, 1024)).commit();
            assertThat(regions(reader).dataFiles()).as("changed since: planned again").isEqualTo(3);

            try (var files = Files.walk(warehouse)) {
                for (Path manifest : files.filter(path -> path.toString().endsWith(".avro")).toList()) {
                    Files.delete(manifest);
                }
            }
            TableFact unchanged = regions(reader);
            assertThat(unchanged.dataFiles()).isEqualTo(3);
            assertThat(unchanged.partitions()).isEqualTo(3);
            assertThat(unchanged.snapshots()).isEqualTo(2);
        }
    }

    /**
     * Statistics are stale by what changed since their snapshot, not by its age: Trino keeps them with every write, so a table
     * analyzed, or written by Trino, and unchanged for a month has exact ones. Rows another engine adds count; a compaction's do not.
     */
    @Test
    void theRowsChangedSinceTheStatisticsSnapshotAreAShareOfItsRows(@TempDir Path warehouse)
            throws Exception
    {
        Map<String, String> properties = withOrders(TestingPostgres.shared().createDatabase("reader_statistics"), warehouse);
        Catalog catalog = CatalogUtil.buildIcebergCatalog(LocalIcebergCatalog.NAME, properties, null);
        try (Closeable ignored = (Closeable) catalog; TableMetadataReader reader = new TableMetadataReader("lake", LocalIcebergCatalog.NAME, properties)) {
            Table table = catalog.createTable(TableIdentifier.of("sales", "regions"), REGIONS, BY_REGION);
            DataFile first = dataFile("a", 1, 1024);
            DataFile second = dataFile("a", 2, 1024);
            table.newAppend().appendFile(first).appendFile(second).commit();
            assertThat(regions(reader).statisticsChangedShare()).as("no statistics").isEqualTo(-1);

            long analyzed = table.currentSnapshot().snapshotId();
            table.updateStatistics().setStatistics(new GenericStatisticsFile(analyzed, "/nowhere/stats.puffin", 100, 10, List.of())).commit();
            TableFact current = regions(reader);
            assertThat(current.hasStatistics()).isTrue();
            assertThat(current.statisticsChangedShare()).as("statistics of the current snapshot").isEqualTo(0);

            DataFile merged = DataFiles.builder(BY_REGION).copy(dataFile("a", 3, 2048)).withRecordCount(20).build();
            table.newRewrite().deleteFile(first).deleteFile(second).addFile(merged).commit();
            assertThat(regions(reader).statisticsChangedShare()).as("compacted: the same rows").isEqualTo(0);

            table.newAppend().appendFile(dataFile("b", 1, 1024)).commit();
            table.newRowDelta().addDeletes(positionDeletes("a")).commit();
            assertThat(regions(reader).statisticsChangedShare()).as("10 rows added and 1 deleted of the 20 analyzed").isEqualTo(11 / 20.0);
        }
    }

    /**
     * Whether sorting would help a filter is told by the files' min/max ranges of its column: ids appended in order overlap no other
     * file's, regions each file spans overlap every file's, a column without bounds (no metrics kept) is not known.
     */
    @Test
    void theFilesOverlappingOneFilesRangeAreCountedPerColumn(@TempDir Path warehouse)
            throws Exception
    {
        Map<String, String> properties = withOrders(TestingPostgres.shared().createDatabase("reader_overlaps"), warehouse);
        Schema schema = new Schema(Types.NestedField.required(1, "id", Types.LongType.get()), Types.NestedField.required(2, "region", Types.StringType.get()),
                Types.NestedField.optional(3, "note", Types.StringType.get()));
        Catalog catalog = CatalogUtil.buildIcebergCatalog(LocalIcebergCatalog.NAME, properties, null);
        try (Closeable ignored = (Closeable) catalog) {
            Table table = catalog.createTable(TableIdentifier.of("sales", "ordered"), schema);
            var append = table.newAppend();
            for (int file = 0; file < 4; file++) {
                Map<Integer, ByteBuffer> lower = Map.of(1, Conversions.toByteBuffer(Types.LongType.get(), 100L * file), 2, Conversions.toByteBuffer(Types.StringType.get(), "AT"));
                Map<Integer, ByteBuffer> upper = Map.of(1, Conversions.toByteBuffer(Types.LongType.get(), 100L * file + 99), 2, Conversions.toByteBuffer(Types.StringType.get(), "US"));
                append.appendFile(DataFiles.builder(PartitionSpec.unpartitioned()).withPath("/nowhere/ordered/%d.parquet".formatted(file)).withFormat(FileFormat.PARQUET)
                        .withFileSizeInBytes(1024).withMetrics(new Metrics(100L, null, null, null, null, lower, upper)).build());
            }
            append.commit();
        }

        try (TableMetadataReader reader = new TableMetadataReader("lake", LocalIcebergCatalog.NAME, properties)) {
            TableFact ordered = read(reader).facts().stream().filter(fact -> fact.table().equals("lake.sales.ordered")).findFirst().orElseThrow();
            assertThat(ordered.overlappingFiles("id")).as("appended in order").isEqualTo(1);
            assertThat(ordered.overlappingFiles("Region")).as("each file spans all").isEqualTo(4);
            assertThat(ordered.overlappingFiles("note")).as("no bounds kept").isEqualTo(-1);
            assertThat(ordered.filesOverlapOn("id", 4)).isFalse();
            assertThat(ordered.filesOverlapOn("region", 4)).isTrue();
            assertThat(ordered.filesOverlapOn("note", 4)).as("not known: as before").isTrue();
            assertThat(ordered.noMaterializedViews()).as("an Iceberg JDBC catalog: Trino creates no materialized view in it").isTrue();
        }
    }

    private static TableFact regions(TableMetadataReader reader)
    {
        return read(reader).facts().stream().filter(fact -> fact.table().equals("lake.sales.regions")).findFirst().orElseThrow();
    }

    private static DataFile dataFile(String region, int number, long bytes)
    {
        return DataFiles.builder(BY_REGION).withPath("/nowhere/region=%s/%d.parquet".formatted(region, number)).withFormat(FileFormat.PARQUET)
                .withPartitionPath("region=" + region).withFileSizeInBytes(bytes).withRecordCount(10).build();
    }

    private static DeleteFile positionDeletes(String region)
    {
        return FileMetadata.deleteFileBuilder(BY_REGION).ofPositionDeletes().withPath("/nowhere/region=%s/deletes.parquet".formatted(region))
                .withFormat(FileFormat.PARQUET).withPartitionPath("region=" + region).withFileSizeInBytes(100).withRecordCount(1).build();
    }

    /**
     * Properties of an Iceberg JDBC catalog in the database {@code url} with a table sales.orders, with a password in its URL
     * (PostgreSQL here trusts local connections), which Iceberg's messages quote.
     */
    private static Map<String, String> withOrders(String url, Path warehouse)
            throws Exception
    {
        LocalIcebergCatalog.prepare(url);
        Map<String, String> properties = new HashMap<>(LocalIcebergCatalog.icebergProperties(url, warehouse));
        properties.put("uri", url + (url.contains("?") ? "&" : "?") + "password=s3cret");
        Catalog catalog = CatalogUtil.buildIcebergCatalog(LocalIcebergCatalog.NAME, properties, null);
        ((SupportsNamespaces) catalog).createNamespace(Namespace.of("sales"));
        catalog.createTable(TableIdentifier.of("sales", "orders"), new Schema(Types.NestedField.required(1, "id", Types.LongType.get())));
        ((Closeable) catalog).close();
        return properties;
    }

    private static TableFactSource.TableFacts read(TableMetadataReader reader)
    {
        List<String> problems = new ArrayList<>();
        TableFactSource.TableFacts facts = reader.read(List.of(), 1 << 20, Instant.now(), problems::add);
        assertThat(problems).isEmpty();
        return facts;
    }
}
