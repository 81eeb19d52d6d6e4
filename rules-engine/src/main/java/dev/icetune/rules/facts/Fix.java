package dev.icetune.rules.facts;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The machine-readable side of a proposed fix, built by the rules and stored with the recommendation:
 * {@code kind} says who carries it out. Iceberg metadata changes go through the Iceberg API; Trino
 * statements through Trino; a query rewrite is never applied, only delivered; text is advice for a person.
 */
public final class Fix
{
    public static final String KIND = "kind";
    public static final String ICEBERG_PARTITION = "iceberg-partition";
    public static final String ICEBERG_SORT_ORDER = "iceberg-sort-order";
    public static final String ICEBERG_PROPERTY = "iceberg-property";
    public static final String ICEBERG_EXPIRE_SNAPSHOTS = "iceberg-expire-snapshots";
    public static final String TRINO = "trino";
    public static final String QUERY_REWRITE = "query-rewrite";
    public static final String TEXT = "text";

    private Fix() {}

    /** Add {@code transform(column)} (day, hour, month, year) to the table's partition spec. */
    public static Map<String, Object> partition(String table, String transform, String column)
    {
        return of(ICEBERG_PARTITION, "table", table, "transform", transform, "column", column);
    }

    /** Make {@code columns} (ascending) the table's sort order; files written from then on are sorted. */
    public static Map<String, Object> sortOrder(String table, List<String> columns)
    {
        return of(ICEBERG_SORT_ORDER, "table", table, "columns", List.copyOf(columns));
    }

    public static Map<String, Object> property(String table, String name, String value)
    {
        return of(ICEBERG_PROPERTY, "table", table, "name", name, "value", value);
    }

    /** Expire snapshots older than {@code retainHours}, keeping the current one. */
    public static Map<String, Object> expireSnapshots(String table, long retainHours)
    {
        return of(ICEBERG_EXPIRE_SNAPSHOTS, "table", table, "retain_hours", retainHours);
    }

    /** Statements run through Trino in order, e.g. CREATE MATERIALIZED VIEW then REFRESH; {@code table} is the one they lock. */
    public static Map<String, Object> trino(String table, String... statements)
    {
        return of(TRINO, "table", table, "statements", List.of(statements));
    }

    public static Map<String, Object> queryRewrite(String sql)
    {
        return of(QUERY_REWRITE, "sql", sql);
    }

    public static Map<String, Object> text(String advice)
    {
        return of(TEXT, "advice", advice);
    }

    private static Map<String, Object> of(String kind, Object... namesAndValues)
    {
        Map<String, Object> fix = new LinkedHashMap<>();
        fix.put(KIND, kind);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fix.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return fix;
    }
}
