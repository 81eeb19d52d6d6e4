package dev.icetune.engine.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
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
