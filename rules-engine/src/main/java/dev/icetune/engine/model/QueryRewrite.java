package dev.icetune.engine.model;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** The query rewritten: delivered to its owner, never applied to someone's SQL. */
public record QueryRewrite(String sql)
        implements Fix
{
    public QueryRewrite
    {
        requireNonNull(sql, "sql is null");
    }

    @Override
    public FixKind kind()
    {
        return FixKind.QUERY_REWRITE;
    }

    @Override
    public Optional<String> changedTable()
    {
        return Optional.empty();
    }

    @Override
    public List<String> statements()
    {
        return List.of(sql);
    }

    @Override
    public String description()
    {
        return "rewrite the query (delivered to its owner, never applied)";
    }
}
