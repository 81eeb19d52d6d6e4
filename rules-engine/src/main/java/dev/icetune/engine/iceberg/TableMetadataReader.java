package dev.icetune.engine.iceberg;

import dev.icetune.engine.Outcomes;
import dev.icetune.engine.TrinoConnections;
import dev.icetune.engine.facts.TableFact;
import dev.icetune.engine.facts.TimeSpan;
import dev.icetune.store.Failures;
import dev.icetune.store.TableName;
import org.apache.iceberg.BlobMetadata;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.SortField;
import org.apache.iceberg.StatisticsFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Reads Iceberg table metadata through apache-iceberg-core, from the same catalogs Trino uses. A catalog is
 * whatever its properties say ({@code type=jdbc}, {@code rest}, ... or {@code catalog-impl}): no code change
 * for another kind. Tables are named as Trino names them, {@code catalog.schema.table}, where the first part
 * is the Trino catalog the Iceberg catalog is known by; a table of any other Trino catalog is not read.
 */
public final class TableMetadataReader
        implements TableFactSource, Closeable
{
    /** The property of Iceberg's JdbcClientPool naming the SQL states it retries on a new connection, beside its own. */
    private static final String RETRYABLE_STATUS_CODES = "retryable_status_codes";

    /** An Iceberg catalog: its name and properties as apache-iceberg-core takes them, and the Trino catalog it is known by. */
    public record CatalogSpec(String trinoCatalog, String name, Map<String, String> properties)
    {
        public CatalogSpec
        {
            requireNonNull(trinoCatalog, "trinoCatalog is null");
            requireNonNull(name, "name is null");
            properties = Map.copyOf(properties);
        }
    }

    /** By the Trino catalog each is known by, in the order given. */
    private final Map<String, CatalogSpec> specs = new LinkedHashMap<>();
    /**
     * The catalogs opened, each at its first use and again after it failed: a catalog's database or service may be away
     * for a while, and opening a JDBC catalog connects to it.
     */
    private final Map<String, Catalog> opened = new ConcurrentHashMap<>();
    /** How a catalog of {@code type=trino} ({@link TrinoCatalog}) is read. */
    private final Optional<TrinoConnections> trino;
    /** The files of each table as last read, by table: read again when its metadata file changed. */
    private final Map<String, FiguresRead> figuresRead = new ConcurrentHashMap<>();
    /** The Trino catalogs of tables queried that no catalog here reads, said once each. */
    private final Set<String> notConfiguredSaid = ConcurrentHashMap.newKeySet();

    public TableMetadataReader(String trinoCatalog, String catalogName, Map<String, String> catalogProperties)
    {
        this(List.of(new CatalogSpec(trinoCatalog, catalogName, catalogProperties)), Optional.empty());
    }

    public TableMetadataReader(List<CatalogSpec> catalogs, Optional<TrinoConnections> trino)
    {
        this.trino = requireNonNull(trino, "trino is null");
        for (CatalogSpec spec : catalogs) {
            if (specs.putIfAbsent(spec.trinoCatalog(), spec) != null) {
                throw new IllegalArgumentException("Trino catalog " + spec.trinoCatalog() + " is given twice");
            }
        }
    }

    /** The table, if it is one of these catalogs' and exists. */
    public Optional<Table> load(String qualifiedName)
    {
        return find(qualifiedName).map(Found::table);
    }

    private record Found(TableName name, Table table) {}

    /** The table {@code text} names (of its {@link TableName#readings}, the first that exists in this catalog), with its name. */
    private Optional<Found> find(String text)
    {
        for (TableName name : TableName.readings(text)) {
            if (specs.containsKey(name.catalog())) {
                try {
                    return Optional.of(new Found(name, catalog(name.catalog()).loadTable(TableIdentifier.of(Namespace.of(name.schema()), name.table()))));
                }
                catch (NoSuchTableException e) {
                    // another reading, or none
                }
            }
        }
        return Optional.empty();
    }

    /** Every table of the catalog the Trino catalog {@code trinoCatalog} is, as catalog.schema.table. */
    private List<String> listTables(String trinoCatalog)
    {
        List<String> tables = new ArrayList<>();
        Catalog catalog = catalog(trinoCatalog);
        if (catalog instanceof SupportsNamespaces namespaces) {
            for (Namespace namespace : namespaces.listNamespaces()) {
                for (TableIdentifier identifier : catalog.listTables(namespace)) {
                    tables.add(TableName.qualified(trinoCatalog, namespace.toString(), identifier.name()));
                }
            }
        }
        return tables;
    }

    /**
     * Tables of one catalog failing one after another: its service, database or storage went away while its tables were read,
     * and the rest would each fail too (with a timeout each, on a store that does not answer), a line each.
     */
    static final int FAILURES_IN_A_ROW = 5;

    /**
     * A catalog that cannot be listed is said once, and none of its tables is read; a table that cannot be read is said on
     * its own, unless {@link #FAILURES_IN_A_ROW} of its catalog's fail in a row: then the catalog is said once more and the rest
     * of its tables are not read. Either is unread, not healthy: the other catalogs and tables are read all the same.
     */
    @Override
    public TableFacts read(Collection<String> tablesSeen, long smallFileBytes, Instant now, Consumer<String> problems)
    {
        Set<String> unread = new LinkedHashSet<>();
        Set<String> tables = new LinkedHashSet<>(tablesSeen);
        // a queried catalog left out of the configuration leaves the rules on table metadata silent on its tables: said once
        tablesSeen.stream()
                .map(TableName::readings)
                .filter(readings -> !readings.isEmpty() && readings.stream().noneMatch(name -> specs.containsKey(name.catalog())))
                .map(readings -> readings.getFirst().catalog())
                .distinct().sorted()
                .filter(notConfiguredSaid::add)
                .forEach(catalog -> problems.accept(("Iceberg tables of Trino catalog %1$s are queried but not read: no Iceberg catalog is configured for it "
                        + "(iceberg.catalogs.%1$s.*; type=trino reads it through Trino)").formatted(catalog)));
        for (String trinoCatalog : specs.keySet()) {
            try {
                tables.addAll(listTables(trinoCatalog));
            }
            catch (RuntimeException e) {
                forget(trinoCatalog);
                problems.accept("cannot read the Iceberg catalog of %s, its tables' recommendations are kept as they are: %s".formatted(trinoCatalog, reason(e)));
                unread.add(TableName.part(trinoCatalog));
            }
        }
        List<TableFact> facts = new ArrayList<>();
        Map<String, Integer> failingInARow = new HashMap<>();
        // read side by side, taken in the order listed: a read mostly waits on the catalog's service and the storage (an object store's
        // tens of milliseconds a file, for the metadata file and each manifest); read one after another, a catalog of thousands of
        // tables took minutes
        try (ExecutorService reads = Executors.newFixedThreadPool(READS_AT_ONCE, Thread.ofPlatform().name("icetune-metadata-", 0).daemon(true).factory())) {
            Map<String, Future<Optional<TableFact>>> reading = new LinkedHashMap<>();
            for (String table : tables) {
                if (!inUnreadCatalog(table, unread)) {
                    reading.put(table, reads.submit(() -> read(table, smallFileBytes, now)));
                }
            }
            reading.forEach((table, read) -> {
                if (inUnreadCatalog(table, unread)) {
                    read.cancel(true); // its catalog's failure is said once
                    return;
                }
                readInOrder(table, read, facts, failingInARow, unread, problems);
            });
        }
        // a table dropped or renamed is not asked for again
        figuresRead.keySet().retainAll(facts.stream().map(TableFact::table).collect(Collectors.toSet()));
        Set<String> listed = specs.keySet().stream().map(TableName::part).filter(catalog -> !unread.contains(catalog)).collect(Collectors.toSet());
        return new TableFacts(facts, unread, listed);
    }

    /** Tables read at once: enough to hide a store's latency, few enough for a catalog's connection pool and a small host. */
    private static final int READS_AT_ONCE = 8;

    private static boolean inUnreadCatalog(String table, Set<String> unread)
    {
        return TableName.readings(table).stream().anyMatch(name -> unread.contains(TableName.part(name.catalog())));
    }

    /** The outcome of one table's read, taken in the order the tables were listed, so that failures "in a row" are the catalog's own. */
    private void readInOrder(String table, Future<Optional<TableFact>> read, List<TableFact> facts, Map<String, Integer> failingInARow, Set<String> unread,
            Consumer<String> problems)
    {
        Optional<String> catalog = TableName.readings(table).stream().map(TableName::catalog).filter(specs::containsKey).findFirst();
        try {
            Outcomes.of(read, "reading table metadata").ifPresent(facts::add);
            catalog.ifPresent(failingInARow::remove);
        }
        catch (RuntimeException e) {
            problems.accept("cannot read Iceberg metadata of %s, its recommendations are kept as they are: %s".formatted(table, reason(e)));
            unread.add(table);
            if (catalog.isPresent() && failingInARow.merge(catalog.get(), 1, Integer::sum) == FAILURES_IN_A_ROW) {
                forget(catalog.get());
                problems.accept("the Iceberg catalog of %s failed on %d tables in a row: its other tables are not read this time, their recommendations are kept as they are"
                        .formatted(catalog.get(), FAILURES_IN_A_ROW));
                unread.add(TableName.part(catalog.get()));
            }
        }
    }

    /** The table's metadata as a fact, named as {@link TableName} writes it; files under {@code smallFileBytes} count as small. */
    public Optional<TableFact> read(String qualifiedName, long smallFileBytes, Instant now)
    {
        return find(qualifiedName).map(found -> fact(found.name().toString(), found.table(), smallFileBytes, now,
                noMaterializedViews(specs.get(found.name().catalog()).properties())));
    }

    /**
     * Iceberg catalog types Trino creates no materialized view in ("createMaterializedView is not supported for Iceberg JDBC catalogs");
     * it does in a Hive metastore's, Glue's and its file metastore's (type=trino here), and another (catalog-impl) is taken to.
     */
    private static final Set<String> WITHOUT_MATERIALIZED_VIEWS = Set.of("jdbc", "rest", "nessie", "snowflake", "hadoop");

    private static boolean noMaterializedViews(Map<String, String> catalogProperties)
    {
        String type = catalogProperties.get(CatalogUtil.ICEBERG_CATALOG_TYPE);
        return type != null && WITHOUT_MATERIALIZED_VIEWS.contains(type.toLowerCase(java.util.Locale.ROOT));
    }

    private TableFact fact(String qualifiedName, Table table, long smallFileBytes, Instant now, boolean noMaterializedViews)
    {
        Optional<String> location = metadataLocation(table);
        FiguresRead last = figuresRead.get(qualifiedName);
        if (location.isPresent() && last != null && last.metadataLocation().equals(location.get()) && last.smallFileBytes() == smallFileBytes) {
            return fact(qualifiedName, table, last.figures(), now, noMaterializedViews);
        }
        DataFileFigures figures = figures(table, smallFileBytes);
        location.ifPresent(metadata -> figuresRead.put(qualifiedName, new FiguresRead(metadata, smallFileBytes, figures)));
        return fact(qualifiedName, table, figures, now, noMaterializedViews);
    }

    /**
     * What a table's data files and metadata file add up to, for the table's state its metadata file is: Iceberg never rewrites one,
     * so a table unchanged since its last read is not planned again: its metadata file is read, its manifests are not.
     */
    private record FiguresRead(String metadataLocation, long smallFileBytes, DataFileFigures figures) {}

    /** The figures of a table's current data files, and the size of its metadata file. */
    private record DataFileFigures(long dataFiles, long bytes, long small, long smallBytes, long largeWithDeletes, long largeWithDeletesBytes, long largest, long records,
            int partitions, Map<String, TimeSpan> timeSpans, long metadataBytes, Map<String, Double> overlappingFiles, long loneFiles) {}

    private static DataFileFigures figures(Table table, long smallFileBytes)
    {
        Snapshot current = table.currentSnapshot();
        long dataFiles = 0;
        long bytes = 0;
        long small = 0;
        long smallBytes = 0;
        long largeWithDeletes = 0;
        long largeWithDeletesBytes = 0;
        long largest = 0;
        long records = 0;
        Map<String, long[]> partitions = new java.util.HashMap<>(); // per partition: its files, and those a rewrite leaves when alone
        Map<String, Considered> considered = new java.util.HashMap<>();
        Map<Integer, Types.NestedField> timeColumns = new java.util.HashMap<>();
        for (Types.NestedField column : table.schema().columns()) {
            if (TimeBounds.isTime(column.type())) {
                timeColumns.put(column.fieldId(), column);
            }
        }
        Map<String, TimeSpan> timeSpans = new java.util.HashMap<>();
        OverlappingFiles overlapping = new OverlappingFiles(table.schema());
        if (current != null) {
            try (CloseableIterable<FileScanTask> tasks = table.newScan().includeColumnStats().planFiles()) {
                for (FileScanTask task : tasks) {
                    DataFile file = task.file();
                    dataFiles++;
                    bytes += file.fileSizeInBytes();
                    records += file.recordCount();
                    String partition = CompactedFiles.partition(task);
                    if (CompactedFiles.considered(task, smallFileBytes)) {
                        Considered inPartition = considered.computeIfAbsent(CompactedFiles.destination(task, table), key -> new Considered());
                        inPartition.files++;
                        if (file.fileSizeInBytes() >= smallFileBytes) {
                            largeWithDeletes++;
                            largeWithDeletesBytes += file.fileSizeInBytes();
                        }
                        else if (CompactedFiles.mergedOnlyWithOthers(task, table)) {
                            inPartition.smallBesideOthers++;
                            inPartition.smallBesideOthersBytes += file.fileSizeInBytes();
                        }
                        else {
                            small++;
                            smallBytes += file.fileSizeInBytes();
                        }
                    }
                    largest = Math.max(largest, file.fileSizeInBytes());
                    long[] inPartition = partitions.computeIfAbsent(partition, key -> new long[2]);
                    inPartition[0]++;
                    inPartition[1] += CompactedFiles.onlyBesideOthers(task, table) ? 1 : 0;
                    overlapping.add(file);
                    timeColumns.forEach((id, column) -> widen(timeSpans, column, TimeBounds.instant(column.type(), file.lowerBounds() == null ? null : file.lowerBounds().get(id)),
                            TimeBounds.instant(column.type(), file.upperBounds() == null ? null : file.upperBounds().get(id))));
                }
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // a table partitioned finer than its data, or whose older files each fit one partition of a finer spec, has small files
            // that compaction cannot help (CompactedFiles.mergedOnlyWithOthers)
            for (Considered inPartition : considered.values()) {
                if (inPartition.files > 1) {
                    small += inPartition.smallBesideOthers;
                    smallBytes += inPartition.smallBesideOthersBytes;
                }
            }
        }
        long lone = partitions.values().stream().filter(inPartition -> inPartition[0] == 1 && inPartition[1] == 1).count();
        return new DataFileFigures(dataFiles, bytes, small, smallBytes, largeWithDeletes, largeWithDeletesBytes, largest, records, partitions.size(), timeSpans, metadataBytes(table),
                overlapping.averages(), lone);
    }

    private static TableFact fact(String qualifiedName, Table table, DataFileFigures figures, Instant now, boolean noMaterializedViews)
    {
        Snapshot current = table.currentSnapshot();
        long deleteFiles = current == null ? 0 : Long.parseLong(current.summary().getOrDefault("total-delete-files", "0"));
        List<String> partitionFields = new ArrayList<>();
        for (PartitionField field : table.spec().fields()) {
            partitionFields.add(field.name() + ": " + field.transform() + "(" + table.schema().findColumnName(field.sourceId()) + ")");
        }
        List<String> sortFields = new ArrayList<>();
        for (SortField field : table.sortOrder().fields()) {
            sortFields.add(table.schema().findColumnName(field.sourceId()));
        }
        Map<String, String> timeTypes = new LinkedHashMap<>();
        table.schema().columns().stream().filter(column -> TimeBounds.isTime(column.type())).forEach(column -> timeTypes.put(column.name(), column.type().toString()));
        List<String> timestampColumns = List.copyOf(timeTypes.keySet());
        List<Long> snapshotAges = new ArrayList<>();
        for (Snapshot snapshot : table.snapshots()) {
            snapshotAges.add(Duration.ofMillis(now.toEpochMilli() - snapshot.timestampMillis()).toHours());
        }
        snapshotAges.sort(null); // newest first
        long statisticsAge = -1;
        Snapshot analyzed = null;
        Map<String, Long> distinctCounts = Map.of();
        for (StatisticsFile statistics : table.statisticsFiles()) {
            Snapshot of = table.snapshot(statistics.snapshotId());
            if (of != null) {
                long age = Duration.ofMillis(now.toEpochMilli() - of.timestampMillis()).toHours();
                statisticsAge = statisticsAge < 0 ? age : Math.min(statisticsAge, age);
                if (analyzed == null || of.timestampMillis() > analyzed.timestampMillis()) {
                    analyzed = of;
                    distinctCounts = distinctCounts(table, statistics);
                }
            }
        }
        return new TableFact(qualifiedName, figures.dataFiles(), figures.bytes(), figures.largest(), figures.small(), figures.records(), deleteFiles, partitionFields, sortFields,
                timestampColumns, table.properties(), snapshotAges.size(), snapshotAges.isEmpty() ? 0 : snapshotAges.getLast(), statisticsAge,
                current == null ? -1 : current.snapshotId(), figures.smallBytes(), figures.partitions(), figures.timeSpans(), distinctCounts, figures.metadataBytes(), snapshotAges,
                figures.largeWithDeletes(), figures.largeWithDeletesBytes(), timeTypes, analyzed == null ? -1 : changedSince(table, analyzed),
                table.schema().columns().stream().map(Types.NestedField::name).toList(), figures.overlappingFiles(), noMaterializedViews,
                figures.loneFiles());
    }

    /**
     * The files a compaction considers (CompactedFiles) that it writes into one partition, and of them the small ones it rewrites
     * only beside another: counted small once the partition is known to receive more than one.
     */
    private static final class Considered
    {
        private long files;
        private long smallBesideOthers;
        private long smallBesideOthersBytes;
    }

    /** The size of the table's current metadata file, which the planning of every query of it reads; 0 when the catalog does not say where it is. */
    public static long metadataBytes(Table table)
    {
        return metadataLocation(table).map(location -> table.io().newInputFile(location).getLength()).orElse(0L);
    }

    /**
     * Which table this is, as Iceberg tells a table from another created under its name after it was dropped: its UUID; empty for
     * metadata that names none (written by an old writer).
     */
    public static Optional<String> uuid(Table table)
    {
        return table instanceof HasTableOperations operations ? Optional.ofNullable(operations.operations().current().uuid()) : Optional.empty();
    }

    /** The table's current metadata file, when its catalog says where it is. */
    private static Optional<String> metadataLocation(Table table)
    {
        return table instanceof HasTableOperations operations ? Optional.ofNullable(operations.operations().current().metadataFileLocation()) : Optional.empty();
    }

    /**
     * The rows added or removed since snapshot {@code analyzed}, a share of the rows it had: 0 when it is the current snapshot, -1 when
     * the history does not tell (it is not an ancestor of the current snapshot, or its summary has no total of records). A rewrite
     * (a compaction, a sort) changes no row. A snapshot that rewrote files in place counts the difference of rows added and
     * removed (its rows copied unchanged are in both), and every position or equality delete it added; summaries leave out zeros.
     */
    private static double changedSince(Table table, Snapshot analyzed)
    {
        try {
            long changed = 0;
            Snapshot snapshot = table.currentSnapshot();
            while (snapshot != null && snapshot.snapshotId() != analyzed.snapshotId()) {
                if (!DataOperations.REPLACE.equals(snapshot.operation())) {
                    Map<String, String> summary = snapshot.summary();
                    changed += Math.abs(count(summary, SnapshotSummary.ADDED_RECORDS_PROP) - count(summary, SnapshotSummary.DELETED_RECORDS_PROP))
                            + count(summary, SnapshotSummary.ADDED_POS_DELETES_PROP) + count(summary, SnapshotSummary.ADDED_EQ_DELETES_PROP);
                }
                snapshot = snapshot.parentId() == null ? null : table.snapshot(snapshot.parentId());
            }
            if (snapshot == null || !analyzed.summary().containsKey(SnapshotSummary.TOTAL_RECORDS_PROP)) {
                return -1;
            }
            long rows = count(analyzed.summary(), SnapshotSummary.TOTAL_RECORDS_PROP);
            return rows == 0 ? Math.min(changed, 1) : (double) changed / rows;
        }
        catch (NumberFormatException e) {
            return -1; // another writer's summary that is not counts
        }
    }

    private static long count(Map<String, String> summary, String name)
    {
        return Long.parseLong(summary.getOrDefault(name, "0"));
    }

    /** The "ndv" property Trino's ANALYZE gives each column's sketch in the statistics file: read from the metadata, not the file. */
    private static Map<String, Long> distinctCounts(Table table, StatisticsFile statistics)
    {
        Map<String, Long> counts = new java.util.HashMap<>();
        for (BlobMetadata blob : statistics.blobMetadata()) {
            String ndv = blob.properties() == null ? null : blob.properties().get("ndv");
            if (ndv == null || blob.fields().size() != 1) {
                continue;
            }
            String column = table.schema().findColumnName(blob.fields().getFirst());
            try {
                if (column != null) {
                    counts.put(column, Long.parseLong(ndv));
                }
            }
            catch (NumberFormatException ignored) {
                // another writer's property of that name: not a count this reader knows
            }
        }
        return counts;
    }

    private static void widen(Map<String, TimeSpan> spans, Types.NestedField column, Instant lower, Instant upper)
    {
        if (lower == null || upper == null) {
            return;
        }
        spans.merge(column.name(), new TimeSpan(lower, upper), (was, file) -> new TimeSpan(
                was.from().isBefore(file.from()) ? was.from() : file.from(), was.to().isAfter(file.to()) ? was.to() : file.to()));
    }

    @Override
    public void close()
            throws IOException
    {
        IOException failure = null;
        for (String trinoCatalog : List.copyOf(opened.keySet())) {
            try {
                close(opened.remove(trinoCatalog));
            }
            catch (IOException e) {
                if (failure == null) {
                    failure = e;
                }
                else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The Iceberg catalog of the Trino catalog {@code trinoCatalog} (one of the specs'), opened if it is not. */
    private Catalog catalog(String trinoCatalog)
    {
        return opened.computeIfAbsent(trinoCatalog, key -> {
            CatalogSpec spec = specs.get(key);
            if (TrinoCatalog.configuredBy(spec.properties())) {
                return new TrinoCatalog(key, spec.name(), spec.properties(), trino.orElseThrow(() -> TrinoCatalog.needsTrino(key)));
            }
            return CatalogUtil.buildIcebergCatalog(spec.name(), retryingEndedConnections(spec.properties()), null);
        });
    }

    /**
     * PostgreSQL ends its sessions when it restarts or an operator kills them (57P01, 57P02; 57P03 while it starts again): Iceberg's JDBC
     * catalog, told these are connection failures (its {@code retryable_status_codes}), takes a new connection for them as it does for its
     * own (08xxx), instead of failing the catalog's read at the first use of a pooled connection that was ended while idle.
     */
    private static Map<String, String> retryingEndedConnections(Map<String, String> properties)
    {
        if (!String.valueOf(properties.get(CatalogProperties.URI)).startsWith("jdbc:postgresql:") || properties.containsKey(RETRYABLE_STATUS_CODES)) {
            return properties;
        }
        Map<String, String> retrying = new HashMap<>(properties);
        retrying.put(RETRYABLE_STATUS_CODES, "57P01,57P02,57P03");
        return retrying;
    }

    /** Closes the catalog after a failure, so that the next use opens it afresh (new connections, a service's new address). */
    private void forget(String trinoCatalog)
    {
        try {
            close(opened.remove(trinoCatalog));
        }
        catch (IOException | RuntimeException ignored) {
            // the failure that made it forgotten is what is said
        }
    }

    private static void close(Catalog catalog)
            throws IOException
    {
        if (catalog instanceof Closeable closeable) {
            closeable.close();
        }
    }

    /** A failure in one line: Iceberg's messages may span several. */
    private static String reason(RuntimeException e)
    {
        String message = Failures.message(e).replaceAll("\\s*\\R\\s*", " ");
        Matcher missing = MISSING_IMPLEMENTATION.matcher(message);
        if (missing.find()) {
            // Iceberg's words name a constructor; what a person needs is what this installation can read, and with which keys
            return missing.group(1).equals("Catalog")
                    ? "this installation of icetune does not include Iceberg's %s: its catalogs are type=jdbc and type=rest, and type=trino reads any catalog through Trino (icetune.trino.url)"
                            .formatted(missing.group(2))
                    : "this installation of icetune does not include Iceberg's %s: it reads the files of Trino's local file system (io-impl=%s, local.location=Trino's local.location)"
                            .formatted(missing.group(2), LocalFileIO.class.getName());
        }
        return message;
    }

    /** Iceberg's words for a catalog type or file system whose classes are not on the class path. */
    private static final Pattern MISSING_IMPLEMENTATION = Pattern.compile("Cannot initialize (Catalog|FileIO) implementation .*?Missing ([\\w.$]+)");
}
