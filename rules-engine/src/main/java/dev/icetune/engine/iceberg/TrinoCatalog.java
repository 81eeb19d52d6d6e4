package dev.icetune.engine.iceberg;

import dev.icetune.engine.TrinoConnections;
import dev.icetune.engine.model.Sql;
import org.apache.iceberg.BaseMetastoreCatalog;
import org.apache.iceberg.BaseMetastoreTableOperations;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.io.FileIO;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * An Iceberg catalog read through Trino, for a Trino catalog whose metastore apache-iceberg-core cannot open (Trino's file
 * metastore, or one icetune has no credentials for): Trino lists its Iceberg tables ({@code system.iceberg_tables}) and
 * names each table's current metadata file ({@code "table$metadata_log_entries"}), which is then read from storage with
 * the catalog's FileIO ({@code io-impl}, by default {@link LocalFileIO}). Read-only: it cannot commit, so the fixes change such a
 * table through Trino's statements ({@link #readThroughTrino}); what only an Iceberg commit does (removing delete files a
 * rewrite left behind) needs the catalog itself.
 */
public final class TrinoCatalog
        extends BaseMetastoreCatalog
        implements SupportsNamespaces
{
    /** The value of a catalog's {@code type} property that reads it through Trino. */
    public static final String TYPE = "trino";

    /** Tables whose current metadata files one query asks for: a query each made a catalog of hundreds of tables as many queries at every evaluation. */
    static final int TABLES_A_QUERY = 100;

    private final String trinoCatalog;
    private final String name;
    private final TrinoConnections trino;
    private final FileIO io;
    /**
     * The current metadata file of each table the last listing of its schema found, asked for in one query with the others
     * ({@link #TABLES_A_QUERY} at most) for the loads that follow a listing; each is used once, later loads ask again.
     */
    private final Map<TableIdentifier, String> listed = new ConcurrentHashMap<>();

    public TrinoCatalog(String trinoCatalog, String name, Map<String, String> properties, TrinoConnections trino)
    {
        this.trinoCatalog = requireNonNull(trinoCatalog, "trinoCatalog is null");
        this.name = requireNonNull(name, "name is null");
        this.trino = requireNonNull(trino, "trino is null");
        this.io = CatalogUtil.loadFileIO(properties.getOrDefault(CatalogProperties.FILE_IO_IMPL, LocalFileIO.class.getName()), properties, null);
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    protected TableOperations newTableOps(TableIdentifier identifier)
    {
        return new Operations(identifier);
    }

    @Override
    public List<TableIdentifier> listTables(Namespace namespace)
    {
        List<TableIdentifier> tables = tableNames(namespace);
        listed.keySet().removeIf(table -> table.namespace().equals(namespace));
        for (int from = 0; from < tables.size(); from += TABLES_A_QUERY) {
            List<TableIdentifier> batch = tables.subList(from, Math.min(tables.size(), from + TABLES_A_QUERY));
            String sql = batch.stream()
                    .map(table -> "SELECT %s, file FROM (%s)".formatted(Sql.literal(table.name()), metadataLocationQuery(table)))
                    .collect(Collectors.joining(" UNION ALL "));
            try {
                query(sql, row -> Map.entry(TableIdentifier.of(namespace, row.getString(1)), row.getString(2))).forEach(table -> listed.put(table.getKey(), table.getValue()));
            }
            catch (RuntimeException e) {
                // one of them dropped since, or one Trino cannot open: each is asked for on its own, and says its own failure
            }
        }
        return tables;
    }

    private List<TableIdentifier> tableNames(Namespace namespace)
    {
        return query("SELECT table_name FROM %s.system.iceberg_tables WHERE table_schema = %s ORDER BY 1".formatted(Sql.identifier(trinoCatalog),
                Sql.literal(schema(namespace))), row -> TableIdentifier.of(namespace, row.getString(1)));
    }

    @Override
    public List<Namespace> listNamespaces(Namespace namespace)
    {
        if (!namespace.isEmpty()) {
            return List.of(); // Trino's schemas do not nest
        }
        return query("SELECT DISTINCT table_schema FROM %s.system.iceberg_tables ORDER BY 1".formatted(Sql.identifier(trinoCatalog)),
                row -> Namespace.of(row.getString(1)));
    }

    @Override
    public Map<String, String> loadNamespaceMetadata(Namespace namespace)
    {
        if (!listNamespaces(Namespace.empty()).contains(namespace)) {
            throw new NoSuchNamespaceException("no schema %s with Iceberg tables in Trino catalog %s", namespace, trinoCatalog);
        }
        return Map.of();
    }

    @Override
    protected String defaultWarehouseLocation(TableIdentifier identifier)
    {
        throw readOnly();
    }

    @Override
    public boolean dropTable(TableIdentifier identifier, boolean purge)
    {
        throw readOnly();
    }

    @Override
    public void renameTable(TableIdentifier from, TableIdentifier to)
    {
        throw readOnly();
    }

    @Override
    public void createNamespace(Namespace namespace, Map<String, String> metadata)
    {
        throw readOnly();
    }

    @Override
    public boolean dropNamespace(Namespace namespace)
    {
        throw readOnly();
    }

    @Override
    public boolean setProperties(Namespace namespace, Map<String, String> properties)
    {
        throw readOnly();
    }

    @Override
    public boolean removeProperties(Namespace namespace, Set<String> properties)
    {
        throw readOnly();
    }

    @Override
    public void close()
    {
        io.close();
    }

    /** Whether a catalog's properties say to read it through Trino. */
    public static boolean configuredBy(Map<String, String> properties)
    {
        return TYPE.equals(properties.get(CatalogUtil.ICEBERG_CATALOG_TYPE));
    }

    /** What a catalog of this type needs, when it is not there: the message says which key gives it. */
    public static IllegalArgumentException needsTrino(String trinoCatalog)
    {
        return new IllegalArgumentException("the Iceberg catalog of %s is read through Trino (type=%s): set icetune.trino.url".formatted(trinoCatalog, TYPE));
    }

    /** Whether {@code table} was read through Trino, so that icetune cannot commit a change to it. */
    public static boolean readThroughTrino(Table table)
    {
        return table instanceof HasTableOperations operations && operations.operations() instanceof Operations;
    }

    private UnsupportedOperationException readOnly()
    {
        return new UnsupportedOperationException("icetune reads Trino catalog %s through Trino (type=%s), which cannot change it: give icetune the catalog itself (its type, uri, ...) for this"
                .formatted(trinoCatalog, TYPE));
    }

    /** The table's current metadata file as Trino names it: the latest entry of its metadata log, which is the current one. */
    private Optional<String> metadataLocation(TableIdentifier identifier)
    {
        String justListed = listed.remove(identifier);
        if (justListed != null) {
            return Optional.of(justListed);
        }
        try {
            return query(metadataLocationQuery(identifier), row -> row.getString(1)).stream().findFirst();
        }
        catch (RuntimeException e) {
            // a view, a table of another format, or none: Trino says only that the metadata table does not exist
            if (!tableNames(identifier.namespace()).contains(identifier)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private String metadataLocationQuery(TableIdentifier table)
    {
        return "SELECT file FROM %s.%s.%s ORDER BY \"timestamp\" DESC LIMIT 1".formatted(Sql.identifier(trinoCatalog), Sql.identifier(schema(table.namespace())),
                Sql.identifier(table.name() + "$metadata_log_entries"));
    }

    @FunctionalInterface
    private interface Row<T>
    {
        T map(ResultSet row)
                throws SQLException;
    }

    /**
     * Each row mapped; values are literals in the text, not parameters, which Trino's driver sends as a PREPARE and an EXECUTE, two queries its listener records.
     * Asked again once where Trino's catalog met a connection to its database that the database had ended (a restart).
     */
    private <T> List<T> query(String sql, Row<T> mapper)
    {
        try {
            return TrinoConnections.againIfCatalogConnectionLost(() -> queryOnce(sql, mapper));
        }
        catch (SQLException e) {
            throw new IllegalStateException("Trino (catalog %s): %s".formatted(trinoCatalog, e.getMessage()), e);
        }
    }

    private <T> List<T> queryOnce(String sql, Row<T> mapper)
            throws SQLException
    {
        try (Connection connection = trino.open(); Statement statement = connection.createStatement()) {
            List<T> values = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery(sql)) {
                while (rows.next()) {
                    values.add(mapper.map(rows));
                }
            }
            return values;
        }
    }

    private static String schema(Namespace namespace)
    {
        if (namespace.levels().length != 1) {
            throw new NoSuchNamespaceException("a Trino schema is one name, not %s", namespace);
        }
        return namespace.level(0);
    }

    /** A table's metadata as Trino's catalog holds it now, read again at each refresh. */
    private final class Operations
            extends BaseMetastoreTableOperations
    {
        private final TableIdentifier identifier;

        Operations(TableIdentifier identifier)
        {
            this.identifier = identifier;
        }

        @Override
        protected String tableName()
        {
            return trinoCatalog + "." + identifier;
        }

        @Override
        public FileIO io()
        {
            return io;
        }

        @Override
        protected void doRefresh()
        {
            Optional<String> location = metadataLocation(identifier);
            if (location.isEmpty()) {
                if (currentMetadataLocation() != null) {
                    throw new NoSuchTableException("table %s was dropped", tableName());
                }
                disableRefresh();
                return;
            }
            refreshFromMetadataLocation(location.get());
        }

        @Override
        protected void doCommit(TableMetadata base, TableMetadata metadata)
        {
            throw readOnly();
        }
    }
}
