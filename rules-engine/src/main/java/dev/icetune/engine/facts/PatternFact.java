package dev.icetune.engine.facts;

import static java.util.Objects.requireNonNull;

/**
 * One query pattern in the evaluation window, against its baseline window. Latencies in milliseconds.
 * {@code table} is the pattern's main input (the one it read the most bytes from), or null.
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
        boolean aggregation)
{
    public PatternFact
    {
        requireNonNull(patternHash, "patternHash is null");
        requireNonNull(pattern, "pattern is null");
    }
}
