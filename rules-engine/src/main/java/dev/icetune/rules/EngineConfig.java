package dev.icetune.rules;

import dev.icetune.rules.store.Approvals;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The rules engine's settings: a properties file ({@code --config}) with the plugin's {@code icetune.db.*}
 * keys, the evaluation windows, and the Iceberg catalog's own properties under {@code iceberg.catalog.}.
 * Environment variables ICETUNE_DB_URL, ICETUNE_DB_USER and ICETUNE_DB_PASSWORD override the file, and
 * ICETUNE_TRINO_PASSWORD is the only way to give Trino's password, so that secrets need not be written in it. {@link #toString()} never shows the password.
 */
public record EngineConfig(
        String dbUrl,
        Optional<String> dbUser,
        Optional<String> dbPassword,
        boolean migrate,
        Path rulesDirectory,
        Duration window,
        Duration baseline,
        int resolveAfter,
        Duration interval,
        int metricsPort,
        Optional<String> trinoCatalog,
        Optional<String> trinoUrl,
        String trinoUser,
        Optional<String> trinoPassword,
        Approvals approvals,
        String icebergCatalogName,
        Map<String, String> icebergCatalogProperties)
{
    public static final String ICEBERG_PREFIX = "iceberg.catalog.";
    private static final Map<String, String> DEFAULTS = defaults();

    public EngineConfig
    {
        requireNonNull(dbUrl, "dbUrl is null");
        requireNonNull(approvals, "approvals is null");
        if (trinoUrl.isPresent() && !trinoUrl.get().startsWith("jdbc:trino:")) {
            throw new IllegalArgumentException("icetune.trino.url must be a jdbc:trino: URL");
        }
        icebergCatalogProperties = Map.copyOf(icebergCatalogProperties);
    }

    private static Map<String, String> defaults()
    {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("icetune.db.url", "");
        defaults.put("icetune.db.user", "");
        defaults.put("icetune.db.password", "");
        defaults.put("icetune.db.password-file", "");
        defaults.put("icetune.db.migrate", "true");
        defaults.put("icetune.rules.dir", "rules");
        defaults.put("icetune.window", "1h");
        defaults.put("icetune.baseline", "7d");
        defaults.put("icetune.resolve-after", "3");
        defaults.put("icetune.evaluate.interval", "5m");
        defaults.put("icetune.metrics.port", "0");
        defaults.put("icetune.trino.catalog", "");
        defaults.put("icetune.trino.url", "");
        defaults.put("icetune.trino.user", "icetune");
        defaults.put("icetune.approvers", "");
        defaults.put("icetune.auto-approve", "");
        return defaults;
    }

    public static EngineConfig load(Path file, Map<String, String> environment)
    {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> values = new TreeMap<>();
        properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name).strip()));
        return from(values, environment, file.toAbsolutePath().getParent());
    }

    public static EngineConfig from(Map<String, String> values, Map<String, String> environment, Path baseDirectory)
    {
        Set<String> unknown = new TreeSet<>();
        Map<String, String> iceberg = new TreeMap<>();
        for (Map.Entry<String, String> entry : values.entrySet()) {
            if (entry.getKey().startsWith(ICEBERG_PREFIX)) {
                iceberg.put(entry.getKey().substring(ICEBERG_PREFIX.length()), entry.getValue());
            }
            else if (!DEFAULTS.containsKey(entry.getKey())) {
                unknown.add(entry.getKey());
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown configuration properties: " + String.join(", ", unknown) + " (known: "
                    + String.join(", ", DEFAULTS.keySet()) + ", and " + ICEBERG_PREFIX + "* for the Iceberg catalog)");
        }
        Map<String, String> merged = new LinkedHashMap<>(DEFAULTS);
        merged.putAll(values);
        override(merged, environment, "ICETUNE_DB_URL", "icetune.db.url");
        override(merged, environment, "ICETUNE_DB_USER", "icetune.db.user");
        override(merged, environment, "ICETUNE_DB_PASSWORD", "icetune.db.password");
        String url = merged.get("icetune.db.url");
        if (url.isEmpty() || !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("icetune.db.url must be a jdbc:postgresql: URL (or set ICETUNE_DB_URL)");
        }
        String password = merged.get("icetune.db.password");
        String passwordFile = merged.get("icetune.db.password-file");
        if (password.isEmpty() && !passwordFile.isEmpty()) {
            try {
                password = Files.readString(baseDirectory.resolve(passwordFile), StandardCharsets.UTF_8).strip();
            }
            catch (IOException e) {
                throw new IllegalArgumentException("icetune.db.password-file cannot be read: " + passwordFile, e);
            }
        }
        String catalogName = iceberg.remove("name");
        return new EngineConfig(
                url,
                Optional.of(merged.get("icetune.db.user")).filter(value -> !value.isEmpty()),
                Optional.of(password).filter(value -> !value.isEmpty()),
                bool("icetune.db.migrate", merged.get("icetune.db.migrate")),
                baseDirectory.resolve(merged.get("icetune.rules.dir")).normalize(),
                duration("icetune.window", merged.get("icetune.window")),
                duration("icetune.baseline", merged.get("icetune.baseline")),
                positiveInt("icetune.resolve-after", merged.get("icetune.resolve-after")),
                duration("icetune.evaluate.interval", merged.get("icetune.evaluate.interval")),
                port("icetune.metrics.port", merged.get("icetune.metrics.port")),
                Optional.of(merged.get("icetune.trino.catalog")).filter(value -> !value.isEmpty()),
                Optional.of(merged.get("icetune.trino.url")).filter(value -> !value.isEmpty()),
                merged.get("icetune.trino.user"),
                Optional.ofNullable(environment.get("ICETUNE_TRINO_PASSWORD")).filter(value -> !value.isBlank()),
                Approvals.parse(merged.get("icetune.approvers"), merged.get("icetune.auto-approve")),
                catalogName == null ? "icetune" : catalogName,
                iceberg);
    }

    public boolean hasIcebergCatalog()
    {
        return trinoCatalog.isPresent() && !icebergCatalogProperties.isEmpty();
    }

    @Override
    public String toString()
    {
        Map<String, String> shownCatalog = new TreeMap<>(icebergCatalogProperties);
        shownCatalog.replaceAll((key, value) -> key.toLowerCase().contains("password") || key.toLowerCase().contains("secret") ? "****" : value);
        return "EngineConfig[dbUrl=" + dbUrl.replaceAll("(?i)([?&;]password=)[^&;]*", "$1****") + ", dbUser=" + dbUser.orElse("")
                + ", dbPassword=" + (dbPassword.isPresent() ? "****" : "") + ", rules=" + rulesDirectory + ", window=" + window
                + ", baseline=" + baseline + ", resolveAfter=" + resolveAfter + ", trinoCatalog=" + trinoCatalog.orElse("") + ", trinoUrl=" + trinoUrl.orElse("")
                + ", icebergCatalog=" + shownCatalog + "]";
    }

    private static void override(Map<String, String> merged, Map<String, String> environment, String variable, String key)
    {
        String value = environment.get(variable);
        if (value != null && !value.isBlank()) {
            merged.put(key, value.strip());
        }
    }

    private static boolean bool(String key, String text)
    {
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new IllegalArgumentException("invalid value for " + key + ": '" + text + "', expected true or false");
    }

    private static int positiveInt(String key, String text)
    {
        try {
            int value = Integer.parseInt(text);
            if (value > 0) {
                return value;
            }
        }
        catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("invalid value for " + key + ": '" + text + "', expected a positive integer");
    }

    private static int port(String key, String text)
    {
        try {
            int value = Integer.parseInt(text);
            if (value >= 0 && value <= 65535) {
                return value;
            }
        }
        catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("invalid value for " + key + ": '" + text + "', expected a port (0 for none)");
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(s|m|h|d)");

    static Duration duration(String key, String text)
    {
        Matcher matcher = DURATION.matcher(text);
        if (matcher.matches() && Long.parseLong(matcher.group(1)) > 0) {
            long amount = Long.parseLong(matcher.group(1));
            return switch (matcher.group(2)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        throw new IllegalArgumentException("invalid value for " + key + ": '" + text + "', expected a duration such as 30m, 1h or 7d");
    }
}
