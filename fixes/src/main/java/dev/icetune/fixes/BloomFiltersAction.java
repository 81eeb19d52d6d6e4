package dev.icetune.fixes;

import dev.icetune.engine.model.BloomFilters;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateProperties;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

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
        ActionContext.requireColumns(table, fix.table(), fix.added());
        Map<String, String> set = new TreeMap<>();
        fix.added().stream().filter(column -> !BloomFilters.enabled(table.properties(), column)).forEach(column -> set.put(column, "true"));
        List<String> remove = fix.removed().stream().filter(column -> table.properties().containsKey(PROPERTY_PREFIX + column)).toList();
        if (set.isEmpty() && remove.isEmpty()) {
            return List.of();
        }
        // a file's metadata does not say whether it carries the filters: every file the rewrite concerns is rewritten (and, the
        // properties set, applying again after a failed rewrite cannot tell what is left: it changes nothing)
        return context.withRewrite(fix, Optional.of(context.metadataStep(table, properties(table, set, remove), fix.layoutStatement())), file -> false, Optional.empty());
    }

    @Override
    public List<Step> rollback(BloomFilters fix, ActionContext context, TableState before)
    {
        Table table = context.requireTable(fix.table());
        // each property the fix touched goes back to its value before, "false" and "TRUE" included, or away if it had none
        Map<String, String> set = new TreeMap<>();
        List<String> remove = new ArrayList<>();
        for (String column : Stream.concat(fix.added().stream(), fix.removed().stream()).toList()) {
            String value = before.properties().get(PROPERTY_PREFIX + column);
            if (value == null) {
                remove.add(column);
            }
            else {
                set.put(column, value);
            }
        }
        return List.of(context.metadataStep(table, properties(table, set, remove), BloomFilters.statement(fix.table(), BloomFilters.columns(before.properties()))));
    }

    /** Sets {@code set}'s columns' properties to their values and removes {@code remove}'s. */
    private static Step properties(Table table, Map<String, String> set, List<String> remove)
    {
        StringBuilder call = new StringBuilder("table.updateProperties()");
        set.forEach((column, value) -> call.append(".set(\"").append(PROPERTY_PREFIX).append(column).append("\", \"").append(value).append("\")"));
        remove.forEach(column -> call.append(".remove(\"").append(PROPERTY_PREFIX).append(column).append("\")"));
        return new Step(call.append(".commit()").toString(), () -> {
            UpdateProperties update = table.updateProperties();
            set.forEach((column, value) -> update.set(PROPERTY_PREFIX + column, value));
            remove.forEach(column -> update.remove(PROPERTY_PREFIX + column));
            update.commit();
        });
    }
}
