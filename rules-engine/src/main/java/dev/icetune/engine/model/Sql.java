package dev.icetune.engine.model;

import dev.icetune.store.TableName;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Quoting for the SQL icetune proposes: every identifier quoted, every value a literal, so that no name can inject SQL. */
public final class Sql
{
    private Sql() {}

    /** {@code catalog.schema.table} (as {@link TableName} writes it) as {@code "catalog"."schema"."table"}; any other text, split at its dots. */
    public static String table(String qualifiedName)
    {
        return TableName.tryParse(qualifiedName).map(TableName::sql)
                .orElseGet(() -> Arrays.stream(qualifiedName.split("\\.", 3)).map(Sql::identifier).collect(Collectors.joining(".")));
    }

    public static String identifier(String name)
    {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    public static String literal(String value)
    {
        return "'" + value.replace("'", "''") + "'";
    }

    /** {@code ARRAY['a', 'b']}, or {@code ARRAY[]} for none. */
    public static String array(List<String> values)
    {
        return values.stream().map(Sql::literal).collect(Collectors.joining(", ", "ARRAY[", "]"));
    }
}
