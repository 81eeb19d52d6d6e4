package dev.icetune.cli;

import dev.icetune.engine.iceberg.TableMetadataReader.CatalogSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The CLI's file: the plugin's icetune.db.* keys read and checked by the same class, the engine's, and iceberg.catalog.*. */
class TestSettings
{
    private static final String URL = "jdbc:postgresql://db:5432/icetune";

    @Test
    void theSharedKeysMeanWhatTheyMeanToThePlugin(@TempDir Path directory)
            throws Exception
    {
        Files.writeString(directory.resolve("db-password"), "from-file\n");
        Settings settings = Settings.of(Map.of(
                "icetune.db.url", URL,
                "icetune.db.password-file", "db-password",
                "icetune.db.socket-timeout", "1500ms",
                "icetune.window", "30m",
                "icetune.rules.dir", "my-rules",
                "icetune.trino.catalog", "iceberg",
                "iceberg.catalog.name", "lake",
                "iceberg.catalog.type", "rest",
                "iceberg.catalog.token", "t0ken"), Map.of(), directory);
        assertThat(settings.store().resolvePassword(settings.baseDirectory())).as("relative to the file's directory").contains("from-file");
        assertThat(settings.store().getSocketTimeout().toMillis()).as("durations with units, as in the plugin").isEqualTo(1500);
        assertThat(settings.engine().getWindow().toMillis()).isEqualTo(30 * 60_000);
        assertThat(settings.rulesDirectory()).isEqualTo(directory.resolve("my-rules"));
        assertThat(settings.icebergCatalogs()).containsExactly(new CatalogSpec("iceberg", "lake", Map.of("type", "rest", "token", "t0ken")));
        assertThat(settings.toString()).doesNotContain("t0ken");
    }

    @Test
    void withoutARulesDirectoryTheRulesBesideTheFileElseTheInstallationsAreRead(@TempDir Path directory)
            throws Exception
    {
        Path etc = Files.createDirectories(directory.resolve("etc"));
        Path installed = Files.createDirectories(directory.resolve("opt/icetune/rules"));
        Map<String, String> launcher = Map.of("ICETUNE_HOME", installed.getParent().toString());
        assertThat(Settings.of(Map.of("icetune.db.url", URL), launcher, etc).rulesDirectory())
                .as("the example configuration copied to /etc/icetune, as the systemd unit runs it").isEqualTo(installed);
        assertThat(Settings.of(Map.of("icetune.db.url", URL), Map.of(), etc).rulesDirectory())
                .as("no installation known: beside the file, for the error to name").isEqualTo(etc.resolve("rules"));
        Path beside = Files.createDirectories(etc.resolve("rules"));
        assertThat(Settings.of(Map.of("icetune.db.url", URL), launcher, etc).rulesDirectory()).as("a team's own rules beside the file come first").isEqualTo(beside);
        assertThat(Settings.of(Map.of("icetune.db.url", URL, "icetune.rules.dir", "../opt/icetune/rules"), launcher, etc).rulesDirectory())
                .as("given: relative to the file").isEqualTo(installed);
        assertThatThrownBy(() -> Settings.of(Map.of("icetune.db.url", URL, "icetune.rules.dir", " "), launcher, etc))
                .hasMessageContaining("icetune.rules.dir").hasMessageContaining("must not be blank");
    }

    @Test
    void eachTrinoCatalogOfIcebergTablesHasItsOwnIcebergCatalog()
    {
        Settings settings = Settings.of(Map.of(
                "icetune.db.url", URL,
                "icetune.trino.catalog", "iceberg",
                "iceberg.catalog.type", "jdbc",
                "iceberg.catalogs.lake.type", "rest",
                "iceberg.catalogs.lake.credential", "cl1ent:s3cret",
                "iceberg.catalogs.archive.name", "old",
                "iceberg.catalogs.archive.type", "hive"), Map.of(), Path.of("."));
        assertThat(settings.icebergCatalogs()).containsExactly(
                new CatalogSpec("iceberg", "icetune", Map.of("type", "jdbc")),
                new CatalogSpec("archive", "old", Map.of("type", "hive")),
                new CatalogSpec("lake", "lake", Map.of("type", "rest", "credential", "cl1ent:s3cret")));
        assertThat(settings.toString()).contains("lake").doesNotContain("s3cret");

        assertThat(Settings.of(Map.of("icetune.db.url", URL, "iceberg.catalogs.lake.type", "rest"), Map.of(), Path.of(".")).icebergCatalogs())
                .as("another catalog needs no icetune.trino.catalog").extracting(CatalogSpec::trinoCatalog).containsExactly("lake");
        assertThatThrownBy(() -> Settings.of(Map.of("icetune.db.url", URL, "iceberg.catalogs.lake", "rest"), Map.of(), Path.of(".")))
                .hasMessage("iceberg.catalogs.lake: give the Trino catalog's name, then the Iceberg property, e.g. iceberg.catalogs.lake.type=rest");
        assertThatThrownBy(() -> Settings.of(Map.of("icetune.db.url", URL, "icetune.trino.catalog", "lake", "iceberg.catalog.type", "rest",
                "iceberg.catalogs.lake.type", "rest"), Map.of(), Path.of(".")))
                .hasMessage("Trino catalog lake has its Iceberg catalog under both iceberg.catalog. and iceberg.catalogs.lake.: give it under one");
        assertThatThrownBy(() -> Settings.of(Map.of("icetune.db.url", URL, "iceberg.catalogs.lake.name", "lake"), Map.of(), Path.of(".")))
                .hasMessageStartingWith("iceberg.catalogs.lake.* gives only a name");
        assertThatThrownBy(() -> Settings.of(Map.of("icetune.db.url", URL, "iceberg.catalog.type", "rest"), Map.of(), Path.of(".")))
                .as("without the Trino catalog's name no table would ever be read from it").hasMessageStartingWith("iceberg.catalog.* needs icetune.trino.catalog");
        assertThat(Settings.of(Map.of("icetune.db.url", URL, "icetune.trino.url", "jdbc:trino://trino:8080", "iceberg.catalogs.files.type", "trino",
                "iceberg.catalogs.files.local.location", "/var/lib/trino/files"), Map.of(), Path.of(".")).icebergCatalogs())
                .containsExactly(new CatalogSpec("files", "files", Map.of("type", "trino", "local.location", "/var/lib/trino/files")));
        assertThatThrownBy(() -> Settings.of(Map.of("icetune.db.url", URL, "iceberg.catalogs.files.type", "trino"), Map.of(), Path.of(".")))
                .hasMessage("the Iceberg catalog of files is read through Trino (type=trino): set icetune.trino.url");
    }

    /**
     * Met from outside: a file saved by an editor that puts a byte order mark first was refused with "unknown configuration
     * properties: #" (the mark before the first comment's #, invisible in a terminal); a file in Latin-1 with "Input length = 1";
     * a directory passed as --config with "no config file", though it is there.
     */
    @Test
    void aFileAsEditorsSaveItIsReadAndOneThatCannotBeSaysWhy(@TempDir Path directory)
            throws Exception
    {
        Path marked = directory.resolve("marked.properties");
        Files.writeString(marked, "\uFEFF# icetune\r\nicetune.db.url=%s\r\nicetune.window=30m   \r\n".formatted(URL));
        Settings settings = Settings.load(marked, Map.of());
        assertThat(settings.store().getUrl()).isEqualTo(URL);
        assertThat(settings.engine().getWindow().toMillis()).as("trailing blanks left out").isEqualTo(30 * 60_000);

        Path latin1 = directory.resolve("latin1.properties");
        Files.write(latin1, "# R\u00e9gion\nicetune.db.url=%s\n".formatted(URL).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> Settings.load(latin1, Map.of())).hasMessage("cannot read config file %s: not UTF-8 text: save it as UTF-8", latin1);

        assertThatThrownBy(() -> Settings.load(directory, Map.of())).hasMessageContaining(directory + " is a directory, not a config file");
    }

    @Test
    void theEnvironmentOverridesTheFile()
    {
        Settings settings = Settings.of(Map.of("icetune.db.url", URL, "icetune.db.password-file", "nowhere"),
                Map.of("ICETUNE_DB_URL", "jdbc:postgresql://other:5432/x", "ICETUNE_DB_USER", "u", "ICETUNE_DB_PASSWORD", "env-s3cret",
                        "ICETUNE_TRINO_PASSWORD", "trino-s3cret"), Path.of("."));
        assertThat(settings.store().getUrl()).isEqualTo("jdbc:postgresql://other:5432/x");
        assertThat(settings.store().getUser()).contains("u");
        assertThat(settings.store().resolvePassword(Path.of("."))).as("the environment's password wins over the file's").contains("env-s3cret");
        assertThat(settings.trinoPassword()).contains("trino-s3cret");
    }

    @Test
    void aValueNamesAnEnvironmentVariableAsInTrinosFiles()
    {
        Settings settings = Settings.of(Map.of("icetune.db.url", "jdbc:postgresql://${ENV:DB_HOST}:5432/icetune", "icetune.trino.catalog", "iceberg",
                "iceberg.catalog.type", "jdbc", "iceberg.catalog.jdbc.password", "${ENV:CATALOG_PASSWORD}"),
                Map.of("DB_HOST", "db7", "CATALOG_PASSWORD", "cat-s3cret"), Path.of("."));
        assertThat(settings.store().getUrl()).isEqualTo("jdbc:postgresql://db7:5432/icetune");
        assertThat(settings.icebergCatalogs()).containsExactly(new CatalogSpec("iceberg", "icetune", Map.of("type", "jdbc", "jdbc.password", "cat-s3cret")));
        assertThatThrownBy(() -> Settings.of(Map.of("icetune.db.url", URL, "icetune.trino.catalog", "iceberg", "iceberg.catalog.type", "jdbc",
                "iceberg.catalog.jdbc.password", "${ENV:CATALOG_PASSWORD}"), Map.of(), Path.of(".")))
                .as("an unset variable is an error naming the key, not a password of its name").hasMessageContaining("iceberg.catalog.jdbc.password")
                .hasMessageContaining("CATALOG_PASSWORD");
    }

    @Test
    void theSameMistakesAreRefusedAsInThePlugin()
    {
        assertThatThrownBy(() -> Settings.of(Map.of("icetune.db.url", URL, "icetune.db.password", "a", "icetune.db.password-file", "f"), Map.of(), Path.of(".")))
                .hasMessageContaining("set either icetune.db.password or icetune.db.password-file, not both");
        assertThatThrownBy(() -> Settings.of(Map.of("icetune.db.url", "jdbc:mysql://x/y"), Map.of(), Path.of(".")))
                .hasMessageContaining("icetune.db.url must be a PostgreSQL JDBC URL: jdbc:postgresql://host:port/database");
        assertThatThrownBy(() -> Settings.of(Map.of(), Map.of(), Path.of("."))).hasMessageContaining("icetune.db.url: is required");
        assertThatThrownBy(() -> Settings.of(Map.of("icetune.db.url", URL, "icetune.db.connect-timeout", "0s"), Map.of(), Path.of(".")))
                .hasMessageContaining("icetune.db.connect-timeout");
        assertThatThrownBy(() -> Settings.of(Map.of("icetune.db.url", URL, "icetune.trino.url", "http://trino"), Map.of(), Path.of(".")))
                .hasMessageContaining("icetune.trino.url must be a jdbc:trino: URL");
        assertThatThrownBy(() -> Settings.of(Map.of("icetune.db.url", URL, "icetune.batch-size", "10"), Map.of(), Path.of(".")))
                .as("a plugin-only key is not the CLI's").hasMessageContaining("unknown configuration properties: icetune.batch-size");
    }

    @Test
    void aMisspeltKeyIsNamedWithTheKeyItIsLikelyMeantToBe()
    {
        assertThatThrownBy(() -> Settings.of(Map.of("icetune.db.url", URL, "icetune.windw", "2h", "icetune.db.pasword-file", "f", "icetune.color", "blue"), Map.of(), Path.of(".")))
                .hasMessageStartingWith("unknown configuration properties: icetune.color, icetune.db.pasword-file (did you mean icetune.db.password-file?), "
                        + "icetune.windw (did you mean icetune.window?) (icetune.properties.example lists every key;");
    }
}
