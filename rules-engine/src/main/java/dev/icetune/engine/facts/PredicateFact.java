package dev.icetune.engine.facts;

import dev.icetune.plan.PredicateKind;

import static java.util.Objects.requireNonNull;

/**
 * A predicate Trino left above the scan of a table (it was not pushed into the scan), on one column.
 * {@code kind} is EQUALITY, RANGE, WRAPPED (a function or cast around the column, e.g. date_format(ts, ...)) or LIKE.
 * {@code temporal} when it compares against a date or timestamp; {@code distinctValues} counts the different
 * literals seen (a proxy for the column's cardinality); {@code pruningRatio} is the average files scanned /
 * total files of those scans: 1.0 means nothing pruned; {@code avgFilesScanned} and {@code avgBytesScanned} what
 * one of them opened (the files and their sizes), {@code avgBytesRead} what it read of them (Trino's physical input: the
 * columns and row groups it did not skip). For a time predicate, {@code hoursSelected} is the time one query selects (-1 when its range is
 * open on one side) and {@code earliest} the oldest lower bound any of them asked for (null when not known, or bounded from
 * above alone: the values from the data's start). A LIKE
 * whose pattern starts with a wildcard is {@code leadingWildcard}; {@code onlyFilter} when no scan of the group had
 * another filter beside it, above the scan or pushed into it (a partition's constraint). {@code valuesPerScan} is how many values one scan compares the column with, on average: one for
 * {@code =}, an IN's list as many as it lists (a bloom filter or sort order helps a lookup of one id, not of 500).
 */
public record PredicateFact(
        String table,
        String column,
        PredicateKind kind,
        String function,
        boolean temporal,
        String predicate,
        String patternHash,
        String sampleQuery,
        long scans,
        long distinctValues,
        double pruningRatio,
        double avgFilesScanned,
        double avgBytesScanned,
        double avgBytesRead,
        double hoursSelected,
        java.time.Instant earliest,
        boolean leadingWildcard,
        boolean onlyFilter,
        double valuesPerScan)
{
    public PredicateFact
    {
        requireNonNull(table, "table is null");
        requireNonNull(column, "column is null");
        requireNonNull(kind, "kind is null");
        valuesPerScan = Math.max(1, valuesPerScan); // not told (a scenario's fact): one
    }
}
