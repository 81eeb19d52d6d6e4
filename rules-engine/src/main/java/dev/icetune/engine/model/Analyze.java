package dev.icetune.engine.model;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** Collect the table's column statistics ({@code ANALYZE}), for the planner's join order and sizes. */
public record Analyze(String table)
        implements Fix
{
    public Analyze
    {
        requireNonNull(table, "table is null");
    }

    @Override
    public FixKind kind()
    {
        return FixKind.ANALYZE;
    }

    @Override
    public Optional<String> changedTable()
    {
        return Optional.of(table);
    }

    @Override
    public List<String> statements()
    {
        return List.of("ANALYZE " + Sql.table(table));
    }

    @Override
    public String description()
    {
        return "collect column statistics of " + table;
    }
}
