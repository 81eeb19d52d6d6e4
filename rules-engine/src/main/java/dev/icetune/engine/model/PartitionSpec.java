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

    /** A time partition on {@code column} made coarser: {@code day(ts)} replaced by {@code month(ts)}. */
    public record Coarsening(String column, TimeGrain from, TimeGrain to) {}

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
     * The change replaces a column's time field by a coarser one: it serves every scan of the table, each opening fewer and fuller
     * files, not the time ranges a finer or a new field serves.
     */
    public Optional<Coarsening> coarsening()
    {
        Optional<Matcher> added = added().stream().map(TIME_FIELD::matcher).filter(Matcher::matches).findFirst();
        Optional<Matcher> removed = removed().stream().map(TIME_FIELD::matcher).filter(Matcher::matches).findFirst();
        if (added.isEmpty() || removed.isEmpty() || !added.get().group(2).equals(removed.get().group(2))) {
            return Optional.empty();
        }
        TimeGrain from = TimeGrain.of(removed.get().group(1)).orElseThrow();
        TimeGrain to = TimeGrain.of(added.get().group(1)).orElseThrow();
        return to.compareTo(from) > 0 ? Optional.of(new Coarsening(Sql.propertyColumnName(added.get().group(2)), from, to)) : Optional.empty();
    }

    @Override
    public FixKind kind()
    {
        return FixKind.PARTITION_SPEC;
    }

    @Override
    public String layoutStatement()
    {
        return "ALTER TABLE %s SET PROPERTIES partitioning = %s".formatted(Sql.table(table), Sql.array(to));
    }

    @Override
    public String description()
    {
        return "partition %s by %s (was %s)%s".formatted(table, to.isEmpty() ? "nothing" : String.join(", ", to), from.isEmpty() ? "unpartitioned" : String.join(", ", from),
                rewrite == null ? "" : ", then rewrite " + rewrite.scope() + " into the new layout");
    }
}
