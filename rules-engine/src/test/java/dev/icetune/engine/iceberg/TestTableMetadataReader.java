package dev.icetune.engine.iceberg;

import dev.icetune.engine.facts.TableFact;
import dev.icetune.testing.LocalIcebergCatalog;
import dev.icetune.testing.TestingPostgres;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.Closeable;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TestTableMetadataReader
{
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
            assertThat(back.facts()).extracting(TableFact::table).containsExactly("lake.sales.orders");
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
        try (TableMetadataReader reader = new TableMetadataReader(List.of(new TableMetadataReader.CatalogSpec("broken", LocalIcebergCatalog.NAME, withoutFileIo),
                new TableMetadataReader.CatalogSpec("lake", LocalIcebergCatalog.NAME, properties)))) {
            List<String> problems = new ArrayList<>();
            TableFactSource.TableFacts facts = reader.read(List.of("broken.sales.orders"), 1 << 20, Instant.now(), problems::add);
            assertThat(facts.facts()).extracting(TableFact::table).containsExactly("lake.sales.orders");
            assertThat(facts.unread()).containsExactly("broken");
            assertThat(problems).singleElement().asString().startsWith("cannot read the Iceberg catalog of broken, ").contains("HadoopFileIO").doesNotContain("\n");
        }
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
