package dev.icetune.engine.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** Make {@code columns} (ascending) the table's sort order; with a {@link Rewrite}, rewrite the existing files sorted. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SortOrder(String table, List<String> columns, Rewrite rewrite)
        implements LayoutChange
{
    public SortOrder
    {
        requireNonNull(table, "table is null");
        columns = List.copyOf(columns);
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("a sort order needs at least one column");
        }
    }

    @Override
    public FixKind kind()
    {
        return FixKind.SORT_ORDER;
    }

    @Override
    public String layoutStatement()
    {
        return statement(table, columns);
    }

    /** Trino's statement that sorts {@code table} by {@code columns} (none: unsorted). */
    public static String statement(String table, List<String> columns)
    {
        return "ALTER TABLE %s SET PROPERTIES sorted_by = %s".formatted(Sql.table(table), Sql.array(columns.stream().map(Sql::propertyColumn).toList()));
    }

    @Override
    public String description()
    {
        return "sort %s by %s%s".formatted(table, String.join(", ", columns), rewrite == null ? "" : ", then rewrite " + rewrite.scope() + " sorted");
    }
}
