package dev.icetune.engine.model;

/**
 * What a recommendation is about: a table ({@code catalog.schema.table[.column]}), a query pattern (its hash), or a
 * Trino cluster (its name: Level 4, infrastructure).
 */
public enum TargetType
{
    TABLE, PATTERN, CLUSTER
}
