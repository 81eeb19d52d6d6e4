package dev.icetune.engine.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Evolve a table's partition spec from {@code from} to {@code to} (fields in Trino's syntax: {@code day(ts)},
 * {@code month(ts)}, {@code region}), adding what {@code to} has and removing what only {@code from} has; then,
 * with a {@link Rewrite}, rewrite the existing files into the new layout.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PartitionSpec(String table, List<String> from, List<String> to, Rewrite rewrite)
        implements FieldsChange
{
    private static final Pattern FIELD = Pattern.compile("(?:(?:year|month|day|hour)\\(\\s*<c>\\s*\\)|(?:bucket|truncate)\\(\\s*<c>\\s*,\\s*\\d+\\s*\\)|<c>)"
            .replace("<c>", Sql.PROPERTY_COLUMN));

    /** A time field in Trino's syntax, {@code day("event time")}: group 1 the transform, group 2 the column as written. */
    public static final Pattern TIME_FIELD = Pattern.compile("(year|month|day|hour)\\((" + Sql.PROPERTY_COLUMN + ")\\)");

    /** A value field in Trino's syntax, {@code region} or {@code bucket(id, 16)}: group 1 the column of a bucket or truncate, group 2 its argument, group 3 an identity's column. */
    private static final Pattern VALUE_FIELD = Pattern.compile("(?:bucket|truncate)\\(\\s*(" + Sql.PROPERTY_COLUMN + ")\\s*,\\s*(\\d+)\\s*\\)|(" + Sql.PROPERTY_COLUMN + ")");

    /**
     * A partition field on {@code column} made coarser, in Trino's syntax: a time field at a coarser grain ({@code day(ts)} to
     * {@code month(ts)}), or a value field into fewer buckets ({@code region} to {@code bucket(region, 4)}) or none.
     */
    public record Coarsening(String column, String from, Optional<String> to)
    {
        /**
         * The partitions left of {@code partitions}: as many fewer as the grains are wider, at most the buckets, or one without
         * the field, as if it were the table's only one.
         */
        public double partitionsAfter(long partitions)
        {
            Optional<TimeGrain> fromGrain = grain(from);
            Optional<TimeGrain> toGrain = to.flatMap(PartitionSpec::grain);
            if (fromGrain.isPresent() && toGrain.isPresent()) {
                return Math.max(1, Math.ceil(partitions * fromGrain.get().hours() / toGrain.get().hours()));
            }
            return to.flatMap(PartitionSpec::buckets).map(buckets -> (double) Math.min(partitions, buckets)).orElse(1.0);
        }
    }

    public PartitionSpec
    {
        requireNonNull(table, "table is null");
        from = List.copyOf(from);
        to = List.copyOf(to);
        for (String field : to) {
            if (!FIELD.matcher(field).matches()) {
                throw new IllegalArgumentException("not a partition field: '" + field + "' (day(ts), month(ts), bucket(id, 16), region, ...)");
            }
        }
        if (from.equals(to)) {
            throw new IllegalArgumentException("a partition spec change must change something: " + to);
        }
    }

    /** {@code transform(column)} in Trino's syntax, the column double-quoted unless a plain identifier: {@code day("event time")}. */
    public static String field(String transform, String column)
    {
        return transform + "(" + Sql.propertyColumn(column) + ")";
    }

    /** The spec {@code current} plus {@code field}. */
    public static PartitionSpec adding(String table, List<String> current, String field, Rewrite rewrite)
    {
        return new PartitionSpec(table, current, LayoutChange.plus(current, field), rewrite);
    }

    /** The spec {@code current} with {@code field} in place of {@code replaced}: a time field at another grain. */
    public static PartitionSpec replacing(String table, List<String> current, String replaced, String field, Rewrite rewrite)
    {
        return new PartitionSpec(table, current, LayoutChange.plus(LayoutChange.without(current, List.of(replaced)), field), rewrite);
    }

    /**
     * The spec {@code current} with its value field {@code field} ({@code region}, {@code bucket(id, 64)}) in {@code buckets}
     * buckets of its column, or without it when fewer than two would do.
     */
    public static PartitionSpec bucketing(String table, List<String> current, String field, long buckets, Rewrite rewrite)
    {
        Optional<String> column = column(field);
        if (column.isEmpty() || TIME_FIELD.matcher(field).matches()) {
            throw new IllegalArgumentException("not a value partition field: '" + field + "' (region, bucket(id, 16), truncate(name, 4))");
        }
        List<String> rest = LayoutChange.without(current, List.of(field));
        return new PartitionSpec(table, current, buckets < 2 ? rest : LayoutChange.plus(rest, "bucket(%s, %d)".formatted(column.get(), buckets)), rewrite);
    }

    /**
     * The change makes one column's partitions fewer and fuller: a time field at a coarser grain, a value field in fewer
     * buckets, or a field removed. It serves every scan of the table, each opening fewer and fuller files, not the time ranges
     * a finer or a new field serves.
     */
    public Optional<Coarsening> coarsening()
    {
        List<String> removed = removed();
        List<String> added = added();
        if (removed.size() != 1 || added.size() > 1) {
            return Optional.empty();
        }
        String from = removed.getFirst();
        Optional<String> to = added.stream().findFirst();
        Optional<String> column = column(from);
        if (column.isEmpty() || to.isPresent() && !column(to.get()).equals(column)) {
            return Optional.empty();
        }
        Optional<Coarsening> coarsening = Optional.of(new Coarsening(Sql.propertyColumnName(column.get()), from, to));
        if (to.isEmpty()) {
            return coarsening;
        }
        Optional<TimeGrain> fromGrain = grain(from);
        Optional<TimeGrain> toGrain = grain(to.get());
        if (fromGrain.isPresent() || toGrain.isPresent()) {
            boolean coarser = fromGrain.isPresent() && toGrain.isPresent() && toGrain.get().compareTo(fromGrain.get()) > 0;
            return coarser ? coarsening : Optional.empty();
        }
        // into buckets from values or truncated values, or from more buckets
        Optional<Long> toBuckets = buckets(to.get());
        boolean fewer = toBuckets.isPresent() && buckets(from).map(fromBuckets -> toBuckets.get() < fromBuckets).orElse(true);
        return fewer ? coarsening : Optional.empty();
    }

    /** The grain of a time field in Trino's syntax ({@code day(ts)}); none for a field of another form. */
    private static Optional<TimeGrain> grain(String field)
    {
        Matcher time = TIME_FIELD.matcher(field);
        return time.matches() ? TimeGrain.of(time.group(1)) : Optional.empty();
    }

    /** The buckets of a bucket field in Trino's syntax ({@code bucket(id, 16)}); none for a field of another form. */
    public static Optional<Long> buckets(String field)
    {
        Matcher value = VALUE_FIELD.matcher(field);
        return field.startsWith("bucket(") && value.matches() ? Optional.of(Long.parseLong(value.group(2))) : Optional.empty();
    }

    /** The column of a partition field in Trino's syntax, as written there ({@code "event time"} of {@code day("event time")}); none for a field of another form. */
    public static Optional<String> column(String field)
    {
        Matcher time = TIME_FIELD.matcher(field);
        if (time.matches()) {
            return Optional.of(time.group(2));
        }
        Matcher value = VALUE_FIELD.matcher(field);
        return value.matches() ? Optional.of(value.group(1) != null ? value.group(1) : value.group(3)) : Optional.empty();
    }

    @Override
    public FixKind kind()
    {
        return FixKind.PARTITION_SPEC;
    }

    @Override
    public String layoutStatement()
    {
        return statement(table, to);
    }

    /** Trino's statement that partitions {@code table} by {@code fields} (none: unpartitioned). */
    public static String statement(String table, List<String> fields)
    {
        return "ALTER TABLE %s SET PROPERTIES partitioning = %s".formatted(Sql.table(table), Sql.array(fields));
    }

    @Override
    public String description()
    {
        return "%s (was %s)%s".formatted(to.isEmpty() ? "leave " + table + " unpartitioned" : "partition " + table + " by " + String.join(", ", to),
                from.isEmpty() ? "unpartitioned" : String.join(", ", from), rewrite == null ? "" : ", then rewrite " + rewrite.scope() + " into the new layout");
    }
}
