package dev.icetune.listener;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/** A row of {@code query_starts}: enough of a QueryCreated event to count queries running at a time. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CapturedStart(
        String queryId,
        Instant createTime,
        String userName,
        String source,
        String catalog,
        String schemaName,
        String queryPatternHash,
        String clusterName)
        implements CapturedEvent
{
    public CapturedStart
    {
        clusterName = clusterName == null ? CapturedQuery.DEFAULT_CLUSTER : clusterName;
        requireNonNull(queryId, "queryId is null");
        requireNonNull(createTime, "createTime is null");
        requireNonNull(userName, "userName is null");
    }
}
