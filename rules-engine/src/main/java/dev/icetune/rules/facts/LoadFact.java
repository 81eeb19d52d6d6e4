package dev.icetune.rules.facts;

/** The platform's load in the evaluation window. */
public record LoadFact(long queries, long peakConcurrentQueries, long bytesScanned, long activeUsers) {}
