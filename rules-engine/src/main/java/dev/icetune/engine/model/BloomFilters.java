package dev.icetune.engine.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Parquet bloom filters on {@code to} instead of {@code from} (the Iceberg properties
 * {@code write.parquet.bloom-filter-enabled.column.<name>}); with a {@link Rewrite}, rewrite the existing
 * files so that they carry them too.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BloomFilters(String table, List<String> from, List<String> to, Rewrite rewrite)
        implements FieldsChange
{
    public static final String PROPERTY_PREFIX = "write.parquet.bloom-filter-enabled.column.";

    public BloomFilters
    {
        requireNonNull(table, "table is null");
        from = List.copyOf(from);
        to = List.copyOf(to);
        if (from.equals(to)) {
            throw new IllegalArgumentException("a bloom filter change must change something: " + to);
        }
    }

    /** The bloom filters of {@code current} plus one on {@code column}. */
    public static BloomFilters adding(String table, List<String> current, String column, Rewrite rewrite)
    {
        return new BloomFilters(table, current, LayoutChange.plus(current, column), rewrite);
    }

    @Override
    public FixKind kind()
    {
        return FixKind.BLOOM_FILTERS;
    }

    @Override
    public String layoutStatement()
    {
        return statement(table, to);
    }

    /** The columns {@code properties} (a table's) give a Parquet bloom filter, sorted. */
    public static List<String> columns(Map<String, String> properties)
    {
        return properties.keySet().stream()
                .filter(key -> key.startsWith(PROPERTY_PREFIX))
                .map(key -> key.substring(PROPERTY_PREFIX.length()))
                .filter(column -> enabled(properties, column)).sorted().toList();
    }

    /** Whether {@code properties} (a table's) give {@code column} a Parquet bloom filter: as Iceberg reads the property, in any case. */
    public static boolean enabled(Map<String, String> properties, String column)
    {
        return "true".equalsIgnoreCase(properties.get(PROPERTY_PREFIX + column));
    }

    /** Trino's statement that gives {@code table} bloom filters on {@code columns} (none: no bloom filter). */
    public static String statement(String table, List<String> columns)
    {
        return "ALTER TABLE %s SET PROPERTIES parquet_bloom_filter_columns = %s".formatted(Sql.table(table), Sql.array(columns));
    }

    @Override
    public String description()
    {
        return "Parquet bloom filters on %s for %s%s".formatted(to.isEmpty() ? "no column" : String.join(", ", to), table,
                rewrite == null ? "" : ", then rewrite " + rewrite.scope() + " so that they carry them");
    }
}
