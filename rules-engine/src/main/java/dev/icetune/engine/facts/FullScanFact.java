package dev.icetune.engine.facts;

import static java.util.Objects.requireNonNull;

/**
 * Scans of a table by one query pattern on one cluster with no filter at all: nothing pushed into the scan, nothing
 * left above it, and every file read. What each read, on average.
 */
public record FullScanFact(String table, String patternHash, String cluster, long scans, double avgFilesScanned, double avgBytesScanned)
{
    public FullScanFact
    {
        requireNonNull(table, "table is null");
        requireNonNull(patternHash, "patternHash is null");
        cluster = cluster == null ? PatternFact.DEFAULT_CLUSTER : cluster;
    }
}
