package dev.icetune.engine.facts;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * A query that started (query_starts) and has not completed (no row in query_logs) at the evaluation's end: running,
 * hung, or lost with a coordinator that died. {@code runningMs} is the time since it was created.
 */
public record RunningQueryFact(String queryId, String patternHash, String cluster, String user, Instant createTime, long runningMs)
{
    public RunningQueryFact
    {
        requireNonNull(queryId, "queryId is null");
        cluster = cluster == null ? PatternFact.DEFAULT_CLUSTER : cluster;
    }
}
