package dev.icetune.cli;

import dev.icetune.engine.EngineConfig;
import dev.icetune.engine.Misspelling;
import dev.icetune.engine.iceberg.TableMetadataReader.CatalogSpec;
import dev.icetune.engine.iceberg.TrinoCatalog;
import dev.icetune.store.StoreConfig;
import dev.icetune.store.TextFiles;
import io.airlift.configuration.ConfigurationFactory;
import io.airlift.configuration.ConfigurationMetadata;
import io.airlift.configuration.ConfigurationUtils;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * The CLI's configuration file: the plugin's {@code icetune.db.*} keys (the same {@link StoreConfig}), the
 * engine's ({@link EngineConfig}), and the Iceberg catalogs' own properties: the one of {@code icetune.trino.catalog}
 * under {@code iceberg.catalog.}, any other Trino catalog's under {@code iceberg.catalogs.NAME.}.
 * ICETUNE_DB_URL, ICETUNE_DB_USER and ICETUNE_DB_PASSWORD override the file; ICETUNE_TRINO_PASSWORD is the
 * only way to give Trino's password. A value may name an environment variable, {@code ${ENV:NAME}}, as in Trino's files.
 * Unknown keys and invalid values are errors that name the key. Relative paths resolve against the file's directory.
 * Without icetune.rules.dir the rules are rules/ beside the file, else the installation's own (ICETUNE_HOME/rules), so
 * that the example configuration copied anywhere still finds them.
 */
public record Settings(Path baseDirectory, StoreConfig store, EngineConfig engine, Path rulesDirectory, List<CatalogSpec> icebergCatalogs,
        Optional<String> trinoPassword)
{
    public static final String ICEBERG_PREFIX = "iceberg.catalog.";
    /** More Iceberg catalogs, each under the name Trino knows it by: iceberg.catalogs.lake.type=rest. */
    public static final String MORE_ICEBERG_PREFIX = "iceberg.catalogs.";
    /** The Iceberg catalog's name when iceberg.catalog.name does not give it. */
    private static final String DEFAULT_CATALOG_NAME = "icetune";
    private static final Map<String, String> ENVIRONMENT_OVERRIDES = Map.of(
            "ICETUNE_DB_URL", StoreConfig.URL,
            "ICETUNE_DB_USER", "icetune.db.user",
            "ICETUNE_DB_PASSWORD", StoreConfig.PASSWORD);

    public Settings
    {
        requireNonNull(baseDirectory, "baseDirectory is null");
        requireNonNull(store, "store is null");
        requireNonNull(engine, "engine is null");
        requireNonNull(rulesDirectory, "rulesDirectory is null");
        icebergCatalogs = List.copyOf(icebergCatalogs);
        requireNonNull(trinoPassword, "trinoPassword is null");
    }

    public static Settings load(Path file, Map<String, String> environment)
    {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("%s is a directory, not a config file (pass --config FILE, e.g. %s)".formatted(file.toAbsolutePath(), file.resolve("icetune.properties")));
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no config file " + file.toAbsolutePath() + " (pass --config FILE; icetune.properties.example shows every key; "
                    + "demo --keep-running leaves its deployment up and prints its own)");
        }
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(TextFiles.read(file)));
        }
        catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> values = new TreeMap<>();
        properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name).strip()));
        return of(values, environment, file.toAbsolutePath().getParent());
    }

    public static Settings of(Map<String, String> file, Map<String, String> environment, Path baseDirectory)
    {
        // ${ENV:NAME} in any value, as Trino substitutes it in the plugin's file: secrets such as a catalog's password stay out of the file
        List<String> unresolved = new ArrayList<>();
        Map<String, String> values = ConfigurationUtils.replaceEnvironmentVariables(file, environment, (key, error) -> unresolved.add(error));
        if (!unresolved.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", unresolved) + " (set the variable in icetune's environment, or write the value)");
        }
        Map<String, String> icetune = new TreeMap<>();
        Map<String, String> iceberg = new TreeMap<>();
        Map<String, Map<String, String>> moreIceberg = new TreeMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith(ICEBERG_PREFIX)) {
                iceberg.put(key.substring(ICEBERG_PREFIX.length()), value);
            }
            else if (key.startsWith(MORE_ICEBERG_PREFIX)) {
                String rest = key.substring(MORE_ICEBERG_PREFIX.length());
                int dot = rest.indexOf('.');
                if (dot <= 0 || dot == rest.length() - 1) {
                    throw new IllegalArgumentException("%s: give the Trino catalog's name, then the Iceberg property, e.g. %slake.type=rest".formatted(key, MORE_ICEBERG_PREFIX));
                }
                moreIceberg.computeIfAbsent(rest.substring(0, dot), ignored -> new TreeMap<>()).put(rest.substring(dot + 1), value);
            }
            else {
                icetune.put(key, value);
            }
        });
        ENVIRONMENT_OVERRIDES.forEach((variable, key) -> {
            String value = environment.get(variable);
            if (value != null && !value.isBlank()) {
                icetune.put(key, value.strip());
                if (key.equals(StoreConfig.PASSWORD)) {
                    icetune.remove(StoreConfig.PASSWORD_FILE); // the environment's password wins over the file's
                }
            }
        });
        ConfigurationFactory factory = new ConfigurationFactory(icetune);
        StoreConfig store;
        EngineConfig engine;
        try {
            store = factory.build(StoreConfig.class);
            engine = factory.build(EngineConfig.class);
        }
        catch (RuntimeException e) {
            // the message says it all; Guice's own text stays out of the terminal
            throw new IllegalArgumentException(ConfigurationErrors.message(e));
        }
        Set<String> unknown = new TreeSet<>(icetune.keySet());
        unknown.removeAll(factory.getAllSeenProperties());
        if (!unknown.isEmpty()) {
            List<String> keys = keys();
            throw new IllegalArgumentException("unknown configuration properties: " + unknown.stream()
                    .map(key -> key + Misspelling.nearest(key, keys).map(" (did you mean %s?)"::formatted).orElse(""))
                    .collect(Collectors.joining(", ")) + " (icetune.properties.example lists every key; " + ICEBERG_PREFIX + "* and " + MORE_ICEBERG_PREFIX
                    + "NAME.* go to Iceberg catalogs)");
        }
        if (store.getUrl() == null) {
            throw new IllegalArgumentException(StoreConfig.URL + " is required (or set ICETUNE_DB_URL), e.g. jdbc:postgresql://host:5432/icetune");
        }
        List<CatalogSpec> catalogs = new ArrayList<>();
        if (iceberg.keySet().stream().anyMatch(key -> !key.equals("name"))) {
            String trinoCatalog = engine.getTrinoCatalog().orElseThrow(() -> new IllegalArgumentException(
                    ICEBERG_PREFIX + "* needs icetune.trino.catalog: the Trino catalog its tables appear under in queries (catalog.schema.table)"));
            catalogs.add(catalog(trinoCatalog, iceberg, DEFAULT_CATALOG_NAME));
        }
        moreIceberg.forEach((trinoCatalog, properties) -> {
            if (catalogs.stream().anyMatch(spec -> spec.trinoCatalog().equals(trinoCatalog))) {
                throw new IllegalArgumentException("Trino catalog %s has its Iceberg catalog under both %s and %s%s.: give it under one".formatted(
                        trinoCatalog, ICEBERG_PREFIX, MORE_ICEBERG_PREFIX, trinoCatalog));
            }
            CatalogSpec another = catalog(trinoCatalog, properties, trinoCatalog);
            if (another.properties().isEmpty()) {
                throw new IllegalArgumentException("%1$s%2$s.* gives only a name: give the catalog's type (or catalog-impl) and where it is, e.g. %1$s%2$s.type=rest"
                        .formatted(MORE_ICEBERG_PREFIX, trinoCatalog));
            }
            catalogs.add(another);
        });
        if (engine.getTrinoUrl().isEmpty()) {
            catalogs.stream().filter(spec -> TrinoCatalog.configuredBy(spec.properties())).findFirst().ifPresent(spec -> {
                throw TrinoCatalog.needsTrino(spec.trinoCatalog());
            });
        }
        return new Settings(baseDirectory, store, engine, rulesDirectory(engine, baseDirectory, environment), catalogs, Optional.ofNullable(environment.get("ICETUNE_TRINO_PASSWORD")).filter(value -> !value.isBlank()));
    }

    /** The Iceberg catalog named by its {@code name} property, or {@code defaultName}, with its other properties. */
    private static CatalogSpec catalog(String trinoCatalog, Map<String, String> properties, String defaultName)
    {
        Map<String, String> rest = new TreeMap<>(properties);
        String name = rest.remove("name");
        return new CatalogSpec(trinoCatalog, name == null ? defaultName : name, rest);
    }

    private static Path rulesDirectory(EngineConfig engine, Path baseDirectory, Map<String, String> environment)
    {
        if (engine.getRulesDirectory() != null) {
            return baseDirectory.resolve(engine.getRulesDirectory()).normalize();
        }
        return standardRules(baseDirectory, environment);
    }

    /** rules/ in {@code directory}; else, when it has none, the installation's own (ICETUNE_HOME/rules). */
    public static Path standardRules(Path directory, Map<String, String> environment)
    {
        Path beside = directory.resolve("rules").normalize();
        return Optional.ofNullable(environment.get("ICETUNE_HOME")).map(home -> Path.of(home, "rules"))
                .filter(installed -> !Files.isDirectory(beside) && Files.isDirectory(installed))
                .orElse(beside);
    }

    /** icetune reads the tables' metadata when it knows an Iceberg catalog and the Trino catalog its tables appear under. */
    public boolean hasIcebergCatalog()
    {
        return !icebergCatalogs.isEmpty();
    }

    @Override
    public String toString()
    {
        Map<String, Map<String, String>> catalogs = new TreeMap<>();
        icebergCatalogs.forEach(spec -> {
            Map<String, String> properties = new TreeMap<>(spec.properties());
            properties.replaceAll((key, value) -> key.toLowerCase(java.util.Locale.ROOT).matches(".*(password|secret|token|key|credential).*") ? "****" : value);
            catalogs.put(spec.trinoCatalog() + "=" + spec.name(), properties);
        });
        return "Settings[" + baseDirectory + ", iceberg catalogs=" + catalogs + "]";
    }

    /** The keys the CLI reads, that a misspelt one is likely meant to be (icetune.windw, icetune.db.pasword-file): read on that error alone. */
    private static List<String> keys()
    {
        return Stream.of(StoreConfig.class, EngineConfig.class)
                .flatMap(type -> ConfigurationMetadata.getConfigurationMetadata(type).getAttributes().values().stream())
                .map(attribute -> attribute.getInjectionPoint().getProperty()).toList();
    }
}
