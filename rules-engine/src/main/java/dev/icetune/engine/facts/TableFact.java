package dev.icetune.engine.facts;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * An Iceberg table's metadata as the catalog has it now. Sizes in bytes, ages in hours;
 * {@code statisticsAgeHours} is -1 when the table has no column statistics. {@code partitionFields} are as
 * Iceberg names them ({@code ts_day: day(ts)}); {@link #partitioning()} gives them in Trino's syntax.
 */
public record TableFact(
        String table,
        long dataFiles,
        long totalDataBytes,
        long maxFileBytes,
        long smallFiles,
        long records,
        long deleteFiles,
        List<String> partitionFields,
        List<String> sortFields,
        List<String> timestampColumns,
        Map<String, String> properties,
        int snapshots,
        long oldestSnapshotAgeHours,
        long statisticsAgeHours,
        long currentSnapshotId)
{
    public TableFact
    {
        requireNonNull(table, "table is null");
        partitionFields = partitionFields == null ? List.of() : List.copyOf(partitionFields);
        sortFields = sortFields == null ? List.of() : List.copyOf(sortFields);
        timestampColumns = timestampColumns == null ? List.of() : List.copyOf(timestampColumns);
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    public double avgFileBytes()
    {
        return dataFiles == 0 ? 0 : (double) totalDataBytes / dataFiles;
    }

    public boolean hasStatistics()
    {
        return statisticsAgeHours >= 0;
    }

    /** True when a partition field of the spec is derived from {@code column} (e.g. "ts_day: day(ts)"). */
    public boolean partitionedOn(String column)
    {
        return partitionFields.stream().anyMatch(field -> field.contains("(" + column + ")") || field.equals(column));
    }

    public String property(String name)
    {
        return properties.get(name);
    }

    /** The partition spec in Trino's syntax: {@code day(ts)}, {@code bucket(id, 16)}, {@code region} for identity. */
    public List<String> partitioning()
    {
        return partitionFields.stream().map(TableFact::trinoField).toList();
    }

    /** Columns with a Parquet bloom filter. */
    public List<String> bloomFilterColumns()
    {
        return properties.entrySet().stream()
                .filter(entry -> entry.getKey().startsWith(BLOOM_PREFIX) && entry.getValue().equalsIgnoreCase("true"))
                .map(entry -> entry.getKey().substring(BLOOM_PREFIX.length())).sorted().toList();
    }

    public boolean hasBloomFilter(String column)
    {
        return bloomFilterColumns().contains(column);
    }

    private static final String BLOOM_PREFIX = "write.parquet.bloom-filter-enabled.column.";
    /** {@code name: transform(column)}, where transform may carry an argument: {@code bucket[16]}. */
    private static final Pattern ICEBERG_FIELD = Pattern.compile("(?:[^:]*:\\s*)?(\\w+)(?:\\[(\\d+)])?\\((\\w+)\\)");

    private static String trinoField(String field)
    {
        Matcher matcher = ICEBERG_FIELD.matcher(field.strip());
        if (!matcher.matches()) {
            return field.contains(":") ? field.substring(field.indexOf(':') + 1).strip() : field.strip();
        }
        String transform = matcher.group(1);
        String column = matcher.group(3);
        return switch (transform) {
            case "identity" -> column;
            case "bucket", "truncate" -> transform + "(" + column + ", " + matcher.group(2) + ")";
            default -> transform + "(" + column + ")";
        };
    }
}
