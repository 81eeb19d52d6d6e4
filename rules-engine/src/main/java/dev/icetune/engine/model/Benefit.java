package dev.icetune.engine.model;

/**
 * What the queries of a pattern gain when a person follows an {@link Advice} or a {@link QueryRewrite}: how the
 * evaluation values it. A rule names the benefit with its advice ({@code new Advice(text, Benefit.NO_SPILL)}), so that
 * a rule of the platform team's own, or a renamed one, is valued as the shipped rule it resembles; advice without one
 * gets an unknown estimate. The fixes icetune carries out are valued from their own records.
 */
public enum Benefit
{
    /** A filter the scan can use (a range of the partition or sort column) selects {@code estimate.range_selectivity} of the data. */
    SELECTIVE_SCAN,
    /** The join gets the condition it misses: its output rows per input row become one. */
    JOIN_CONDITION,
    /** A run that fits in memory no longer writes what it spills to disk and reads it back. */
    NO_SPILL,
    /** The client reads the first {@code sort.suggested_limit} rows: the rest are neither sorted in full nor sent. */
    LIMITED_SORT,
    /** A run no longer fails on a resource limit after running about the pattern's p95, to be run again. */
    NO_LIMIT_FAILURES,
    /** Every identical repeat within the cache's TTL is answered without reading the table. */
    CACHED_REPEATS,
    /** The pattern returns to its baseline window's files, bytes and latency. */
    BASELINE,
    /** The skewed stage's busiest task takes the median task's share. */
    BALANCED_STAGE,
    /**
     * The bare column compared against a range in place of a function around it: the files' statistics skip what the
     * range does not cover. Needs the recommendation's evidence {@code table} and {@code column}.
     */
    BARE_COLUMN,
    /**
     * The queries read the aggregation's rows from a table created again every {@code mv.refresh_interval_minutes}, valued as a
     * materialized view of them is. Needs the recommendation's evidence {@code table} and {@code refresh_interval_minutes}.
     */
    PRECOMPUTED
}
