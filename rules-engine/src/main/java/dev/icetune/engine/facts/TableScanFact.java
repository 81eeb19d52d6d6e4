package dev.icetune.engine.facts;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * How queries in the evaluation window scanned one table ({@code catalog.schema.table}); the time-range scans
 * (a date or timestamp range left above the scan) with their own files and bytes per scan. A table is shared:
 * its scans are summed over every cluster that ran them, named in {@code clusters}. {@code filteredScans} are the scans
 * with a filter whose rows the planner's estimate can be compared with, {@code misestimatedScans} those it could not
 * estimate or missed by more than {@code EvidenceReader.MISESTIMATE_FACTOR}, and {@code misestimatedLookups} those of
 * them whose filter is equalities only: what the columns' distinct counts (statistics) let it estimate.
 * {@code avgDeleteFilesScanned} are the delete files a scan opened beside its data files.
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
        List<String> clusters,
        long filteredScans,
        long misestimatedScans,
        long misestimatedLookups,
        double avgDeleteFilesScanned)
{
    public TableScanFact
    {
        requireNonNull(table, "table is null");
        partitionFields = partitionFields == null ? List.of() : List.copyOf(partitionFields);
        clusters = clusters == null ? List.of() : List.copyOf(clusters);
    }
}
