package dev.icetune.engine.model;

/** What a recommendation is about: a table ({@code catalog.schema.table[.column]}) or a query pattern (its hash). */
public enum TargetType
{
    TABLE, PATTERN
}
