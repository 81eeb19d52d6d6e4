package dev.icetune.engine.facts;

import dev.icetune.engine.model.BloomFilters;
import dev.icetune.engine.model.Estimate;
import dev.icetune.engine.model.PartitionSpec;
import dev.icetune.engine.model.Sql;
import dev.icetune.engine.model.TimeGrain;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * An Iceberg table's metadata as the catalog has it now. Sizes in bytes, ages in hours;
 * {@code statisticsAgeHours} is -1 when the table has no column statistics. {@code partitionFields} are as
 * Iceberg names them ({@code ts_day: day(ts)}); {@link #partitioning()} gives them in Trino's syntax.
 * {@code smallFiles} are the data files under the small-file size that a compaction rewrites, and {@code smallFileBytes} what
 * they hold: a partition's only file, in the current spec and without deletes, has nothing to merge with and is not one of
 * them (a table partitioned finer than its data has small files that compaction cannot help). {@code partitions} are the partitions with data, and
 * {@code timeSpans} the oldest and newest value of each date or timestamp column, {@code distinctCounts} the number of
 * distinct values of each column its newest statistics (ANALYZE) counted. {@code metadataBytes} is the size of the current
 * metadata file, which the planning of every query of the table reads, and {@code snapshotAgesHours} the age of each snapshot
 * it lists, newest first. {@code largeFilesWithDeletes} are the data files at or over the small-file size that delete files
 * apply to, and {@code largeFileWithDeletesBytes} what they hold: a compaction rewrites them too, applying their deletes.
 * {@code timeTypes} are the Iceberg types of the date and timestamp columns: a rewrite compares each with a literal of its type.
 * {@code statisticsChangedShare} is the rows added or removed since the snapshot of its newest statistics, a share of the rows it
 * had then: 0 when the statistics are of the current snapshot (Trino's writes keep them so), -1 when not known.
 * {@code columns} are the names of the table's top-level columns in its current schema (none: not known).
 * {@code overlappingFiles} are, per column, the average number of data files whose min/max range of it overlaps one file's, that
 * file included: 1 when the files hold it in order, every file when each spans all its values (none: not known).
 * {@code noMaterializedViews}: Trino creates no materialized view in the table's catalog (an Iceberg JDBC, REST, Nessie, Snowflake or
 * Hadoop catalog; it does in a Hive metastore's, Glue's or its file metastore's).
 * {@code loneFiles} are the data files alone in their partition, in the current spec and without deletes: Trino's optimize rewrites
 * none of them, so a new sort order or bloom filter reaches their data only when it is written again.
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
        long currentSnapshotId,
        long smallFileBytes,
        long partitions,
        Map<String, TimeSpan> timeSpans,
        Map<String, Long> distinctCounts,
        long metadataBytes,
        List<Long> snapshotAgesHours,
        long largeFilesWithDeletes,
        long largeFileWithDeletesBytes,
        Map<String, String> timeTypes,
        double statisticsChangedShare,
        List<String> columns,
        Map<String, Double> overlappingFiles,
        boolean noMaterializedViews,
        long loneFiles)
{
    public TableFact
    {
        requireNonNull(table, "table is null");
        partitionFields = partitionFields == null ? List.of() : List.copyOf(partitionFields);
        sortFields = sortFields == null ? List.of() : List.copyOf(sortFields);
        timestampColumns = timestampColumns == null ? List.of() : List.copyOf(timestampColumns);
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        timeSpans = timeSpans == null ? Map.of() : Map.copyOf(timeSpans);
        distinctCounts = distinctCounts == null ? Map.of() : Map.copyOf(distinctCounts);
        snapshotAgesHours = snapshotAgesHours == null ? List.of() : List.copyOf(snapshotAgesHours);
        timeTypes = timeTypes == null ? Map.of() : Map.copyOf(timeTypes);
        columns = columns == null ? List.of() : List.copyOf(columns);
        overlappingFiles = overlappingFiles == null ? Map.of() : Map.copyOf(overlappingFiles);
    }

    /**
     * The Iceberg type of date or timestamp column {@code column} ({@code date}, {@code timestamp}, {@code timestamptz}, ...), or null
     * when not known; the column's name in any case, as {@link #hasTimeColumn} finds it.
     */
    public String timeType(String column)
    {
        String type = timeTypes.get(column);
        if (type != null) {
            return type;
        }
        return timeTypes.entrySet().stream().filter(entry -> entry.getKey().equalsIgnoreCase(column)).map(Map.Entry::getValue).findFirst().orElse(null);
    }

    /**
     * The snapshots an expiry of those older than {@code retainHours} removes (it keeps the current one), or -1 when the
     * snapshots' ages are not known. Ages are whole hours, cut: one of 168 is between 168 and 169 hours old.
     */
    public long snapshotsOlderThan(long retainHours)
    {
        if (snapshotAgesHours.size() != snapshots) {
            return -1;
        }
        return Math.min(snapshots - 1, snapshotAgesHours.stream().filter(age -> age >= retainHours).count());
    }

    /** The distinct values of {@code column} the table's statistics counted, when it has them. */
    public java.util.OptionalLong distinctCount(String column)
    {
        Long count = distinctCounts.get(column);
        return count == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(count);
    }

    /** The oldest and newest value of {@code column}, when the files' statistics tell them. */
    public java.util.Optional<TimeSpan> timeSpan(String column)
    {
        return java.util.Optional.ofNullable(timeSpans.get(column));
    }

    public double avgFileBytes()
    {
        return dataFiles == 0 ? 0 : (double) totalDataBytes / dataFiles;
    }

    public boolean hasStatistics()
    {
        return statisticsAgeHours >= 0;
    }

    /** How the table changed since its column statistics were computed, as a recommendation says it: "N% of its rows ...". */
    public String statisticsChange()
    {
        String age = statisticsAgeHours == 0 ? "less than an hour" : Estimate.count(statisticsAgeHours, "hour");
        if (statisticsChangedShare < 0) {
            return "its column statistics are %s old and it changed since".formatted(age);
        }
        return "%d%% of its rows were added or removed since its column statistics were computed, %s ago"
                .formatted(Math.max(1, Math.round(statisticsChangedShare * 100)), age);
    }

    /**
     * Whether the table has a top-level column of this name now, in any case (Trino's names are lower case); true when its columns are
     * not known. A filter's column may be gone since (renamed, dropped) while scans of it stay in the window, or be a nested row's field
     * ({@code loc.lat} filters as {@code lat}): neither can be sorted on or given a bloom filter.
     */
    public boolean hasColumn(String column)
    {
        return columns.isEmpty() || columns.stream().anyMatch(name -> name.equalsIgnoreCase(column));
    }

    /**
     * Whether the files' min/max ranges of {@code column} overlap: {@code atLeast} files or more overlap one file's on average, or the
     * metadata does not tell. Files that do not overlap already skip what a filter does not select: sorting would change nothing.
     */
    public boolean filesOverlapOn(String column, double atLeast)
    {
        double overlapping = overlappingFiles(column);
        return overlapping < 0 || overlapping >= atLeast;
    }

    /** The average number of files whose min/max range of {@code column} overlaps one file's, or -1 when not known. */
    public double overlappingFiles(String column)
    {
        return overlappingFiles.entrySet().stream().filter(entry -> entry.getKey().equalsIgnoreCase(column)).mapToDouble(Map.Entry::getValue).findFirst().orElse(-1);
    }

    /** Whether the table has a date or timestamp column of this name, in any case: Trino's names are lower case, another engine's need not be. */
    public boolean hasTimeColumn(String column)
    {
        return timestampColumns.stream().anyMatch(name -> name.equalsIgnoreCase(column));
    }

    /** True when a partition field of the spec is derived from {@code column} (e.g. "ts_day: day(ts)"). */
    public boolean partitionedOn(String column)
    {
        return !partitionFieldsOn(column).isEmpty();
    }

    /** The partition fields derived from {@code column}, as Iceberg names them ("ts_day: day(ts)", "id_bucket: bucket[16](id)"). */
    public List<String> partitionFieldsOn(String column)
    {
        return partitionFields.stream().filter(field -> field.contains("(" + column + ")") || field.equals(column)).toList();
    }

    /**
     * The partition field on time column {@code column} in Trino's syntax ({@code month(ts)}), if the table is partitioned on
     * it by a time transform: its grain is what a range of that column is pruned to.
     */
    public java.util.Optional<String> timeField(String column)
    {
        return partitioning().stream().map(PartitionSpec.TIME_FIELD::matcher)
                .filter(time -> time.matches() && time.group(2).equals(Sql.propertyColumn(column)))
                .map(Matcher::group).findFirst();
    }

    /** The grain of the time partition on {@code column}, if the table is partitioned on it by a time transform. */
    public java.util.Optional<TimeGrain> timeGrain(String column)
    {
        return timeField(column).flatMap(field -> TimeGrain.of(field.substring(0, field.indexOf('('))));
    }

    /** Hours of one unit of the time partition on {@code column} (a month 720), or 0 when there is none. */
    public double timeGrainHours(String column)
    {
        return timeGrain(column).map(TimeGrain::hours).orElse(0.0);
    }

    /** The columns the table is partitioned on by a time transform ({@code ts} of {@code ts_day: day(ts)}). */
    public List<String> timePartitionColumns()
    {
        return partitionFields.stream().map(field -> ICEBERG_FIELD.matcher(field.strip()))
                .filter(matcher -> matcher.matches() && TimeGrain.of(matcher.group(1)).isPresent())
                .map(matcher -> matcher.group(3))
                .toList();
    }

    /**
     * The grain to coarsen the time partition on {@code column} to, if any: the finest coarser grain whose partitions would hold
     * {@code partitionBytes} on average (at the table's average now), else the coarsest one allowed. A grain is allowed when the
     * time ranges its queries select ({@code ranges}) each span more than a {@code grainFactor}th of it: a coarser one is what
     * partition-granularity would refine again. A list of none or one, for a rule to match on.
     */
    public List<TimeGrain> coarserTimeGrain(String column, List<PredicateFact> ranges, double grainFactor, double partitionBytes)
    {
        java.util.Optional<TimeGrain> current = timeGrain(column);
        if (current.isEmpty()) {
            return List.of();
        }
        List<TimeGrain> allowed = coarserAllowed(current.get(), ranges, grainFactor);
        if (allowed.isEmpty()) {
            return List.of();
        }
        return List.of(allowed.stream()
                .filter(grain -> avgPartitionBytes() * grain.hours() / current.get().hours() >= partitionBytes)
                .findFirst()
                .orElse(allowed.getLast()));
    }

    /**
     * The grain of a time partition to add on {@code column}: hour when the table holds more than {@code hourAboveBytes}, else
     * day, or a coarser one as {@link #coarserTimeGrain} would coarsen it to: the first whose partitions would hold
     * {@code partitionBytes} on average (the data spread evenly over the column's time span, within each partition the table
     * has now), else the coarsest the time ranges of its queries allow. What this adds is then neither coarsened by
     * over-partitioning nor refined by partition-granularity. Hour or day when the files do not tell the column's span. A list of
     * one, for a rule to match on; of none when all the data falls in one partition of that grain (a table too small for a finer
     * one, spanning less than a year or a month): such a partition prunes nothing.
     */
    public List<TimeGrain> timeGrainToAdd(String column, List<PredicateFact> ranges, double hourAboveBytes, double grainFactor, double partitionBytes)
    {
        TimeGrain finest = totalDataBytes > hourAboveBytes ? TimeGrain.HOUR : TimeGrain.DAY;
        java.util.Optional<TimeSpan> span = timeSpan(column);
        if (span.isEmpty()) {
            return List.of(finest);
        }
        double spanHours = span.get().length().toSeconds() / 3600.0;
        double bytesNow = partitions <= 1 ? totalDataBytes : avgPartitionBytes();
        List<TimeGrain> candidates = java.util.stream.Stream.concat(java.util.stream.Stream.of(finest), coarserAllowed(finest, ranges, grainFactor).stream()).toList();
        TimeGrain grain = candidates.stream()
                .filter(candidate -> bytesNow / Math.max(1, Math.ceil(spanHours / candidate.hours())) >= partitionBytes)
                .findFirst()
                .orElse(candidates.getLast());
        return partitionsOver(grain, span.get()) > 1 ? List.of(grain) : List.of();
    }

    /** The partitions of {@code grain} the times of {@code span} fall in, by the calendar in UTC, as Iceberg's transforms cut them. */
    private static long partitionsOver(TimeGrain grain, TimeSpan span)
    {
        java.time.LocalDateTime from = java.time.LocalDateTime.ofInstant(span.from(), java.time.ZoneOffset.UTC);
        java.time.LocalDateTime to = java.time.LocalDateTime.ofInstant(span.to(), java.time.ZoneOffset.UTC);
        return 1 + switch (grain) {
            case HOUR -> java.time.temporal.ChronoUnit.HOURS.between(from.truncatedTo(java.time.temporal.ChronoUnit.HOURS), to.truncatedTo(java.time.temporal.ChronoUnit.HOURS));
            case DAY -> java.time.temporal.ChronoUnit.DAYS.between(from.toLocalDate(), to.toLocalDate());
            case MONTH -> java.time.temporal.ChronoUnit.MONTHS.between(java.time.YearMonth.from(from), java.time.YearMonth.from(to));
            case YEAR -> to.getYear() - from.getYear();
        };
    }

    /** The grains coarser than {@code grain} that the queries' time ranges allow: each range spans more than a {@code grainFactor}th of one. */
    private static List<TimeGrain> coarserAllowed(TimeGrain grain, List<PredicateFact> ranges, double grainFactor)
    {
        double narrowestRange = ranges.stream().mapToDouble(PredicateFact::hoursSelected).filter(hours -> hours > 0).min().orElse(Double.POSITIVE_INFINITY);
        return grain.coarser().stream().filter(coarser -> coarser.hours() < narrowestRange * grainFactor).toList();
    }

    /**
     * The table's partition field when it is its only one and on values, not time ({@code region}, {@code bucket(id, 64)},
     * {@code truncate(name, 4)}), in Trino's syntax: a list of none or one, for a rule to match on.
     */
    public List<String> valuePartitionField()
    {
        List<String> fields = partitioning();
        return fields.size() == 1 && !PartitionSpec.TIME_FIELD.matcher(fields.getFirst()).matches() ? fields : List.of();
    }

    /** How many partitions the table's data fills to {@code partitionBytes} each: none when it holds less than one. */
    public long partitionsHolding(double partitionBytes)
    {
        return (long) Math.floor(totalDataBytes / partitionBytes);
    }

    /** The bytes of data a partition holds on average. */
    public double avgPartitionBytes()
    {
        return partitions == 0 ? 0 : (double) totalDataBytes / partitions;
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

    /**
     * The format the table writes its data files in ({@code PARQUET}, {@code ORC}, {@code AVRO}): Iceberg's
     * {@code write.format.default}, Parquet when unset. A rewrite writes its files in it.
     */
    public String fileFormat()
    {
        String format = properties.get("write.format.default");
        return format == null ? "PARQUET" : format.strip().toUpperCase(java.util.Locale.ROOT);
    }

    /**
     * Whether the files Trino writes for it would carry a Parquet bloom filter on {@code column}: Parquet is the only format whose
     * bloom filters Trino reads by default, and Trino writes one only for a column Iceberg keeps its name for in the file. A name
     * that is not letters, digits and underscores (not a digit first) is written under another ({@code e mail} as
     * {@code e_x20mail}), and its bloom filter property finds no column: measured from outside, lookups read every row as before.
     * A row's field ({@code payload.user_id}) Trino refuses ("not present in schema").
     */
    public boolean canBloomFilter(String column)
    {
        return fileFormat().equals("PARQUET") && PARQUET_KEEPS_NAME.matcher(column).matches();
    }

    /**
     * Whether the files it writes carry column bounds: Iceberg keeps none for Avro data files, so min/max skips no Avro file, sorted or
     * not (partitions still prune).
     */
    public boolean writesColumnBounds()
    {
        return !fileFormat().equals("AVRO");
    }

    /** Columns with a Parquet bloom filter. */
    public List<String> bloomFilterColumns()
    {
        return BloomFilters.columns(properties);
    }

    public boolean hasBloomFilter(String column)
    {
        return bloomFilterColumns().contains(column);
    }

    /** The width of the table's {@code truncate} partition on text column {@code column} ({@code code_trunc: truncate[2](code)}), if it has one. */
    public java.util.OptionalInt truncateWidth(String column)
    {
        return partitionFields.stream().map(field -> ICEBERG_FIELD.matcher(field.strip()))
                .filter(matcher -> matcher.matches() && matcher.group(1).equals("truncate") && matcher.group(2) != null && matcher.group(3).equalsIgnoreCase(column))
                .mapToInt(matcher -> Integer.parseInt(matcher.group(2))).findFirst();
    }

    /** A column name Iceberg writes into Parquet files as it is (Avro's rule for names; any other it spells out). */
    private static final Pattern PARQUET_KEEPS_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** {@code name: transform(column)}, where transform may carry an argument: {@code bucket[16]}. */
    private static final Pattern ICEBERG_FIELD = Pattern.compile("(?:[^:]*:\\s*)?(\\w+)(?:\\[(\\d+)])?\\((.+)\\)");

    private static String trinoField(String field)
    {
        Matcher matcher = ICEBERG_FIELD.matcher(field.strip());
        if (!matcher.matches()) {
            return field.contains(":") ? field.substring(field.indexOf(':') + 1).strip() : field.strip();
        }
        String transform = matcher.group(1);
        String column = Sql.propertyColumn(matcher.group(3));
        return switch (transform) {
            case "identity" -> column;
            case "bucket", "truncate" -> transform + "(" + column + ", " + matcher.group(2) + ")";
            default -> transform + "(" + column + ")";
        };
    }
}
