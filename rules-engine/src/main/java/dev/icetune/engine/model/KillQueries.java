package dev.icetune.engine.model;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Ending queries still running far past their pattern's p95: Trino's own procedure, one call a query, for a person
 * to run once they have looked at them (they may be stuck behind something worth seeing first). Never applied.
 */
public record KillQueries(List<String> queryIds)
        implements Fix
{
    public KillQueries
    {
        queryIds = List.copyOf(requireNonNull(queryIds, "queryIds is null"));
        if (queryIds.isEmpty()) {
            throw new IllegalArgumentException("no query to end");
        }
    }

    @Override
    public FixKind kind()
    {
        return FixKind.KILL_QUERIES;
    }

    @Override
    public Optional<String> changedTable()
    {
        return Optional.empty();
    }

    @Override
    public List<String> statements()
    {
        return queryIds.stream()
                .map(id -> "CALL system.runtime.kill_query(query_id => " + Sql.literal(id) + ", message => 'icetune: running far past its pattern''s p95')")
                .toList();
    }

    @Override
    public String description()
    {
        return "end %d %s running far past the pattern's p95".formatted(queryIds.size(), queryIds.size() == 1 ? "query" : "queries");
    }

    @Override
    public String render()
    {
        return "Look at them in the Trino UI (or system.runtime.queries); to end them:\n" + String.join(";\n", statements()) + ";";
    }
}
