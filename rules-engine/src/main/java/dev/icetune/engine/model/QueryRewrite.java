package dev.icetune.engine.model;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The query rewritten: delivered to its owner, never applied to someone's SQL; valued by its {@link Benefit}
 * (null: not valued).
 */
public record QueryRewrite(String sql, Benefit benefit)
        implements Fix
{
    public QueryRewrite
    {
        requireNonNull(sql, "sql is null");
    }

    /** A rewrite the evaluation does not value. */
    public QueryRewrite(String sql)
    {
        this(sql, null);
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
