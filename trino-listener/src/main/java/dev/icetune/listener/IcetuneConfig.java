package dev.icetune.listener;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Every setting of the listener, parsed and checked once at start-up. Unknown keys and invalid values
 * are errors that name the key. {@link #toString()} never shows the password.
 */
public record IcetuneConfig(
        String dbUrl,
        Optional<String> dbUser,
        Optional<String> dbPassword,
        boolean migrate,
        int dbWriters,
        int batchSize,
        Duration flushInterval,
        int queueCapacity,
        Path spoolDirectory,
        long spoolMaxBytes,
        int maxQueryTextLength,
        boolean keepPlan,
        int retentionDays,
        int partitionsAheadDays,
        int retryAttempts,
        Duration retryInitialDelay,
        Duration retryMaxDelay,
        Duration logInterval)
{
    public static final String DB_URL = "icetune.db.url";
    public static final String DB_USER = "icetune.db.user";
    public static final String DB_PASSWORD = "icetune.db.password";
    public static final String DB_PASSWORD_FILE = "icetune.db.password-file";
    public static final String DB_MIGRATE = "icetune.db.migrate";
    public static final String DB_WRITERS = "icetune.db.writers";
    public static final String BATCH_SIZE = "icetune.batch-size";
    public static final String FLUSH_INTERVAL = "icetune.flush-interval";
    public static final String QUEUE_CAPACITY = "icetune.queue-capacity";
    public static final String SPOOL_DIR = "icetune.spool.dir";
    public static final String SPOOL_MAX_SIZE = "icetune.spool.max-size";
    public static final String MAX_QUERY_TEXT_LENGTH = "icetune.query-text.max-length";
    public static final String KEEP_PLAN = "icetune.plan.keep";
    public static final String RETENTION_DAYS = "icetune.retention-days";
    public static final String PARTITIONS_AHEAD_DAYS = "icetune.partitions-ahead-days";
    public static final String RETRY_ATTEMPTS = "icetune.retry.attempts";
    public static final String RETRY_INITIAL_DELAY = "icetune.retry.initial-delay";
    public static final String RETRY_MAX_DELAY = "icetune.retry.max-delay";
    public static final String LOG_INTERVAL = "icetune.log-interval";

    /** Defaults, in the order the README documents them. */
    public static final Map<String, String> DEFAULTS = defaults();

    /** Trino passes this key through in some versions; it is not ours to validate. */
    private static final String LISTENER_NAME = "event-listener.name";

    public IcetuneConfig
    {
        requireNonNull(dbUrl, "dbUrl is null");
        requireNonNull(dbUser, "dbUser is null");
        requireNonNull(dbPassword, "dbPassword is null");
        requireNonNull(flushInterval, "flushInterval is null");
        requireNonNull(spoolDirectory, "spoolDirectory is null");
        requireNonNull(retryInitialDelay, "retryInitialDelay is null");
        requireNonNull(retryMaxDelay, "retryMaxDelay is null");
        requireNonNull(logInterval, "logInterval is null");
    }

    private static Map<String, String> defaults()
    {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put(DB_URL, "");
        defaults.put(DB_USER, "");
        defaults.put(DB_PASSWORD, "");
        defaults.put(DB_PASSWORD_FILE, "");
        defaults.put(DB_MIGRATE, "true");
        defaults.put(DB_WRITERS, "2");
        defaults.put(BATCH_SIZE, "1000");
        defaults.put(FLUSH_INTERVAL, "1s");
        defaults.put(QUEUE_CAPACITY, "100000");
        defaults.put(SPOOL_DIR, "var/icetune-spool");
        defaults.put(SPOOL_MAX_SIZE, "1GB");
        defaults.put(MAX_QUERY_TEXT_LENGTH, "100000");
        defaults.put(KEEP_PLAN, "false");
        defaults.put(RETENTION_DAYS, "30");
        defaults.put(PARTITIONS_AHEAD_DAYS, "7");
        defaults.put(RETRY_ATTEMPTS, "3");
        defaults.put(RETRY_INITIAL_DELAY, "100ms");
        defaults.put(RETRY_MAX_DELAY, "30s");
        defaults.put(LOG_INTERVAL, "1m");
        return Collections.unmodifiableMap(defaults);
    }

    public static IcetuneConfig fromProperties(Map<String, String> properties)
    {
        requireNonNull(properties, "properties is null");
        Set<String> unknown = new TreeSet<>(properties.keySet());
        unknown.removeAll(DEFAULTS.keySet());
        unknown.remove(LISTENER_NAME);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("icetune: unknown configuration properties: " + String.join(", ", unknown)
                    + " (known: " + String.join(", ", DEFAULTS.keySet()) + ")");
        }
        Function<String, String> value = key -> {
            String configured = properties.get(key);
            return configured == null ? DEFAULTS.get(key) : configured.trim();
        };

        String url = value.apply(DB_URL);
        if (url.isEmpty()) {
            throw new IllegalArgumentException("icetune: " + DB_URL + " is required (e.g. jdbc:postgresql://host:5432/icetune)");
        }
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("icetune: " + DB_URL + " must be a jdbc:postgresql: URL");
        }
        String password = value.apply(DB_PASSWORD);
        String passwordFile = value.apply(DB_PASSWORD_FILE);
        if (!password.isEmpty() && !passwordFile.isEmpty()) {
            throw new IllegalArgumentException("icetune: set either " + DB_PASSWORD + " or " + DB_PASSWORD_FILE + ", not both");
        }
        if (!passwordFile.isEmpty()) {
            try {
                password = Files.readString(Path.of(passwordFile), StandardCharsets.UTF_8).strip();
            }
            catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("icetune: " + DB_PASSWORD_FILE + " cannot be read: " + passwordFile + " (" + e.getClass().getSimpleName() + ")", e);
            }
        }

        Duration retryInitialDelay = positiveDuration(RETRY_INITIAL_DELAY, value.apply(RETRY_INITIAL_DELAY));
        Duration retryMaxDelay = positiveDuration(RETRY_MAX_DELAY, value.apply(RETRY_MAX_DELAY));
        if (retryMaxDelay.compareTo(retryInitialDelay) < 0) {
            throw new IllegalArgumentException("icetune: " + RETRY_MAX_DELAY + " must not be less than " + RETRY_INITIAL_DELAY);
        }
        return new IcetuneConfig(
                url,
                Optional.of(value.apply(DB_USER)).filter(user -> !user.isEmpty()),
                Optional.of(password).filter(secret -> !secret.isEmpty()),
                bool(DB_MIGRATE, value.apply(DB_MIGRATE)),
                intInRange(DB_WRITERS, value.apply(DB_WRITERS), 1, 16),
                intInRange(BATCH_SIZE, value.apply(BATCH_SIZE), 1, 100_000),
                positiveDuration(FLUSH_INTERVAL, value.apply(FLUSH_INTERVAL)),
                intInRange(QUEUE_CAPACITY, value.apply(QUEUE_CAPACITY), 1, 10_000_000),
                path(SPOOL_DIR, value.apply(SPOOL_DIR)),
                dataSize(SPOOL_MAX_SIZE, value.apply(SPOOL_MAX_SIZE)),
                intInRange(MAX_QUERY_TEXT_LENGTH, value.apply(MAX_QUERY_TEXT_LENGTH), 100, 100_000_000),
                bool(KEEP_PLAN, value.apply(KEEP_PLAN)),
                intInRange(RETENTION_DAYS, value.apply(RETENTION_DAYS), 0, 36_500),
                intInRange(PARTITIONS_AHEAD_DAYS, value.apply(PARTITIONS_AHEAD_DAYS), 1, 366),
                intInRange(RETRY_ATTEMPTS, value.apply(RETRY_ATTEMPTS), 1, 100),
                retryInitialDelay,
                retryMaxDelay,
                positiveDuration(LOG_INTERVAL, value.apply(LOG_INTERVAL)));
    }

    @Override
    public String toString()
    {
        return "IcetuneConfig[dbUrl=" + redactedUrl() + ", dbUser=" + dbUser.orElse("") + ", dbPassword=" + (dbPassword.isPresent() ? "****" : "")
                + ", migrate=" + migrate + ", dbWriters=" + dbWriters + ", batchSize=" + batchSize + ", flushInterval=" + flushInterval + ", queueCapacity=" + queueCapacity
                + ", spoolDirectory=" + spoolDirectory + ", spoolMaxBytes=" + spoolMaxBytes + ", maxQueryTextLength=" + maxQueryTextLength
                + ", keepPlan=" + keepPlan + ", retentionDays=" + retentionDays + ", partitionsAheadDays=" + partitionsAheadDays + "]";
    }

    /** The URL without a password parameter, for logs. */
    public String redactedUrl()
    {
        return PASSWORD_PARAMETER.matcher(dbUrl).replaceAll("$1****");
    }

    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&;]password=)[^&;]*");

    private static boolean bool(String key, String text)
    {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(key, text, "true or false");
        };
    }

    private static int intInRange(String key, String text, int min, int max)
    {
        try {
            int parsed = Integer.parseInt(text);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        }
        catch (NumberFormatException ignored) {
            // reported below
        }
        throw invalid(key, text, "an integer from " + min + " to " + max);
    }

    private static Path path(String key, String text)
    {
        if (text.isEmpty()) {
            throw invalid(key, text, "a directory path");
        }
        return Path.of(text);
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");
    private static final Pattern DATA_SIZE = Pattern.compile("(\\d+)\\s*(B|kB|KB|MB|GB|TB)");

    /** Durations as Trino writes them: {@code 500ms}, {@code 1s}, {@code 5m}, {@code 1h}, {@code 1d}. */
    static Duration positiveDuration(String key, String text)
    {
        Matcher matcher = DURATION.matcher(text);
        if (matcher.matches()) {
            double amount = Double.parseDouble(matcher.group(1));
            long unitMillis = switch (matcher.group(2)) {
                case "ms" -> 1;
                case "s" -> 1_000;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                default -> 86_400_000;
            };
            long millis = Math.round(amount * unitMillis);
            if (millis > 0) {
                return Duration.ofMillis(millis);
            }
        }
        throw invalid(key, text, "a positive duration such as 500ms, 1s, 5m, 1h");
    }

    /** Data sizes as Trino writes them: {@code 512MB}, {@code 1GB}. */
    static long dataSize(String key, String text)
    {
        Matcher matcher = DATA_SIZE.matcher(text);
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            long unit = switch (matcher.group(2)) {
                case "B" -> 1L;
                case "kB", "KB" -> 1L << 10;
                case "MB" -> 1L << 20;
                case "GB" -> 1L << 30;
                default -> 1L << 40;
            };
            if (amount > 0 && amount <= Long.MAX_VALUE / unit) {
                return amount * unit;
            }
        }
        throw invalid(key, text, "a data size such as 512MB or 1GB");
    }

    private static IllegalArgumentException invalid(String key, String text, String expected)
    {
        return new IllegalArgumentException("icetune: invalid value for " + key + ": '" + text + "', expected " + expected);
    }
}
