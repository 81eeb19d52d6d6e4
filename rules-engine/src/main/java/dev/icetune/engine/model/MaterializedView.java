package dev.icetune.engine.model;

import dev.icetune.store.TableName;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Precompute {@code query} over {@code table} as the materialized view {@code name}, refreshed every
 * {@code refreshMinutes} (its grace period: queries read the view while it is no staler than that).
 */
public record MaterializedView(String name, String table, String query, long refreshMinutes)
        implements Fix
{
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
        return List.of("CREATE MATERIALIZED VIEW IF NOT EXISTS %s GRACE PERIOD INTERVAL '%d' MINUTE AS %s".formatted(Sql.table(name), refreshMinutes, query),
                "REFRESH MATERIALIZED VIEW " + Sql.table(name));
    }

    @Override
    public String description()
    {
        return "materialize a frequent aggregation over %s as %s, refreshed every %d minutes".formatted(table, name, refreshMinutes);
    }
}
