package dev.icetune.fixes;

import dev.icetune.engine.iceberg.TableMetadataReader;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.SortField;
import org.apache.iceberg.Table;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a fix may change about a table, as the audit records it before and after: the partition spec (in
 * Trino's syntax), the sort order, the properties, the current snapshot, and the snapshots kept with the size of the
 * metadata file that lists them (what an expiry moves; 0 when not known). And which table it is: Iceberg's UUID, which a
 * table dropped and created again under its name does not keep (null where not known: in the audit's rows written before it was
 * recorded, for metadata that names none).
 */
public record TableState(List<String> partitioning, List<String> sortOrder, Map<String, String> properties, Long snapshotId, int snapshots, long metadataBytes,
        String uuid)
{
    public TableState
    {
        partitioning = List.copyOf(partitioning);
        sortOrder = List.copyOf(sortOrder);
        properties = Map.copyOf(properties);
    }

    public static TableState of(Table table)
    {
        List<String> partitioning = new ArrayList<>();
        for (PartitionField field : table.spec().fields()) {
            partitioning.add(IcebergTerms.trinoField(field, table.schema()));
        }
        List<String> sortOrder = new ArrayList<>();
        for (SortField field : table.sortOrder().fields()) {
            sortOrder.add(table.schema().findColumnName(field.sourceId()));
        }
        int snapshots = 0;
        for (var ignored : table.snapshots()) {
            snapshots++;
        }
        return new TableState(partitioning, sortOrder, table.properties(), table.currentSnapshot() == null ? null : table.currentSnapshot().snapshotId(),
                snapshots, TableMetadataReader.metadataBytes(table), TableMetadataReader.uuid(table).orElse(null));
    }

    /** As stored in fix_audit.state_before and state_after. */
    public Map<String, Object> toMap()
    {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("partitioning", partitioning);
        state.put("sort_order", sortOrder);
        state.put("properties", new java.util.TreeMap<>(properties));
        state.put("snapshots", snapshots);
        state.put("metadata_bytes", metadataBytes);
        if (uuid != null) {
            state.put("uuid", uuid);
        }
        return state;
    }
}
