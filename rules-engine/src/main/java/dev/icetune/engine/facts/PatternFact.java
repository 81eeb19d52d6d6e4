package dev.icetune.engine.facts;

import static java.util.Objects.requireNonNull;

/**
 * One query pattern as one cluster ran it in the evaluation window, against its baseline window. Latencies in
 * milliseconds. {@code table} is the pattern's main input (the one it read the most bytes from), or null. What its
 * operators did, for the query insights: the rows in and out of its most exploding join (averages over the runs
 * that joined), the runs that joined without an equality condition, sorted without a LIMIT, or spilled (with the
 * bytes spilled and the peak memory of any run), and the runs that failed on a time or resource limit. {@code textsVary} when
 * its runs ran more than one text (other literals, an EXECUTE with other values): what its sample computes is the answer to
 * the sample's runs alone.
 */
public record PatternFact(
        String patternHash,
        String pattern,
        String sampleQuery,
        String table,
        long executions,
        double errorRate,
        long distinctUsers,
        double p50Ms,
        double p95Ms,
        long baselineExecutions,
        double baselineP50Ms,
        double baselineP95Ms,
        double avgFilesScanned,
        double baselineAvgFilesScanned,
        double avgBytesScanned,
        double baselineAvgBytesScanned,
        double avgRowsReturned,
        double maxSkewRatio,
        int skewStageId,
        long snapshotsSeen,
        long baselineSnapshotsSeen,
        long repeatedIdentical,
        boolean aggregation,
        String cluster,
        double avgJoinInputRows,
        double avgJoinOutputRows,
        long crossJoinRuns,
        long sortWithoutLimitRuns,
        long spillingRuns,
        double avgSpilledBytes,
        double maxPeakMemoryBytes,
        long resourceLimitFailures,
        String resourceLimitError,
        boolean textsVary)
{
    /** The cluster of facts that name none (scenarios written before clusters). */
    public static final String DEFAULT_CLUSTER = "default";

    public PatternFact
    {
        requireNonNull(patternHash, "patternHash is null");
        requireNonNull(pattern, "pattern is null");
        cluster = cluster == null ? DEFAULT_CLUSTER : cluster;
    }

    /** The pattern on its cluster: the same pattern on two clusters is two facts. */
    public String key()
    {
        return patternHash + "@" + cluster;
    }

    /** Output rows of its most exploding join per input row. */
    public double joinExplosion()
    {
        return avgJoinOutputRows / Math.max(1, avgJoinInputRows);
    }
}
