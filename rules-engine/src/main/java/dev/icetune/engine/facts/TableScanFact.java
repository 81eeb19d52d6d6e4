package dev.icetune.engine.facts;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** How queries in the evaluation window scanned one table ({@code catalog.schema.table}). */
public record TableScanFact(
        String table,
        long scans,
        double avgFilesScanned,
        double avgBytesPerFile,
        double avgPruningRatio,
        double avgManifestsSkipped,
        long timeRangeScans,
        long timeRangeScansUnpruned,
        List<String> partitionFields)
{
    public TableScanFact
    {
        requireNonNull(table, "table is null");
        partitionFields = partitionFields == null ? List.of() : List.copyOf(partitionFields);
    }
}
