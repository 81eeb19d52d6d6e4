package dev.icetune.fixes;

import dev.icetune.engine.model.SortOrder;
import org.apache.iceberg.ReplaceSortOrder;
import org.apache.iceberg.Table;

import java.util.List;
import java.util.Optional;

/** Replaces the sort order through the Iceberg API (through Trino on a table read through Trino), then rewrites the files sorted through Trino. */
final class SortOrderAction
        implements FixAction<SortOrder>
{
    @Override
    public List<Step> plan(SortOrder fix, ActionContext context)
    {
        Table table = context.requireTable(fix.table());
        ActionContext.requireColumns(table, fix.table(), fix.columns());
        Optional<Step> change = TableState.of(table).sortOrder().equals(fix.columns()) ? Optional.empty()
                : Optional.of(context.metadataStep(table, sortBy(table, fix.columns()), fix.layoutStatement()));
        // a file written sorted in the new order needs no rewrite
        return context.withRewrite(fix, change, file -> file.sortOrderId() != null && table.sortOrders().containsKey(file.sortOrderId())
                && table.sortOrders().get(file.sortOrderId()).fields().stream().map(field -> table.schema().findColumnName(field.sourceId())).toList().equals(fix.columns()), Optional.empty());
    }

    @Override
    public List<Step> rollback(SortOrder fix, ActionContext context, TableState before)
    {
        Table table = context.requireTable(fix.table());
        return List.of(context.metadataStep(table, sortBy(table, before.sortOrder()), SortOrder.statement(fix.table(), before.sortOrder())));
    }

    private static Step sortBy(Table table, List<String> columns)
    {
        String call = "table.replaceSortOrder()" + columns.stream().map(column -> ".asc(\"" + column + "\")").reduce("", String::concat) + ".commit()";
        return new Step(call, () -> {
            ReplaceSortOrder sort = table.replaceSortOrder();
            columns.forEach(sort::asc);
            sort.commit();
        });
    }
}
