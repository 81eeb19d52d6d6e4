package dev.icetune.engine.facts;

/**
 * One cluster's load in the evaluation window: the runbook's "current load" and the evidence of its Level 4. Queries
 * and their peak concurrency, bytes scanned, users; the share of queries that waited in a queue (a second or more) and
 * the p95 of that wait, for all queries and for reads alone (dashboards waiting behind ETL); CPU used (core seconds);
 * writes (ETL: INSERT, CTAS, MERGE, ...) and their share of the CPU; queries that spilled, and that failed on a memory,
 * CPU or time limit; the resource groups queries ran in. {@code cacheHitRatio} is the share of bytes Trino's file system
 * cache served, or -1 when the cache is off.
 */
public record LoadFact(
        String cluster,
        long queries,
        long peakConcurrentQueries,
        long bytesScanned,
        long activeUsers,
        double cacheHitRatio,
        double queuedShare,
        double p95QueuedMs,
        double p95ReadQueuedMs,
        double cpuSeconds,
        long writes,
        double writeCpuShare,
        long spillingQueries,
        long resourceLimitFailures,
        long resourceGroups)
{
    public LoadFact
    {
        cluster = cluster == null ? PatternFact.DEFAULT_CLUSTER : cluster;
    }
}
