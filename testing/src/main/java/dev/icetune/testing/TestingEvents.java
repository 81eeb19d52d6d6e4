package dev.icetune.testing;

import io.airlift.units.Duration;
import io.trino.plugin.base.metrics.DurationTiming;
import io.trino.plugin.base.metrics.LongCount;
import io.trino.plugin.iceberg.IcebergInputInfo;
import io.trino.spi.connector.CatalogVersion;
import io.trino.spi.eventlistener.QueryCompletedEvent;
import io.trino.spi.eventlistener.QueryContext;
import io.trino.spi.eventlistener.QueryCreatedEvent;
import io.trino.spi.eventlistener.QueryIOMetadata;
import io.trino.spi.eventlistener.QueryInputMetadata;
import io.trino.spi.eventlistener.QueryMetadata;
import io.trino.spi.eventlistener.QueryStatistics;
import io.trino.spi.metrics.Metric;
import io.trino.spi.metrics.Metrics;
import io.trino.spi.session.ResourceEstimates;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static java.time.Duration.ofMillis;

/** Hand-built Trino events for what a running Trino rarely produces: odd text, thousands of inputs, absent fields. */
public final class TestingEvents
{
    private TestingEvents() {}

    public static QueryCompletedEvent completed(String queryId, String sql, List<QueryInputMetadata> inputs)
    {
        return completed(queryId, sql, inputs, Optional.empty(), List.of());
    }

    /** With the JSON plan and the operators' summaries a real Trino reports (recorded from one). */
    public static QueryCompletedEvent completed(String queryId, String sql, List<QueryInputMetadata> inputs, Optional<String> jsonPlan,
            List<String> operatorSummaries)
    {
        Instant end = Instant.now();
        return new QueryCompletedEvent(
                new QueryMetadata(queryId, Optional.empty(), Optional.empty(), sql, Optional.empty(), Optional.empty(), "FINISHED",
                        List.of(), List.of(), URI.create("http://localhost/v1/query/" + queryId), Optional.empty(), jsonPlan, Optional.empty()),
                statistics(operatorSummaries),
                context(),
                new QueryIOMetadata(inputs, Optional.empty()),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                end.minusMillis(120),
                end.minusMillis(100),
                end);
    }

    /** A query's start, as Trino reports it once the query is queued. */
    public static QueryCreatedEvent created(String queryId, String sql)
    {
        return new QueryCreatedEvent(Instant.now(), context(),
                new QueryMetadata(queryId, Optional.empty(), Optional.empty(), sql, Optional.empty(), Optional.empty(), "QUEUED",
                        List.of(), List.of(), URI.create("http://localhost/v1/query/" + queryId), Optional.empty(), Optional.empty(), Optional.empty()));
    }

    public static QueryInputMetadata icebergInput(String table, long filesScanned, long totalFiles)
    {
        Map<String, Metric<?>> metrics = Map.of(
                "dataFiles", new LongCount(filesScanned),
                "dataFileSizeBytes", new LongCount(filesScanned * 1024),
                "dataManifests", new LongCount(totalFiles),
                "skippedDataManifests", new LongCount(0),
                "scanPlanningDuration", new DurationTiming(new Duration(3, TimeUnit.MILLISECONDS)));
        IcebergInputInfo info = new IcebergInputInfo(2, OptionalLong.of(42), List.of("ts_day: day"), "PARQUET",
                Optional.of(String.valueOf(totalFiles * 100)), Optional.of("0"), Optional.of(String.valueOf(totalFiles)),
                Optional.of("0"), Optional.of("0"), Optional.of("0"));
        return new QueryInputMetadata(Optional.of("iceberg"), "iceberg", new CatalogVersion("1"), "demo", table,
                List.of(new QueryInputMetadata.Column("ts", "timestamp(6)"), new QueryInputMetadata.Column("user_id", "bigint")),
                Optional.of(info), new Metrics(metrics), OptionalLong.of(filesScanned * 1024), OptionalLong.of(filesScanned * 100));
    }

    /** An input of a connector that reports nothing of its own. */
    public static QueryInputMetadata plainInput(String connector, String table)
    {
        return new QueryInputMetadata(Optional.of(connector), connector, new CatalogVersion("1"), "public", table, List.of(),
                Optional.empty(), Metrics.EMPTY, OptionalLong.empty(), OptionalLong.empty());
    }

    private static QueryStatistics statistics(List<String> operatorSummaries)
    {
        return new QueryStatistics(ofMillis(10), ofMillis(0), ofMillis(120), ofMillis(1),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                0, 0, 0, 1024, 100, 1024, 100, 0, 0, 9, 1, 0, 0, 0,
                0, 0, List.of(), 3, true, List.of(), List.of(), List.of(), List.of(), List.of(), operatorSummaries, List.of(), Map.of(), Map.of(),
                Optional.empty());
    }

    private static QueryContext context()
    {
        return new QueryContext("alice", "alice", Set.of(), Optional.empty(), Set.of(), Set.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Set.of(), Set.of(), Optional.empty(), "UTC", Optional.empty(), Optional.empty(),
                Optional.empty(), Map.of(), new ResourceEstimates(Optional.empty(), Optional.empty(), Optional.empty()), "127.0.0.1",
                "483", "test", Optional.empty(), "NONE");
    }
}
