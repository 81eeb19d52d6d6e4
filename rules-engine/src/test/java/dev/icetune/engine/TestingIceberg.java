package dev.icetune.engine;

import dev.icetune.engine.iceberg.TableMetadataReader;
import dev.icetune.testing.LocalIcebergCatalog;

import java.nio.file.Path;

/** The metadata reader for the catalog IcebergTrino sets up. */
final class TestingIceberg
{
    private TestingIceberg() {}

    static TableMetadataReader reader(String catalogUrl, Path warehouse)
    {
        return new TableMetadataReader(LocalIcebergCatalog.TRINO_CATALOG, LocalIcebergCatalog.NAME, LocalIcebergCatalog.icebergProperties(catalogUrl, warehouse));
    }
}
