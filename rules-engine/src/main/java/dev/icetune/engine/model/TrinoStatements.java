package dev.icetune.engine.model;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** Statements run through Trino in order, as given; {@code table} is the one they change (and lock). */
public record TrinoStatements(String table, List<String> statements)
        implements Fix
{
    public TrinoStatements
    {
        requireNonNull(table, "table is null");
        statements = List.copyOf(statements);
        if (statements.isEmpty()) {
            throw new IllegalArgumentException("no statements");
        }
    }

    @Override
    public FixKind kind()
    {
        return FixKind.TRINO_STATEMENTS;
    }

    @Override
    public Optional<String> changedTable()
    {
        return Optional.of(table);
    }

    @Override
    public String description()
    {
        return "run %d Trino statement(s) on %s".formatted(statements.size(), table);
    }
}
