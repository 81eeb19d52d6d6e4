package dev.icetune.rules.facts;

import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * An Iceberg table's metadata as the catalog has it now. Sizes in bytes, ages in hours;
 * {@code statisticsAgeHours} is -1 when the table has no column statistics.
 */
public record TableFact(
        String table,
        long dataFiles,
        long totalDataBytes,
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
}
