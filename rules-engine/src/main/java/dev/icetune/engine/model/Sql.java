package dev.icetune.engine.model;

import dev.icetune.store.TableName;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
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

    /**
     * A column in a partition field or a sort field, as Trino's partitioning and sorted_by table properties read it: a plain
     * identifier, or any name double-quoted (a space, a letter beyond ASCII, a quote).
     */
    public static final String PROPERTY_COLUMN = "(?:\\w+|\"(?:\"\"|[^\"])*\")";

    private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /** {@code name} as those properties name a column: as it is when a plain identifier, double-quoted otherwise. */
    public static String propertyColumn(String name)
    {
        return PLAIN_IDENTIFIER.matcher(name).matches() ? name : identifier(name);
    }

    /** The column a {@link #PROPERTY_COLUMN} names, its quotes taken off. */
    public static String propertyColumnName(String column)
    {
        return column.length() >= 2 && column.startsWith("\"") && column.endsWith("\"") ? column.substring(1, column.length() - 1).replace("\"\"", "\"") : column;
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
