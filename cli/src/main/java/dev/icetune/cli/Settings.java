package dev.icetune.cli;

import dev.icetune.engine.EngineConfig;
import dev.icetune.store.StoreConfig;
import io.airlift.configuration.ConfigurationFactory;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * The CLI's configuration file: the plugin's {@code icetune.db.*} keys (the same {@link StoreConfig}), the
 * engine's ({@link EngineConfig}), and the Iceberg catalog's own properties under {@code iceberg.catalog.}.
 * ICETUNE_DB_URL, ICETUNE_DB_USER and ICETUNE_DB_PASSWORD override the file; ICETUNE_TRINO_PASSWORD is the
 * only way to give Trino's password. Unknown keys and invalid values are errors that name the key. Relative
 * paths resolve against the file's directory.
 */
public record Settings(Path baseDirectory, StoreConfig store, EngineConfig engine, Map<String, String> icebergCatalog, Optional<String> trinoPassword)
{
    public static final String ICEBERG_PREFIX = "iceberg.catalog.";
    private static final Map<String, String> ENVIRONMENT_OVERRIDES = Map.of(
            "ICETUNE_DB_URL", StoreConfig.URL,
            "ICETUNE_DB_USER", "icetune.db.user",
            "ICETUNE_DB_PASSWORD", StoreConfig.PASSWORD);

    public Settings
    {
        requireNonNull(baseDirectory, "baseDirectory is null");
        requireNonNull(store, "store is null");
        requireNonNull(engine, "engine is null");
        icebergCatalog = Map.copyOf(icebergCatalog);
        requireNonNull(trinoPassword, "trinoPassword is null");
    }

    public static Settings load(Path file, Map<String, String> environment)
    {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no config file " + file.toAbsolutePath() + " (pass --config FILE; icetune.properties.example shows every key; "
                    + "demo --keep-running leaves its deployment up and prints its own)");
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> values = new TreeMap<>();
        properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name).strip()));
        return of(values, environment, file.toAbsolutePath().getParent());
    }

    public static Settings of(Map<String, String> values, Map<String, String> environment, Path baseDirectory)
    {
        Map<String, String> icetune = new TreeMap<>();
        Map<String, String> iceberg = new TreeMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith(ICEBERG_PREFIX)) {
                iceberg.put(key.substring(ICEBERG_PREFIX.length()), value);
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
            throw new IllegalArgumentException("unknown configuration properties: " + String.join(", ", unknown)
                    + " (icetune.properties.example lists every key; " + ICEBERG_PREFIX + "* go to the Iceberg catalog)");
        }
        if (store.getUrl() == null) {
            throw new IllegalArgumentException(StoreConfig.URL + " is required (or set ICETUNE_DB_URL), e.g. jdbc:postgresql://host:5432/icetune");
        }
        return new Settings(baseDirectory, store, engine, iceberg, Optional.ofNullable(environment.get("ICETUNE_TRINO_PASSWORD")).filter(value -> !value.isBlank()));
    }

    public Path rulesDirectory()
    {
        return baseDirectory.resolve(engine.getRulesDirectory()).normalize();
    }

    /** The Iceberg catalog's name (iceberg.catalog.name, default icetune) and its other properties. */
    public String icebergCatalogName()
    {
        return icebergCatalog.getOrDefault("name", "icetune");
    }

    public Map<String, String> icebergCatalogProperties()
    {
        Map<String, String> properties = new TreeMap<>(icebergCatalog);
        properties.remove("name");
        return properties;
    }

    /** icetune reads the tables' metadata when it knows both the Trino catalog name and the Iceberg catalog's properties. */
    public boolean hasIcebergCatalog()
    {
        return engine.getTrinoCatalog().isPresent() && !icebergCatalogProperties().isEmpty();
    }

    @Override
    public String toString()
    {
        Map<String, String> catalog = new TreeMap<>(icebergCatalog);
        catalog.replaceAll((key, value) -> key.toLowerCase(java.util.Locale.ROOT).matches(".*(password|secret|token|key).*") ? "****" : value);
        return "Settings[" + baseDirectory + ", iceberg.catalog=" + catalog + "]";
    }
}
