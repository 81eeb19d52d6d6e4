package dev.icetune.engine.model;

import java.util.Map;

/**
 * What a recommendation is about: a table ({@code catalog.schema.table[.column]}), a query pattern (its hash), or a
 * Trino cluster (its name: Level 4, infrastructure).
 */
public enum TargetType
{
    TABLE, PATTERN, CLUSTER;

    /** The evidence that names a pattern's query: its text, as the evaluation adds it to each recommendation on a pattern. */
    public static final String QUERY = "query";

    /**
     * The target as a person reads it in a table: a pattern's hash names nothing a person knows, so its first 8 characters and its
     * query's text ({@link #QUERY}); the target itself otherwise.
     */
    public String label(String target, Map<String, Object> evidence)
    {
        return this == PATTERN && evidence.get(QUERY) instanceof String query ? target.substring(0, Math.min(8, target.length())) + " " + query : target;
    }
}
