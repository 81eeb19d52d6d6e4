package dev.icetune.listener;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A row of {@code query_inputs}: one table a query read. The Iceberg fields are null for other
 * connectors, and for Iceberg when the connector did not report them. {@code estimatedRows} is the rows the
 * planner estimated the table's filtered scans return ({@code NaN}: it could not), {@code outputRows} the rows they
 * returned; both null unless the table was scanned with a filter and without a dynamic filter.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CapturedInput(
        int inputIndex,
        String catalog,
        String schemaName,
        String tableName,
        String connector,
        List<String> columns,
        Long physicalInputBytes,
        Long physicalInputRows,
        Long snapshotId,
        Integer formatVersion,
        List<String> partitionFields,
        String fileFormat,
        Long totalDataFiles,
        Long totalRecords,
        Long totalDeleteFiles,
        Long filesScanned,
        Long bytesScanned,
        Long manifestsScanned,
        Long manifestsSkipped,
        Long deleteFilesScanned,
        Double scanPlanningMs,
        Long bytesReadFromCache,
        Long bytesReadExternally,
        List<String> constraintColumns,
        String filterPredicate,
        Double estimatedRows,
        Long outputRows)
{
    public CapturedInput
    {
        requireNonNull(catalog, "catalog is null");
        requireNonNull(schemaName, "schemaName is null");
        requireNonNull(tableName, "tableName is null");
        columns = columns == null ? List.of() : List.copyOf(columns);
        partitionFields = partitionFields == null ? null : List.copyOf(partitionFields);
        constraintColumns = constraintColumns == null ? null : List.copyOf(constraintColumns);
    }

    /** Files scanned against the table's total: 1.0 means nothing was pruned. */
    public Double pruningRatio()
    {
        if (filesScanned == null || totalDataFiles == null || totalDataFiles <= 0) {
            return null;
        }
        return (double) filesScanned / totalDataFiles;
    }
}
