package dev.icetune.engine.model;

import dev.icetune.store.TableName;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Precompute {@code query} over {@code table} as the materialized view {@code name}, refreshed every
 * {@code refreshMinutes} (its grace period: queries read the view while it is no staler than that).
 */
public record MaterializedView(String name, String table, String query, long refreshMinutes)
        implements Fix
{
    /** The name Trino gives an output column the query does not name. */
    private static final Pattern UNNAMED = Pattern.compile("_col\\d+");

    public MaterializedView
    {
        requireNonNull(name, "name is null");
        requireNonNull(table, "table is null");
        requireNonNull(query, "query is null");
        if (refreshMinutes <= 0) {
            throw new IllegalArgumentException("refreshMinutes must be positive: " + refreshMinutes);
        }
    }

    /** The view of a pattern's aggregation over {@code table}: beside it, named after it and the pattern ({@code mv_events_1a2b3c4d}). */
    public static String nameFor(String table, String patternHash)
    {
        TableName over = TableName.parse(table);
        return over.sibling("mv_" + over.table() + "_" + patternHash.substring(0, Math.min(8, patternHash.length()))).toString();
    }

    @Override
    public FixKind kind()
    {
        return FixKind.MATERIALIZED_VIEW;
    }

    /** The view is created beside the table it reads; the lock is taken on the table. */
    @Override
    public Optional<String> changedTable()
    {
        return Optional.of(table);
    }

    @Override
    public List<String> statements()
    {
        return statements(List.of());
    }

    /**
     * The statements with the view's columns named after {@code columns}, the names Trino gives the query's output, where Trino
     * would refuse them as they are: a view needs a name for each column, and once each, which a dashboard's {@code count(*)}
     * (Trino calls it {@code _col1}) or a {@code SELECT a.id, b.id} lacks. The names are what the dashboard saw in its results.
     */
    public List<String> statements(List<String> columns)
    {
        List<String> names = uniqueNames(columns);
        boolean rename = !names.equals(columns) || columns.stream().anyMatch(column -> UNNAMED.matcher(column).matches());
        String body = rename ? "SELECT * FROM (%s) AS q (%s)".formatted(query, String.join(", ", names.stream().map(Sql::identifier).toList())) : query;
        return List.of("CREATE MATERIALIZED VIEW IF NOT EXISTS %s GRACE PERIOD INTERVAL '%d' MINUTE AS %s".formatted(Sql.table(name), refreshMinutes, body),
                "REFRESH MATERIALIZED VIEW " + Sql.table(name));
    }

    /** Each name once, whatever its case: a repeated one gets its position ({@code id}, {@code id_2}). */
    private static List<String> uniqueNames(List<String> columns)
    {
        Set<String> seen = new HashSet<>();
        List<String> names = new ArrayList<>(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            String column = columns.get(i);
            names.add(seen.add(column.toLowerCase(Locale.ROOT)) ? column : column + "_" + (i + 1));
        }
        return names;
    }

    /**
     * The same rows where Trino creates no materialized view (its Iceberg JDBC, REST or Nessie catalogs): a table of them, created
     * again every {@code refreshMinutes} by the platform's scheduler, which the queries read.
     */
    public String asTable()
    {
        return "Trino creates no materialized view in the Iceberg catalog of %s: keep the aggregation's rows in a table, "
                .formatted(table)
                + "CREATE OR REPLACE TABLE %s AS %s, run again every %d minutes by a scheduler, and point the queries at it"
                .formatted(Sql.table(name), query, refreshMinutes);
    }

    @Override
    public String description()
    {
        return "materialize a frequent aggregation over %s as %s, refreshed every %d minutes".formatted(table, name, refreshMinutes);
    }
}
