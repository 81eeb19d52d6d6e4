package dev.icetune.rules.facts;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Quoting for the SQL the rules propose: every identifier quoted, so that no table name can inject SQL. */
public final class Sql
{
    private Sql() {}

    /** {@code catalog.schema.table} as {@code "catalog"."schema"."table"}. */
    public static String table(String qualifiedName)
    {
        return Arrays.stream(qualifiedName.split("\\.", 3)).map(Sql::identifier).collect(Collectors.joining("."));
    }

    public static String identifier(String name)
    {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    public static String literal(String value)
    {
        return "'" + value.replace("'", "''") + "'";
    }
}
