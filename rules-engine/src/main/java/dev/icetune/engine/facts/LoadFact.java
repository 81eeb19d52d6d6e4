package dev.icetune.engine.facts;

/**
 * The platform's load in the evaluation window. {@code cacheHitRatio} is the share of bytes Trino's file
 * system cache served, or -1 when the cache is off (no query reported cache figures).
 */
public record LoadFact(long queries, long peakConcurrentQueries, long bytesScanned, long activeUsers, double cacheHitRatio) {}
