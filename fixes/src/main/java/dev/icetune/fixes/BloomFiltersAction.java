package dev.icetune.fixes;

import dev.icetune.engine.model.BloomFilters;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateProperties;

import java.util.List;

import static dev.icetune.engine.model.BloomFilters.PROPERTY_PREFIX;

/**
 * Sets the bloom filter properties through the Iceberg API (through Trino on a table read through Trino), then rewrites the files
 * through Trino so that they carry the filters.
 */
final class BloomFiltersAction
        implements FixAction<BloomFilters>
{
    @Override
    public List<Step> plan(BloomFilters fix, ActionContext context)
    {
        Table table = context.requireTable(fix.table());
        List<String> add = fix.added().stream().filter(column -> !"true".equals(table.properties().get(PROPERTY_PREFIX + column))).toList();
        List<String> remove = fix.removed().stream().filter(column -> table.properties().containsKey(PROPERTY_PREFIX + column)).toList();
        if (add.isEmpty() && remove.isEmpty()) {
            return List.of();
        }
        // a file's metadata does not say whether it carries the filters: every file the rewrite concerns is rewritten
        return context.withRewrite(fix, context.metadataStep(table, properties(table, add, remove), fix.layoutStatement()), file -> false);
    }

    @Override
    public List<Step> rollback(BloomFilters fix, ActionContext context, TableState before)
    {
        Table table = context.requireTable(fix.table());
        List<String> remove = fix.added().stream().filter(column -> !before.properties().containsKey(PROPERTY_PREFIX + column)).toList();
        List<String> add = fix.removed().stream().filter(column -> "true".equals(before.properties().get(PROPERTY_PREFIX + column))).toList();
        return List.of(context.metadataStep(table, properties(table, add, remove), BloomFilters.statement(fix.table(), BloomFilters.columns(before.properties()))));
    }

    private static Step properties(Table table, List<String> add, List<String> remove)
    {
        StringBuilder call = new StringBuilder("table.updateProperties()");
        add.forEach(column -> call.append(".set(\"").append(PROPERTY_PREFIX).append(column).append("\", \"true\")"));
        remove.forEach(column -> call.append(".remove(\"").append(PROPERTY_PREFIX).append(column).append("\")"));
        return new Step(call.append(".commit()").toString(), () -> {
            UpdateProperties update = table.updateProperties();
            add.forEach(column -> update.set(PROPERTY_PREFIX + column, "true"));
            remove.forEach(column -> update.remove(PROPERTY_PREFIX + column));
            update.commit();
        });
    }
}
