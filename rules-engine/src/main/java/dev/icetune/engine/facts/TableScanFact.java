package dev.icetune.engine.facts;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * How queries in the evaluation window scanned one table ({@code catalog.schema.table}); the time-range scans
 * (a date or timestamp range left above the scan) with their own files and bytes per scan. A table is shared:
 * its scans are summed over every cluster that ran them, named in {@code clusters}.
 */
public record TableScanFact(
        String table,
        long scans,
        double avgFilesScanned,
        double avgBytesPerFile,
        double avgPruningRatio,
        double avgManifestsSkipped,
        long timeRangeScans,
        long timeRangeScansUnpruned,
        List<String> partitionFields,
        double timeRangeAvgFilesScanned,
        double timeRangeAvgBytesScanned,
        List<String> clusters)
{
    public TableScanFact
    {
        requireNonNull(table, "table is null");
        partitionFields = partitionFields == null ? List.of() : List.copyOf(partitionFields);
        clusters = clusters == null ? List.of() : List.copyOf(clusters);
    }
}
