package dev.icetune.testing;

import java.nio.file.Path;
import java.util.Map;

/**
 * The Iceberg catalog every test, benchmark and the demo use: Iceberg's JDBC catalog {@code icetune} kept in a
 * PostgreSQL database, over a warehouse on the local disk, as Trino (catalog {@code iceberg}) and icetune both
 * read it.
 */
public final class LocalIcebergCatalog
{
    public static final String TRINO_CATALOG = "iceberg";
    public static final String NAME = "icetune";

    private LocalIcebergCatalog() {}

    /** Creates the JDBC catalog's own tables, which Trino does not. */
    public static void prepare(String catalogUrl)
    {
        TestingPostgres.execute(catalogUrl,
                "CREATE TABLE IF NOT EXISTS iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) NOT NULL, "
                        + "table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), previous_metadata_location VARCHAR(1000), "
                        + "iceberg_type VARCHAR(5), PRIMARY KEY (catalog_name, table_namespace, table_name))",
                "CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (catalog_name VARCHAR(255) NOT NULL, namespace VARCHAR(255) NOT NULL, "
                        + "property_key VARCHAR(255), property_value VARCHAR(1000), PRIMARY KEY (catalog_name, namespace, property_key))");
    }

    /** Trino's catalog properties for it (etc/catalog/iceberg.properties). */
    public static Map<String, String> trinoProperties(String catalogUrl, Path warehouse)
    {
        return Map.of(
                "iceberg.catalog.type", "jdbc",
                "iceberg.jdbc-catalog.driver-class", "org.postgresql.Driver",
                "iceberg.jdbc-catalog.connection-url", catalogUrl,
                "iceberg.jdbc-catalog.connection-user", "postgres",
                "iceberg.jdbc-catalog.connection-password", "",
                "iceberg.jdbc-catalog.catalog-name", NAME,
                "iceberg.jdbc-catalog.default-warehouse-dir", "local:///",
                "fs.local.enabled", "true",
                "local.location", warehouse.toAbsolutePath().toString());
    }

    /** Iceberg's own catalog properties for it, as icetune reads it through apache-iceberg-core ({@code iceberg.catalog.*}). */
    public static Map<String, String> icebergProperties(String catalogUrl, Path warehouse)
    {
        return Map.of(
                "type", "jdbc",
                "uri", catalogUrl,
                "jdbc.user", "postgres",
                "jdbc.password", "",
                "jdbc.schema-version", "V1",
                "warehouse", "local:///",
                "io-impl", "dev.icetune.engine.iceberg.LocalFileIO",
                "local.location", warehouse.toAbsolutePath().toString());
    }
}
