package dev.icetune.rules;

import dev.icetune.rules.iceberg.TableMetadataReader;

import java.nio.file.Path;
import java.util.Map;

/** The metadata reader for the catalog IcebergTrino sets up: Trino's catalog "iceberg", the JDBC catalog "icetune", a local warehouse. */
final class TestingIceberg
{
    private TestingIceberg() {}

    static TableMetadataReader reader(String catalogUrl, Path warehouse)
    {
        return new TableMetadataReader("iceberg", "icetune", Map.of(
                "type", "jdbc", "uri", catalogUrl, "jdbc.user", "postgres", "jdbc.password", "", "jdbc.schema-version", "V1",
                "warehouse", "local:///", "io-impl", "dev.icetune.rules.iceberg.LocalFileIO", "local.location", warehouse.toString()));
    }
}
