package dev.icetune.fixes;

import dev.icetune.engine.model.PartitionSpec;
import dev.icetune.engine.model.Sql;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdatePartitionSpec;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Evolves the partition spec through the Iceberg API (one atomic commit; through Trino on a table read through Trino), then rewrites the
 * files into it through Trino.
 */
final class PartitionSpecAction
        implements FixAction<PartitionSpec>
{
    @Override
    public List<Step> plan(PartitionSpec fix, ActionContext context)
    {
        Table table = context.requireTable(fix.table());
        ActionContext.requireColumns(table, fix.table(), fix.added().stream().flatMap(field -> PartitionSpec.column(field).stream()).map(Sql::propertyColumnName).toList());
        List<String> current = TableState.of(table).partitioning();
        List<String> add = fix.added().stream().filter(field -> !current.contains(field)).toList();
        List<String> remove = fix.removed().stream().filter(current::contains).toList();
        Optional<Step> change = add.isEmpty() && remove.isEmpty() ? Optional.empty()
                : Optional.of(context.metadataStep(table, evolve(context, table, remove, add), fix.layoutStatement()));
        // a file written in the new spec (by a writer after the change, or by a piece of an earlier attempt) needs no rewrite
        return context.withRewrite(fix, change, file -> Set.copyOf(fields(table, table.specs().get(file.specId()))).equals(Set.copyOf(fix.to())),
                Optional.of(change.isEmpty() ? table.spec() : target(table, remove, add)));
    }

    /** The spec the change makes, not committed: the partitions the rewrite writes into. */
    private static org.apache.iceberg.PartitionSpec target(Table table, List<String> remove, List<String> add)
    {
        try {
            return update(table, remove, add).apply();
        }
        catch (RuntimeException e) {
            return table.spec(); // a table read through Trino may not build it: the files are then taken to write as many partitions as they are in
        }
    }

    private static UpdatePartitionSpec update(Table table, List<String> remove, List<String> add)
    {
        UpdatePartitionSpec update = table.updateSpec();
        remove.forEach(field -> update.removeField(IcebergTerms.term(field)));
        add.forEach(field -> update.addField(IcebergTerms.term(field)));
        return update;
    }

    private static List<String> fields(Table table, org.apache.iceberg.PartitionSpec spec)
    {
        return spec == null ? List.of() : spec.fields().stream().map(field -> IcebergTerms.trinoField(field, table.schema())).toList();
    }

    @Override
    public List<Step> rollback(PartitionSpec fix, ActionContext context, TableState before)
    {
        Table table = context.requireTable(fix.table());
        List<String> current = TableState.of(table).partitioning();
        List<String> remove = fix.added().stream().filter(current::contains).filter(field -> !before.partitioning().contains(field)).toList();
        List<String> add = fix.removed().stream().filter(field -> !current.contains(field)).filter(before.partitioning()::contains).toList();
        return remove.isEmpty() && add.isEmpty() ? List.of()
                : List.of(context.metadataStep(table, evolve(context, table, remove, add), PartitionSpec.statement(fix.table(), before.partitioning())));
    }

    private static Step evolve(ActionContext context, Table table, List<String> remove, List<String> add)
    {
        StringBuilder call = new StringBuilder("table.updateSpec()");
        remove.forEach(field -> call.append(".removeField(").append(field).append(")"));
        add.forEach(field -> call.append(".addField(").append(field).append(")"));
        return context.icebergStep(call.append(".commit()").toString(), table, current -> update(current, remove, add).commit());
    }
}
