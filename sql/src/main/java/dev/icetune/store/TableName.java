package dev.icetune.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * A table as Trino names it, and its one-text form {@code catalog.schema.table} that query_logs (main_input), facts and
 * recommendations carry. A part with a dot or a double quote in it is double-quoted in that form ({@code iceberg."eu.sales".orders}),
 * so that the text reads back into the same three parts; every other part is written as it is, so the common names read as before.
 */
public record TableName(String catalog, String schema, String table)
{
    public TableName
    {
        requireNonNull(catalog, "catalog is null");
        requireNonNull(schema, "schema is null");
        requireNonNull(table, "table is null");
    }

    /** The one-text form of {@code catalog}, {@code schema} and {@code table}. */
    public static String qualified(String catalog, String schema, String table)
    {
        // once per captured query on the listener's capture thread: no stream for the common name
        return part(catalog) + "." + part(schema) + "." + part(table);
    }

    /** The three parts of {@code qualified}; a part not in quotes is read as it is, up to the next dot (the last part to the end). */
    public static TableName parse(String qualified)
    {
        return tryParse(qualified).orElseThrow(() -> new IllegalArgumentException("not a table name as catalog.schema.table: " + qualified));
    }

    /** The three parts of {@code qualified}, or empty when it is not a table name as {@code catalog.schema.table}. */
    public static Optional<TableName> tryParse(String qualified)
    {
        List<String> parts = new ArrayList<>(3);
        int at = 0;
        while (parts.size() < 3) {
            StringBuilder part = new StringBuilder();
            if (at < qualified.length() && qualified.charAt(at) == '"') {
                at++;
                while (true) {
                    if (at >= qualified.length()) {
                        return Optional.empty();
                    }
                    char c = qualified.charAt(at++);
                    if (c == '"') {
                        if (at < qualified.length() && qualified.charAt(at) == '"') {
                            at++;
                        }
                        else {
                            break;
                        }
                    }
                    part.append(c);
                }
            }
            else {
                int end = parts.size() == 2 ? qualified.length() : qualified.indexOf('.', at);
                if (end < 0) {
                    return Optional.empty();
                }
                part.append(qualified, at, end);
                at = end;
            }
            parts.add(part.toString());
            if (parts.size() < 3) {
                if (at >= qualified.length() || qualified.charAt(at) != '.') {
                    return Optional.empty();
                }
                at++;
            }
        }
        return at == qualified.length() ? Optional.of(new TableName(parts.get(0), parts.get(1), parts.get(2))) : Optional.empty();
    }

    /**
     * Every table {@code text} can name: its reading as {@link #parse} reads it first, then, for a text without quotes, each other
     * split of it into three at its dots. Trino's plan and rows written before the quoted form name a table in {@code eu.sales} and one
     * in {@code eu} alike; the catalog tells which exists.
     */
    public static List<TableName> readings(String text)
    {
        List<TableName> readings = new ArrayList<>();
        tryParse(text).ifPresent(readings::add);
        if (text.indexOf('"') < 0) {
            for (int first = text.indexOf('.'); first >= 0; first = text.indexOf('.', first + 1)) {
                for (int second = text.indexOf('.', first + 1); second >= 0; second = text.indexOf('.', second + 1)) {
                    TableName split = new TableName(text.substring(0, first), text.substring(first + 1, second), text.substring(second + 1));
                    if (!readings.contains(split)) {
                        readings.add(split);
                    }
                }
            }
        }
        return readings;
    }

    /** Another table in the same schema. */
    public TableName sibling(String name)
    {
        return new TableName(catalog, schema, name);
    }

    /** {@code "catalog"."schema"."table"}: each part quoted for Trino, so that no name can inject SQL. */
    public String sql()
    {
        return Stream.of(catalog, schema, table).map(TableName::quoted).collect(Collectors.joining("."));
    }

    @Override
    public String toString()
    {
        return qualified(catalog, schema, table);
    }

    /**
     * SQL (PostgreSQL): the one-text form of the {@code catalog}, {@code schema_name} and {@code table_name} columns of
     * {@code alias} (a table or subquery of query_inputs' columns), as {@link #toString()} writes it.
     */
    public static String inPostgres(String alias)
    {
        String prefix = alias.isEmpty() ? "" : alias + ".";
        return Stream.of("catalog", "schema_name", "table_name")
                .map(column -> "CASE WHEN strpos(%1$s, '.') + strpos(%1$s, '\"') = 0 THEN %1$s ELSE '\"' || replace(%1$s, '\"', '\"\"') || '\"' END"
                        .formatted(prefix + column))
                .collect(Collectors.joining(" || '.' || "));
    }

    /** One part (a catalog, say) as the one-text form writes it: {@code lake}, {@code "eu.lake"}. */
    public static String part(String part)
    {
        return part.indexOf('.') < 0 && part.indexOf('"') < 0 ? part : quoted(part);
    }

    /** A name as SQL quotes it, Trino and PostgreSQL alike: double-quoted, its double quotes doubled. */
    static String quoted(String part)
    {
        return '"' + part.replace("\"", "\"\"") + '"';
    }
}
